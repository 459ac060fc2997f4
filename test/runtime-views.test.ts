// A Reshape (or Flatten) of a value the plan computes is a view of its bytes, not a copy: no step, and
// the same arena block, which then lives until the last reader of either. A conv that may write its
// output over a dying skip connection must not take a block that a view of the skip still needs.
import test from 'ava';
import { onnx } from 'onnx-proto';
import { ops, Session, tensor, type Tensor } from '../lib';
import { loadModel } from '../lib/onnx';
import { optimizeModel } from '../lib/runtime/optimize';
import { planModel } from '../lib/runtime/planner';
import { bytesEqual, randomTensor } from './helpers';
import { io } from './models';

const INT64 = 7;
const init = (name: string, t: Tensor<'float32'>) => ({ name, dataType: 1, dims: t.shape, floatData: Array.from(t.data) });
const pads = { name: 'pads', type: onnx.AttributeProto.AttributeType.INTS, ints: [1, 1, 1, 1] };

function viewModel(w: Tensor<'float32'>): Uint8Array {
  return onnx.ModelProto.encode({
    irVersion: 8, opsetImport: [{ version: 13 }],
    graph: {
      name: 'views',
      initializer: [init('w', w), { name: 'flat', dataType: INT64, dims: [2], int64Data: [2, -1] }],
      input: [io('x', [2, 8, 6, 6]), io('skip', [2, 8, 6, 6])],
      output: [io('y', []), io('z', [])],
      node: [
        { name: 'neg', opType: 'Neg', input: ['skip'], output: ['s'] },
        // s is viewed, then dies at the conv as its skip connection; the view is read after the conv.
        { name: 'view', opType: 'Reshape', input: ['s', 'flat'], output: ['v'] },
        { name: 'view2', opType: 'Flatten', input: ['v'], output: ['v2'] },
        { name: 'conv', opType: 'Conv', input: ['x', 'w'], output: ['c'], attribute: [pads] },
        { name: 'add', opType: 'Add', input: ['c', 's'], output: ['a'] },
        { name: 'relu', opType: 'Relu', input: ['a'], output: ['r'] },
        { name: 'sigmoid', opType: 'Sigmoid', input: ['r'], output: ['y'] },
        { name: 'abs', opType: 'Abs', input: ['v2'], output: ['z'] },
      ],
    },
  }).finish();
}

test('a reshape views its input\'s arena block, and a conv does not write over a skip that a view still needs', async (t) => {
  const x = randomTensor([2, 8, 6, 6], 1), skip = randomTensor([2, 8, 6, 6], 2), w = randomTensor([8, 8, 3, 3], 3, -0.2, 0.2);
  const bytes = viewModel(w);
  const plan = planModel(optimizeModel(loadModel(bytes)), [x, skip]);
  t.false(plan.steps.some((s) => s.op === 'copy'), 'no step copies');
  const neg = plan.steps.find((s) => s.params.unary === 'neg')!, abs = plan.steps.find((s) => s.params.unary === 'abs')!;
  const conv = plan.steps.find((s) => s.op === 'conv')!;
  t.is(conv.inputs[3], neg.outputs[0], 'the skip is fused into the conv');
  const skipSlot = plan.values[neg.outputs[0]].slot;
  t.is(plan.values[abs.inputs[0]].slot, skipSlot, 'the views share the skip\'s block');
  t.deepEqual(plan.values[abs.inputs[0]].shape, [2, 288]);
  t.not(plan.values[conv.outputs[0]].slot, skipSlot, 'the conv output takes another block');

  const session = await Session.create(bytes);
  const out = await session.run({ x, skip });
  const s = await ops.unary('neg', skip);
  const conv2d = await ops.conv2d(x, w, null, { pads: [1, 1, 1, 1] });
  const y = await ops.unary('sigmoid', await ops.unary('relu', await ops.binary('add', conv2d, s)));
  const z = await ops.unary('abs', tensor('float32', [2, 288], s.data));
  t.true(bytesEqual(out.y.data as Float32Array, y.data));
  t.deepEqual(out.z.shape, [2, 288]);
  t.true(bytesEqual(out.z.data as Float32Array, z.data));
});

// y = Conv(Identity(s)) + s: the conv reads a view of its dying skip as its input, so it must not
// write its output over the skip's block.
function convOverOwnSkipModel(w: Tensor<'float32'>): Uint8Array {
  return onnx.ModelProto.encode({
    irVersion: 8, opsetImport: [{ version: 13 }],
    graph: {
      name: 'own-skip', initializer: [init('w', w)], input: [io('skip', [2, 8, 6, 6])], output: [io('y', [])],
      node: [
        { name: 'neg', opType: 'Neg', input: ['skip'], output: ['s'] },
        { name: 'view', opType: 'Identity', input: ['s'], output: ['v'] },
        { name: 'conv', opType: 'Conv', input: ['v', 'w'], output: ['c'], attribute: [pads] },
        { name: 'add', opType: 'Add', input: ['c', 's'], output: ['a'] },
        // A square, which the conv's epilogue cannot take: the conv's result stays in the arena.
        { name: 'square', opType: 'Mul', input: ['a', 'a'], output: ['y'] },
      ],
    },
  }).finish();
}

test('a conv whose input views its dying skip keeps its output out of the skip\'s block', async (t) => {
  const skip = randomTensor([2, 8, 6, 6], 4), w = randomTensor([8, 8, 3, 3], 5, -0.2, 0.2);
  const bytes = convOverOwnSkipModel(w);
  const plan = planModel(optimizeModel(loadModel(bytes)), [skip]);
  const conv = plan.steps.find((s) => s.op === 'conv')!;
  const [input, output, residual] = [plan.values[conv.inputs[0]], plan.values[conv.outputs[0]], plan.values[conv.inputs[3]]];
  t.true(input.kind === 'arena' && residual.kind === 'arena' && input.slot === residual.slot, 'the conv input views the skip');
  t.true(output.kind === 'arena' && output.slot !== residual.slot, 'the output takes another block');

  const session = await Session.create(bytes);
  const y = (await session.run({ skip })).y as Tensor<'float32'>;
  const s = await ops.unary('neg', skip);
  const sum = await ops.binary('add', await ops.conv2d(s, w, null, { pads: [1, 1, 1, 1] }), s);
  const want = await ops.binary('mul', sum, sum);
  t.true(bytesEqual(y.data, want.data));
});
