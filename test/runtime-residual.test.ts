// Conv → Add(skip) → Relu runs as one conv step whose epilogue adds the skip connection, and MatMul →
// Add(skip) as one MatMul step: the same bits as the steps run one by one (ops.conv2d or ops.matmul,
// ops.binary, ops.unary), and no fusion where the skip broadcasts or the conv output is read elsewhere. A skip computed in the graph that dies at the
// conv gives its buffer to the conv's output, on every schedule, with the same bits; not when the skip
// is also the conv's input.
import test from 'ava';
import { onnx } from 'onnx-proto';
import { ops, Session, type Tensor } from '../lib';
import { loadModel } from '../lib/onnx';
import { optimizeModel } from '../lib/runtime/optimize';
import { planModel } from '../lib/runtime/planner';
import { bytesEqual, randomTensor } from './helpers';
import { io } from './models';

interface Block {
  n: number; c: number; m: number; hw: number; skip: number[]; skipFirst: boolean;
  convIsOutput?: boolean; sigmoidAfter?: boolean;
  skipNegated?: boolean; // the skip is Neg(input), an arena value the conv reads last
  skipIsConvInput?: boolean; // and the conv's input too: y = conv(s) + s
}

function blockModel(w: Tensor<'float32'>, bias: Tensor<'float32'>, b: Block): Uint8Array {
  const skip = b.skipNegated ? 'ns' : 'skip';
  const init = (name: string, t: Tensor<'float32'>) => ({ name, dataType: 1, dims: t.shape, floatData: Array.from(t.data) });
  const pads = { name: 'pads', type: onnx.AttributeProto.AttributeType.INTS, ints: [1, 1, 1, 1] };
  return onnx.ModelProto.encode({
    irVersion: 8, opsetImport: [{ version: 13 }],
    graph: {
      name: 'block', initializer: [init('w', w), init('b', bias)],
      input: [io('x', [b.n, b.c, b.hw, b.hw]), io('skip', b.skip)],
      output: [io('y', []), ...(b.convIsOutput ? [io('c', [])] : [])],
      node: [
        ...(b.skipNegated ? [{ name: 'neg', opType: 'Neg', input: ['skip'], output: ['ns'] }] : []),
        { name: 'conv', opType: 'Conv', input: [b.skipIsConvInput ? skip : 'x', 'w', 'b'], output: ['c'], attribute: [pads] },
        { name: 'add', opType: 'Add', input: b.skipFirst ? [skip, 'c'] : ['c', skip], output: ['s'] },
        { name: 'relu', opType: 'Relu', input: ['s'], output: [b.sigmoidAfter ? 'r' : 'y'] },
        ...(b.sigmoidAfter ? [{ name: 'sigmoid', opType: 'Sigmoid', input: ['r'], output: ['y'] }] : []),
      ],
    },
  }).finish();
}

