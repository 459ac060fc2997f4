// Seeded reference models written as ONNX graphs, shared by the runtime tests, the determinism probe
// and the onnxruntime-node comparison.
import { onnx } from 'onnx-proto';
import { tensor, type Tensor } from '../lib';
import { randomTensor } from './helpers';

const init = (name: string, t: Tensor<'float32'>): onnx.ITensorProto => ({ name, dataType: 1, dims: t.shape, floatData: Array.from(t.data) });
export const io = (name: string, dims: (number | string)[]): onnx.IValueInfoProto => ({
  name, type: { tensorType: { elemType: 1, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
});

function model(graph: onnx.IGraphProto): Uint8Array {
  return onnx.ModelProto.encode({ irVersion: 8, producerName: 'verinfer-test', opsetImport: [{ domain: '', version: 13 }], graph }).finish();
}

/** x [N, 16] → Gemm → Relu → MatMul → Add → Softmax → probs [N, 4]. */
export const MLP_WEIGHTS = { W1: randomTensor([16, 32], 1), B1: randomTensor([32], 2), W2: randomTensor([32, 4], 3), B2: randomTensor([4], 4) };
export const MLP = model({
  name: 'mlp',
  initializer: Object.entries(MLP_WEIGHTS).map(([name, t]) => init(name, t)),
  input: [io('x', ['N', 16])],
  output: [io('probs', ['N', 4])],
  node: [
    { name: 'fc1', opType: 'Gemm', input: ['x', 'W1', 'B1'], output: ['h'] },
    { name: 'act', opType: 'Relu', input: ['h'], output: ['a'] },
    { name: 'fc2', opType: 'MatMul', input: ['a', 'W2'], output: ['z'] },
    { name: 'bias', opType: 'Add', input: ['z', 'B2'], output: ['logits'] },
    { name: 'out', opType: 'Softmax', input: ['logits'], output: ['probs'] },
  ],
});

/** image [N, 3, 16, 16] → Conv 3x3 → BatchNorm → Relu → MaxPool → Conv 3x3 → GlobalAveragePool → Flatten → Gemm → logits [N, 10]. */
export const CNN = model({
  name: 'cnn',
  initializer: [
    init('c1w', randomTensor([8, 3, 3, 3], 21, -0.5, 0.5)), init('c1b', randomTensor([8], 22)),
    init('bns', randomTensor([8], 23, 0.5, 1.5)), init('bnb', randomTensor([8], 24)), init('bnm', randomTensor([8], 25)), init('bnv', randomTensor([8], 26, 0.5, 2)),
    init('c2w', randomTensor([16, 8, 3, 3], 27, -0.3, 0.3)), init('c2b', randomTensor([16], 28)),
    init('fw', randomTensor([10, 16], 29)), init('fb', randomTensor([10], 30)),
  ],
  input: [io('image', ['N', 3, 16, 16])],
  output: [io('logits', ['N', 10])],
  node: [
    { name: 'conv1', opType: 'Conv', input: ['image', 'c1w', 'c1b'], output: ['c1'], attribute: [{ name: 'pads', type: 7, ints: [1, 1, 1, 1] }] },
    { name: 'bn', opType: 'BatchNormalization', input: ['c1', 'bns', 'bnb', 'bnm', 'bnv'], output: ['n1'] },
    { name: 'relu', opType: 'Relu', input: ['n1'], output: ['r1'] },
    { name: 'pool', opType: 'MaxPool', input: ['r1'], output: ['p1'], attribute: [{ name: 'kernel_shape', type: 7, ints: [2, 2] }, { name: 'strides', type: 7, ints: [2, 2] }] },
    { name: 'conv2', opType: 'Conv', input: ['p1', 'c2w', 'c2b'], output: ['c2'] },
    { name: 'gap', opType: 'GlobalAveragePool', input: ['c2'], output: ['g'] },
    { name: 'flat', opType: 'Flatten', input: ['g'], output: ['f'] },
    { name: 'fc', opType: 'Gemm', input: ['f', 'fw', 'fb'], output: ['logits'], attribute: [{ name: 'transB', type: 2, i: 1 }] },
  ],
});

/**
 * x [N, 16, 12, 12] → Conv 3x3 → Relu → Conv 3x3 → Add x → Relu → GlobalAveragePool → Flatten → Gemm →
 * logits [N, 10]: a ResNet basic block whose convs (16 channels, 36 tiles) run as Winograd, the second
 * with the skip and Relu fused.
 */
export const RESBLOCK = model({
  name: 'resblock',
  initializer: [
    init('aw', randomTensor([16, 16, 3, 3], 61, -0.25, 0.25)), init('ab', randomTensor([16], 62)),
    init('bw', randomTensor([16, 16, 3, 3], 63, -0.25, 0.25)), init('bb', randomTensor([16], 64)),
    init('fw', randomTensor([10, 16], 65)), init('fb', randomTensor([10], 66)),
  ],
  input: [io('x', ['N', 16, 12, 12])],
  output: [io('logits', ['N', 10])],
  node: [
    { name: 'conv_a', opType: 'Conv', input: ['x', 'aw', 'ab'], output: ['a'], attribute: [{ name: 'pads', type: 7, ints: [1, 1, 1, 1] }] },
    { name: 'relu_a', opType: 'Relu', input: ['a'], output: ['ar'] },
    { name: 'conv_b', opType: 'Conv', input: ['ar', 'bw', 'bb'], output: ['b'], attribute: [{ name: 'pads', type: 7, ints: [1, 1, 1, 1] }] },
    { name: 'skip', opType: 'Add', input: ['b', 'x'], output: ['s'] },
    { name: 'relu_b', opType: 'Relu', input: ['s'], output: ['sr'] },
    { name: 'gap', opType: 'GlobalAveragePool', input: ['sr'], output: ['g'] },
    { name: 'flat', opType: 'Flatten', input: ['g'], output: ['f'] },
    { name: 'fc', opType: 'Gemm', input: ['f', 'fw', 'fb'], output: ['logits'], attribute: [{ name: 'transB', type: 2, i: 1 }] },
  ],
});

export interface EncoderShape {
  hidden: number;
  heads: number;
  ff: number;
  seq: number;
}

/**
 * One BERT-style encoder layer as PyTorch exports it at opset 13: x [N, S, H] → multi-head
 * self-attention (MatMul, Reshape, Transpose, scaled scores, Softmax) → residual → LayerNorm written
 * out (ReduceMean, Sub, Pow, Sqrt, Div) → GELU as 0.5·x·(1 + erf(x/√2)) feed-forward → residual →
 * LayerNorm. Weights seeded from `seed`.
 */
export function encoderLayer({ hidden, heads, ff, seq }: EncoderShape, seed: number): Uint8Array {
  const head = hidden / heads;
  const weights: Record<string, Tensor<'float32'>> = {};
  const w = (name: string, shape: number[], scale: number) => {
    weights[name] = randomTensor(shape, seed + Object.keys(weights).length, -scale, scale);
    return name;
  };
  const scalar = (name: string, v: number) => {
    weights[name] = tensor('float32', [], [v]);
    return name;
  };
  const int64s = (name: string, values: number[]): onnx.ITensorProto => ({ name, dataType: 7, dims: [values.length], int64Data: values });
  const node: onnx.INodeProto[] = [];
  const op = (opType: string, input: string[], output: string, attribute: onnx.IAttributeProto[] = []) => {
    node.push({ name: output, opType, input, output: [output], attribute });
    return output;
  };
  const perm = (p: number[]): onnx.IAttributeProto[] => [{ name: 'perm', type: 7, ints: p }];
  const linear = (x: string, name: string, k: number, n: number) => op('Add', [op('MatMul', [x, w(`${name}.w`, [k, n], 1 / Math.sqrt(k))], `${name}.mm`), w(`${name}.b`, [n], 0.1)], name);
  const layerNorm = (x: string, name: string) => {
    const axes: onnx.IAttributeProto[] = [{ name: 'axes', type: 7, ints: [-1] }];
    const centred = op('Sub', [x, op('ReduceMean', [x], `${name}.mean`, axes)], `${name}.centred`);
    const variance = op('ReduceMean', [op('Pow', [centred, scalar(`${name}.two`, 2)], `${name}.sq`)], `${name}.var`, axes);
    const std = op('Sqrt', [op('Add', [variance, scalar(`${name}.eps`, 1e-12)], `${name}.veps`)], `${name}.std`);
    const normed = op('Div', [centred, std], `${name}.normed`);
    return op('Add', [op('Mul', [normed, w(`${name}.gamma`, [hidden], 1)], `${name}.scaled`), w(`${name}.beta`, [hidden], 0.1)], name);
  };
  const split = (x: string, name: string, p: number[]) => op('Transpose', [op('Reshape', [x, 'heads_shape'], `${name}.heads`)], `${name}.t`, perm(p));
  const q = split(linear('x', 'q', hidden, hidden), 'q', [0, 2, 1, 3]);
  const k = split(linear('x', 'k', hidden, hidden), 'k', [0, 2, 3, 1]);
  const v = split(linear('x', 'v', hidden, hidden), 'v', [0, 2, 1, 3]);
  const scores = op('Div', [op('MatMul', [q, k], 'scores.raw'), scalar('scale', Math.sqrt(head))], 'scores');
  const probs = op('Softmax', [scores], 'probs', [{ name: 'axis', type: 2, i: -1 }]);
  const context = op('Reshape', [op('Transpose', [op('MatMul', [probs, v], 'context.heads')], 'context.t', perm([0, 2, 1, 3])), 'merge_shape'], 'context');
  const attended = layerNorm(op('Add', ['x', linear(context, 'o', hidden, hidden)], 'residual1'), 'ln1');
  const up = linear(attended, 'up', hidden, ff);
  const erf = op('Erf', [op('Div', [up, scalar('sqrt2', Math.SQRT2)], 'up.scaled')], 'up.erf');
  const erfPlusOne = op('Add', [erf, scalar('one', 1)], 'up.erf1');
  const gelu = op('Mul', [op('Mul', [up, erfPlusOne], 'up.gelu2'), scalar('half', 0.5)], 'up.gelu');
  layerNorm(op('Add', [attended, linear(gelu, 'down', ff, hidden)], 'residual2'), 'y');
  return model({
    name: 'encoder',
    initializer: [...Object.entries(weights).map(([name, t]) => (t.shape.length === 0 ? { name, dataType: 1, dims: [], floatData: Array.from(t.data) } : init(name, t))),
      int64s('heads_shape', [0, 0, heads, head]), int64s('merge_shape', [0, 0, hidden])],
    input: [io('x', ['N', seq, hidden])],
    output: [io('y', ['N', seq, hidden])],
    node,
  });
}

export const ENCODER = encoderLayer({ hidden: 32, heads: 4, ff: 64, seq: 8 }, 50);

export const REFERENCE_MODELS = {
  mlp: { bytes: MLP, input: 'x', sample: [16] },
  cnn: { bytes: CNN, input: 'image', sample: [3, 16, 16] },
  resblock: { bytes: RESBLOCK, input: 'x', sample: [16, 12, 12] },
  encoder: { bytes: ENCODER, input: 'x', sample: [8, 32] },
};
