// Seeded reference models written as ONNX graphs, shared by the runtime tests, the determinism probe
// and the onnxruntime-node comparison.
import { onnx } from 'onnx-proto';
import type { Tensor } from '../lib';
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

export const REFERENCE_MODELS = { mlp: { bytes: MLP, input: 'x', sample: [16] }, cnn: { bytes: CNN, input: 'image', sample: [3, 16, 16] } };