const BLOCKS: Record<string, [Block, boolean]> = {
  'a 12x12 map, 8 input channels (pixels as GEMM columns)': [{ n: 2, c: 8, m: 24, hw: 12, skip: [2, 24, 12, 12], skipFirst: false }, true],
  'a 12x12 map, 16 input channels (Winograd)': [{ n: 2, c: 16, m: 24, hw: 12, skip: [2, 24, 12, 12], skipFirst: false }, true],
  'a 17x17 map, 16 input channels (Winograd F(4x4, 3x3), panels across images)': [{ n: 3, c: 16, m: 24, hw: 17, skip: [3, 24, 17, 17], skipFirst: false }, true],
  'a 12x12 map, 3 input channels (direct)': [{ n: 2, c: 3, m: 13, hw: 12, skip: [2, 13, 12, 12], skipFirst: false }, true],
  'a 3x3 map (pixels as GEMM rows), the skip first': [{ n: 2, c: 64, m: 64, hw: 3, skip: [2, 64, 3, 3], skipFirst: true }, true],
  'a 7x7 map (its 49th pixel by the GEMM tail tile)': [{ n: 2, c: 64, m: 64, hw: 7, skip: [2, 64, 7, 7], skipFirst: false }, true],
  'a broadcast skip': [{ n: 1, c: 8, m: 8, hw: 6, skip: [1, 8, 1, 1], skipFirst: false }, false],
  'a conv output that is also a graph output': [{ n: 1, c: 8, m: 8, hw: 6, skip: [1, 8, 6, 6], skipFirst: false, convIsOutput: true }, false],
  'a second activation after the relu': [{ n: 1, c: 8, m: 8, hw: 6, skip: [1, 8, 6, 6], skipFirst: false, sigmoidAfter: true }, true],
};
// The output written over the skip, on each schedule (a K past one GEMM depth block, which keeps
// partials in Y, over a copy). The sigmoid keeps the conv's output in the arena, not a graph output.
const SKIP_DIES_AT_CONV = { skipFirst: false, sigmoidAfter: true, skipNegated: true };
for (const [name, b] of Object.entries({
  'pixels as GEMM columns, by images': { n: 2, c: 8, m: 24, hw: 12 },
  'pixels as GEMM columns, in column blocks': { n: 1, c: 8, m: 32, hw: 56 },
  'two output channels (the small-M tile)': { n: 2, c: 8, m: 2, hw: 12 },
  'Winograd, ragged edge tiles': { n: 2, c: 16, m: 24, hw: 13 },
  'Winograd F(4x4, 3x3), one panel for several threads (output channels split)': { n: 1, c: 16, m: 40, hw: 16 },
  direct: { n: 2, c: 3, m: 13, hw: 12 },
  'pixels as GEMM rows': { n: 2, c: 64, m: 64, hw: 3 },
  'the GEMM tail tile': { n: 2, c: 64, m: 64, hw: 7 },
  'K = 2088, two GEMM depth blocks': { n: 1, c: 232, m: 32, hw: 8 },
  'the skip also the conv\'s input': { n: 2, c: 16, m: 16, hw: 12, skipIsConvInput: true },
})) BLOCKS[`a computed skip that dies at the conv, ${name}`] = [{ ...b, skip: [b.n, b.m, b.hw, b.hw], ...SKIP_DIES_AT_CONV }, true];

for (const [name, [block, fuses]] of Object.entries(BLOCKS)) {
  test(`conv + skip + relu, ${name}: ${fuses ? 'one step' : 'not fused'}, the same bits as the ops one by one`, async (t) => {
    const x = randomTensor([block.n, block.c, block.hw, block.hw], 1), skip = randomTensor(block.skip, 2);
    const w = randomTensor([block.m, block.c, 3, 3], 3, -0.2, 0.2), bias = randomTensor([block.m], 4);
    const bytes = blockModel(w, bias, block);
    const plan = planModel(optimizeModel(loadModel(bytes)), [x, skip]);
    const head = block.skipNegated ? ['unary'] : [], tail = block.sigmoidAfter ? ['unary'] : [];
    t.deepEqual(plan.steps.map((s) => s.op), [...head, ...(fuses ? ['conv'] : ['conv', 'binary', 'unary']), ...tail]);
    const conv = plan.steps[head.length];
    if (fuses) t.is(conv.params.activation, 'relu');
    if (block.skipNegated) {
      const [output, residual] = [plan.values[conv.outputs[0]], plan.values[conv.inputs[3]]];
      if (block.skipIsConvInput) t.not(output.slot, residual.slot, 'the conv reads its input throughout: no shared buffer');
      else t.deepEqual(output, residual, 'the output takes the skip\'s buffer');
    }

    const session = await Session.create(bytes);
    const y = (await session.run({ x, skip })).y as Tensor<'float32'>;
    const addend = block.skipNegated ? await ops.unary('neg', skip) : skip;
    const convolved = await ops.conv2d(block.skipIsConvInput ? addend : x, w, bias, { pads: [1, 1, 1, 1] });
    const sum = await ops.binary('add', block.skipFirst ? addend : convolved, block.skipFirst ? convolved : addend);
    const relu = await ops.unary('relu', sum);
    t.true(relu.data.some((v) => v > 0) && relu.data.some((v) => v === 0), 'the relu clips some outputs and keeps others');
    const want = block.sigmoidAfter ? await ops.unary('sigmoid', relu) : relu;
    t.deepEqual(y.shape, want.shape);
    t.true(bytesEqual(y.data, want.data));
  });
}

