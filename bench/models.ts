// Whole-model latency: verinfer Session vs onnxruntime-node on the same seeded MLP and CNN, same thread
// count, batch 1 and 32, in one run.
import os from 'node:os';
import { onnx } from 'onnx-proto';
import { Session, setThreads, tensor, type Tensor } from '../lib';
import { loadOrt } from './peers';
import { fmt, medianSeconds } from './timing';

function seeded(shape: number[], seed: number, scale: number): Tensor<'float32'> {
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

// 784 → 512 → 512 → 10 with ReLU and Softmax.
const MLP = build('mlp', {
  w1: seeded([784, 512], 1, 0.05), b1: seeded([512], 2, 0.1), w2: seeded([512, 512], 3, 0.05), b2: seeded([512], 4, 0.1),
  w3: seeded([512, 10], 5, 0.05), b3: seeded([10], 6, 0.1),
}, io('x', ['N', 784]), io('y', ['N', 10]), [
  { opType: 'Gemm', input: ['x', 'w1', 'b1'], output: ['h1'] }, { opType: 'Relu', input: ['h1'], output: ['a1'] },
  { opType: 'Gemm', input: ['a1', 'w2', 'b2'], output: ['h2'] }, { opType: 'Relu', input: ['h2'], output: ['a2'] },
  { opType: 'Gemm', input: ['a2', 'w3', 'b3'], output: ['h3'] }, { opType: 'Softmax', input: ['h3'], output: ['y'] },
]);

// [N, 3, 32, 32] → conv 32 → relu → pool → conv 64 → relu → pool → GAP → flatten → FC 10.
const CNN = build('cnn', {
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

export async function benchModels(): Promise<void> {
  const ort = loadOrt();
  if (!ort) console.log('onnxruntime-node not installed: its column is empty');
  console.log('model  batch  thr   verinfer ms   ort ms   ort/verinfer (>1: verinfer faster)');
  for (const threads of [1, os.availableParallelism()]) {
    setThreads(threads);
    for (const [name, bytes, sample] of [['mlp', MLP, [784]], ['cnn', CNN, [3, 32, 32]]] as const) {
      const session = await Session.create(bytes);
      const peer = ort && (await ort.InferenceSession.create(bytes, { intraOpNumThreads: threads, interOpNumThreads: 1 }));
      for (const batch of [1, 32]) {
        const x = seeded([batch, ...sample], 99, 1);
        const ours = (await medianSeconds(() => session.run({ x }))) * 1e3;
        const theirs = peer ? (await medianSeconds(() => peer.run({ x: new ort.Tensor('float32', x.data, x.shape) }))) * 1e3 : NaN;
        console.log(`${name.padEnd(6)} ${String(batch).padStart(5)} ${String(threads).padStart(4)} ${fmt(ours, 3).padStart(13)} ${fmt(theirs, 3).padStart(8)} ${fmt(theirs / ours, 2).padStart(10)}`);
      }
      await peer?.release();
      session.release();
    }
  }
}
