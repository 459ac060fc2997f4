// The seeded models the benches run: an MLP and a small CNN, built as ONNX graphs with a batch dim N.
import { onnx } from 'onnx-proto';
import { tensor, type Tensor } from '../lib';

export function seeded(shape: number[], seed: number, scale: number): Tensor<'float32'> {
  const t = tensor('float32', shape);
  let s = seed;
  for (let i = 0; i < t.data.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    t.data[i] = (s / 2 ** 32 - 0.5) * 2 * scale;
  }
  return t;
}

const ints = (name: string, values: number[]): onnx.IAttributeProto => ({ name, type: onnx.AttributeProto.AttributeType.INTS, ints: values });
const io = (name: string, dims: (number | string)[]): onnx.IValueInfoProto => ({
  name, type: { tensorType: { elemType: 1, shape: { dim: dims.map((d) => (typeof d === 'number' ? { dimValue: d } : { dimParam: d })) } } },
});

function build(name: string, weights: Record<string, Tensor<'float32'>>, input: onnx.IValueInfoProto, output: onnx.IValueInfoProto, node: onnx.INodeProto[]): Uint8Array {
  const initializer = Object.entries(weights).map(([n, t]) => ({ name: n, dataType: 1, dims: t.shape, rawData: new Uint8Array(t.data.buffer) }));
  return onnx.ModelProto.encode({ irVersion: 8, opsetImport: [{ domain: '', version: 13 }], graph: { name, initializer, input: [input], output: [output], node } }).finish();
}

// 784 → 1024 → 1024 → 10 with ReLU and Softmax (the MLP of the runtime issue's bench list).
export const MLP = build('mlp', {
  w1: seeded([784, 1024], 1, 0.05), b1: seeded([1024], 2, 0.1), w2: seeded([1024, 1024], 3, 0.05), b2: seeded([1024], 4, 0.1),
  w3: seeded([1024, 10], 5, 0.05), b3: seeded([10], 6, 0.1),
}, io('x', ['N', 784]), io('y', ['N', 10]), [
  { opType: 'Gemm', input: ['x', 'w1', 'b1'], output: ['h1'] }, { opType: 'Relu', input: ['h1'], output: ['a1'] },
  { opType: 'Gemm', input: ['a1', 'w2', 'b2'], output: ['h2'] }, { opType: 'Relu', input: ['h2'], output: ['a2'] },
  { opType: 'Gemm', input: ['a2', 'w3', 'b3'], output: ['h3'] }, { opType: 'Softmax', input: ['h3'], output: ['y'] },
]);

// [N, 3, 32, 32] → conv 32 → relu → pool → conv 64 → relu → pool → GAP → flatten → FC 10.
export const CNN = build('cnn', {
  c1: seeded([32, 3, 3, 3], 11, 0.2), c1b: seeded([32], 12, 0.1), c2: seeded([64, 32, 3, 3], 13, 0.05), c2b: seeded([64], 14, 0.1),
  fw: seeded([64, 10], 15, 0.1), fb: seeded([10], 16, 0.1),
}, io('x', ['N', 3, 32, 32]), io('y', ['N', 10]), [
  { opType: 'Conv', input: ['x', 'c1', 'c1b'], output: ['v1'], attribute: [ints('pads', [1, 1, 1, 1])] },
  { opType: 'Relu', input: ['v1'], output: ['r1'] },
  { opType: 'MaxPool', input: ['r1'], output: ['p1'], attribute: [ints('kernel_shape', [2, 2]), ints('strides', [2, 2])] },
  { opType: 'Conv', input: ['p1', 'c2', 'c2b'], output: ['v2'], attribute: [ints('pads', [1, 1, 1, 1])] },
  { opType: 'Relu', input: ['v2'], output: ['r2'] },
  { opType: 'MaxPool', input: ['r2'], output: ['p2'], attribute: [ints('kernel_shape', [2, 2]), ints('strides', [2, 2])] },
  { opType: 'GlobalAveragePool', input: ['p2'], output: ['g'] },
  { opType: 'Flatten', input: ['g'], output: ['f'] },
  { opType: 'Gemm', input: ['f', 'fw', 'fb'], output: ['y'] },
]);
