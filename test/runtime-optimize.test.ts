// The graph optimizer's rewrites fire on the patterns exporters write, leave shared values alone, and
// change results only by float32 rounding.
import test from 'ava';
import { onnx } from 'onnx-proto';
import { Session, type Tensor } from '../lib';
import { loadModel } from '../lib/onnx';
import { optimizeModel } from '../lib/runtime/optimize';
import { randomTensor } from './helpers';
import { CNN, ENCODER, MLP, REFERENCE_MODELS, io } from './models';

const opTypes = (bytes: Uint8Array) => optimizeModel(loadModel(bytes)).nodes.map((n) => n.opType + (n.attributes.some((a) => a.name === 'verinfer.activation') ? '+act' : ''));

test('the reference models lose their written-out patterns to fused ops', (t) => {
  t.deepEqual(opTypes(MLP), ['Gemm+act', 'MatMul', 'Softmax']);
  t.deepEqual(opTypes(CNN), ['Conv+act', 'MaxPool', 'Conv', 'GlobalAveragePool', 'Flatten', 'Gemm']);
  const encoder = opTypes(ENCODER);
  t.is(encoder.filter((o) => o === 'LayerNormalization').length, 2);
  // The written-out GELU becomes one Gelu, which then joins the feed-forward MatMul's epilogue.
  t.false(encoder.includes('Gelu'));
  const activations = optimizeModel(loadModel(ENCODER)).nodes.flatMap((n) => n.attributes.filter((a) => a.name === 'verinfer.activation'));
  t.deepEqual(activations.map((a) => new TextDecoder().decode(a.s!)), ['gelu']);
  t.false(encoder.includes('Erf') || encoder.includes('ReduceMean') || encoder.includes('Sqrt'));
});

test('optimized and as-written graphs agree within float32 rounding', async (t) => {
  for (const [name, model] of Object.entries(REFERENCE_MODELS)) {
    const x = randomTensor([3, ...model.sample], 11);
    const run = async (optimize: boolean) => Object.values(await (await Session.create(model.bytes, { optimize })).run({ [model.input]: x }))[0] as Tensor<'float32'>;
    const [fused, plain] = [await run(true), await run(false)];
    let worst = 0;
    fused.data.forEach((v, i) => (worst = Math.max(worst, Math.abs(v - plain.data[i]) / (1e-6 + 1e-5 * Math.abs(plain.data[i])))));
    t.true(worst <= 1, `${name}: ${(100 * worst).toFixed(1)}% of the tolerance`);
  }
});

test('a value something else also reads is not swallowed by a fusion', (t) => {
  // Conv → Relu, but the conv output is a graph output too: the Relu must stay.
  const graph = onnx.ModelProto.encode({
    irVersion: 8, opsetImport: [{ version: 13 }],
    graph: {
      name: 'shared',
      initializer: [{ name: 'w', dataType: 1, dims: [2, 1, 1, 1], floatData: [1, -1] }],
      input: [io('x', [1, 1, 2, 2])], output: [io('c', [1, 2, 2, 2]), io('r', [1, 2, 2, 2])],
      node: [{ name: 'conv', opType: 'Conv', input: ['x', 'w'], output: ['c'] }, { name: 'relu', opType: 'Relu', input: ['c'], output: ['r'] }],
    },
  }).finish();
  t.deepEqual(opTypes(graph), ['Conv', 'Relu']);
});
