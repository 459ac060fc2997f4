// A Conv whose weights are an initializer runs on weights packed once at plan time; it must give the
// same bits as ops.conv2d, which packs them per call (and which conv.test.ts checks against float64).
import test from 'ava';
import { onnx } from 'onnx-proto';
import { ops, Session, type Tensor } from '../lib';
import { bytesEqual, randomTensor } from './helpers';
import { io } from './models';

interface Case { n: number; c: number; m: number; group: number; hw: [number, number]; k: number; stride: number; pad: number }

const CASES: Record<string, Case> = {
  'one output channel (the small-M tile)': { n: 2, c: 3, m: 1, group: 1, hw: [5, 7], k: 3, stride: 1, pad: 1 },
  'two output channels': { n: 2, c: 4, m: 2, group: 1, hw: [6, 6], k: 3, stride: 2, pad: 0 },
  'rows not a multiple of the micro-tile': { n: 2, c: 7, m: 29, group: 1, hw: [9, 11], k: 3, stride: 1, pad: 1 },
  depthwise: { n: 2, c: 6, m: 6, group: 6, hw: [8, 8], k: 3, stride: 1, pad: 1 },
  'two groups': { n: 1, c: 8, m: 26, group: 2, hw: [7, 5], k: 1, stride: 1, pad: 0 },
  'K over one k block (2070)': { n: 2, c: 230, m: 13, group: 1, hw: [6, 6], k: 3, stride: 1, pad: 1 },
  'pixels as GEMM rows (weights packed as B)': { n: 2, c: 64, m: 64, group: 1, hw: [3, 3], k: 3, stride: 1, pad: 1 },
  'pixels as GEMM rows, two groups': { n: 3, c: 64, m: 64, group: 2, hw: [6, 6], k: 3, stride: 2, pad: 1 },
  'a 7x7 map (its 49th pixel by the GEMM tail tile)': { n: 2, c: 64, m: 64, group: 1, hw: [7, 7], k: 3, stride: 1, pad: 1 },
};

function convModel(w: Tensor<'float32'>, bias: Tensor<'float32'>, p: Case): Uint8Array {
  const init = (name: string, t: Tensor<'float32'>) => ({ name, dataType: 1, dims: t.shape, floatData: Array.from(t.data) });
  const ints = (name: string, v: number[]) => ({ name, type: onnx.AttributeProto.AttributeType.INTS, ints: v });
  return onnx.ModelProto.encode({
    irVersion: 8, opsetImport: [{ version: 13 }],
    graph: {
      name: 'conv', initializer: [init('w', w), init('b', bias)],
      input: [io('x', [p.n, p.c, ...p.hw])], output: [io('y', [])],
      node: [{
        name: 'conv', opType: 'Conv', input: ['x', 'w', 'b'], output: ['y'],
        attribute: [ints('kernel_shape', [p.k, p.k]), ints('strides', [p.stride, p.stride]), ints('pads', [p.pad, p.pad, p.pad, p.pad]),
          { name: 'group', type: onnx.AttributeProto.AttributeType.INT, i: p.group }],
      }],
    },
  }).finish();
}

for (const [name, p] of Object.entries(CASES)) {
  test(`plan-time packed conv weights equal per-call packing: ${name}`, async (t) => {
    const x = randomTensor([p.n, p.c, ...p.hw], 1), w = randomTensor([p.m, p.c / p.group, p.k, p.k], 2), bias = randomTensor([p.m], 3);
    const session = await Session.create(convModel(w, bias, p));
    const planned = (await session.run({ x })).y as Tensor<'float32'>;
    const direct = await ops.conv2d(x, w, bias, { kernelShape: [p.k, p.k], strides: [p.stride, p.stride], pads: [p.pad, p.pad, p.pad, p.pad], group: p.group });
    t.deepEqual(planned.shape, direct.shape);
    t.true(bytesEqual(planned.data, direct.data));
  });
}
