// The seeded models the benches run, built as ONNX graphs with a batch dim N: an MLP, a small CNN and a
// ResNet-50-shaped network.
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

/**
 * ResNet-50's shape at 224×224: a 7×7/2 stem, max pool, bottleneck stages of 3, 4, 6 and 3 blocks
 * (1×1, 3×3, 1×1 with BatchNorm and ReLU, projection shortcuts where the shape changes), global average
 * pool and a 1000-way Gemm. Seeded weights: the timing, not the accuracy, is what is measured.
 */
export function resnet50(): Uint8Array {
  const weights: Record<string, Tensor<'float32'>> = {};
  const node: onnx.INodeProto[] = [];
  let seed = 100;
  const conv = (x: string, name: string, cin: number, cout: number, k: number, stride: number, relu: boolean) => {
    weights[`${name}.w`] = seeded([cout, cin, k, k], seed++, Math.sqrt(2 / (cin * k * k)));
    for (const [p, v] of [['scale', 1], ['bias', 0.05], ['mean', 0.05], ['var', 1]] as const) {
      weights[`${name}.${p}`] = seeded([cout], seed++, 0.1);
      if (p === 'scale' || p === 'var') weights[`${name}.${p}`].data.forEach((_, i, a) => (a[i] = v + a[i]));
    }
    const pad = (k - 1) / 2;
    node.push({ opType: 'Conv', input: [x, `${name}.w`], output: [`${name}.c`], attribute: [ints('kernel_shape', [k, k]), ints('strides', [stride, stride]), ints('pads', [pad, pad, pad, pad])] });
    node.push({ opType: 'BatchNormalization', input: [`${name}.c`, `${name}.scale`, `${name}.bias`, `${name}.mean`, `${name}.var`], output: [`${name}.bn`] });
    if (!relu) return `${name}.bn`;
    node.push({ opType: 'Relu', input: [`${name}.bn`], output: [`${name}.r`] });
    return `${name}.r`;
  };
  let x = conv('x', 'stem', 3, 64, 7, 2, true);
  node.push({ opType: 'MaxPool', input: [x], output: ['pool'], attribute: [ints('kernel_shape', [3, 3]), ints('strides', [2, 2]), ints('pads', [1, 1, 1, 1])] });
  x = 'pool';
  let cin = 64;
  [[3, 64], [4, 128], [6, 256], [3, 512]].forEach(([blocks, width], stage) => {
    for (let b = 0; b < blocks; b++) {
      const name = `s${stage}b${b}`, stride = b === 0 && stage > 0 ? 2 : 1, cout = width * 4;
      const y = conv(conv(conv(x, `${name}.a`, cin, width, 1, 1, true), `${name}.b`, width, width, 3, stride, true), `${name}.c`, width, cout, 1, 1, false);
      const shortcut = b === 0 ? conv(x, `${name}.proj`, cin, cout, 1, stride, false) : x;
      node.push({ opType: 'Add', input: [y, shortcut], output: [`${name}.sum`] }, { opType: 'Relu', input: [`${name}.sum`], output: [`${name}.out`] });
      x = `${name}.out`;
      cin = cout;
    }
  });
  weights['fc.w'] = seeded([1000, 2048], seed++, 0.02);
  weights['fc.b'] = seeded([1000], seed++, 0.01);
  node.push({ opType: 'GlobalAveragePool', input: [x], output: ['gap'] }, { opType: 'Flatten', input: ['gap'], output: ['flat'] });
  node.push({ opType: 'Gemm', input: ['flat', 'fc.w', 'fc.b'], output: ['y'], attribute: [{ name: 'transB', type: onnx.AttributeProto.AttributeType.INT, i: 1 }] });
  return build('resnet50', weights, io('x', ['N', 3, 224, 224]), io('y', ['N', 1000]), node);
}