// MatMul → Add(skip) (→ activation), as a transformer sublayer ends: one MatMul step with the bias and
// the skip in its epilogue, when B is a plain matrix. 80 rows by 36 columns: with AVX-512 the last 4
// columns run on the GEMM tail tile, in passes of 48 rows, so its epilogue is offset down the skip.
interface Sublayer { k: number; batchedB?: boolean; skipFirst?: boolean; skipComputed?: boolean; reluSigmoid?: boolean }

function sublayerModel(w: Tensor<'float32'>, bias: Tensor<'float32'>, b: Sublayer): Uint8Array {
  const init = (name: string, t: Tensor<'float32'>) => ({ name, dataType: 1, dims: t.shape, floatData: Array.from(t.data) });
  const skip = b.skipComputed ? 'ns' : 'skip';
  return onnx.ModelProto.encode({
    irVersion: 8, opsetImport: [{ version: 13 }],
    graph: {
      name: 'sublayer', initializer: [init('w', w), init('b', bias)],
      input: [io('x', [2, 40, b.k]), io('skip', [2, 40, 36])], output: [io('y', [])],
      node: [
        ...(b.skipComputed ? [{ name: 'neg', opType: 'Neg', input: ['skip'], output: ['ns'] }] : []),
        { name: 'mm', opType: 'MatMul', input: ['x', 'w'], output: ['m'] },
        { name: 'bias', opType: 'Add', input: ['m', 'b'], output: ['mb'] },
        { name: 'add', opType: 'Add', input: b.skipFirst ? [skip, 'mb'] : ['mb', skip], output: [b.reluSigmoid ? 's' : 'y'] },
        // The sigmoid keeps the MatMul's result in the arena, not a graph output.
        ...(b.reluSigmoid ? [{ name: 'relu', opType: 'Relu', input: ['s'], output: ['r'] }, { name: 'sigmoid', opType: 'Sigmoid', input: ['r'], output: ['y'] }] : []),
      ],
    },
  }).finish();
}

for (const [name, [sub, fuses]] of Object.entries<[Sublayer, boolean]>({
  'K = 48': [{ k: 48 }, true],
  'K = 2100, two GEMM depth blocks (partials kept in the output)': [{ k: 2100, skipFirst: true }, true],
  'a computed skip that dies at the MatMul, then a relu and a sigmoid': [{ k: 2100, skipComputed: true, reluSigmoid: true }, true],
  'a batched B (one GEMM per matrix)': [{ k: 48, batchedB: true }, false],
})) {
  test(`matmul + bias + skip, ${name}: ${fuses ? 'one step' : 'not fused'}, the same bits as the ops one by one`, async (t) => {
    const x = randomTensor([2, 40, sub.k], 5), skip = randomTensor([2, 40, 36], 6);
    const w = randomTensor(sub.batchedB ? [2, sub.k, 36] : [sub.k, 36], 7, -0.2, 0.2), bias = randomTensor([36], 8);
    const bytes = sublayerModel(w, bias, sub);
    const plan = planModel(optimizeModel(loadModel(bytes)), [x, skip]);
    const mm = plan.steps.find((s) => s.op === 'matmul')!;
    t.is(plan.steps.some((s) => s.op === 'binary'), !fuses);
    t.is(mm.inputs.length === 4, fuses);
    if (sub.reluSigmoid) {
      t.is(mm.params.activation, 'relu');
      const [output, residual] = [plan.values[mm.outputs[0]], plan.values[mm.inputs[3]]];
      t.true(output.kind === 'arena' && residual.kind === 'arena' && output.slot !== residual.slot, 'the output keeps its own buffer');
    }

    const session = await Session.create(bytes);
    const y = (await session.run({ x, skip })).y as Tensor<'float32'>;
    const addend = sub.skipComputed ? await ops.unary('neg', skip) : skip;
    const product = await ops.binary('add', await ops.matmul(x, w), bias);
    const sum = await ops.binary('add', sub.skipFirst ? addend : product, sub.skipFirst ? product : addend);
    const want = sub.reluSigmoid ? await ops.unary('sigmoid', await ops.unary('relu', sum)) : sum;
    t.deepEqual(y.shape, want.shape);
    t.true(bytesEqual(y.data, want.data));
  });
}
