import test from 'ava';
import { ops, tensor } from '../lib';
import { randomTensor } from './helpers';

function close(a: number, b: number, rel: number, abs = 1e-6): boolean {
  return Math.abs(a - b) <= abs + rel * Math.abs(b);
}

// Reference: reduce over `axes` of a row-major tensor in float64.
function refReduce(x: Float32Array, shape: number[], axes: number[], f: (v: number[]) => number): Float64Array {
  const keep = shape.map((_, d) => !axes.includes(d));
  const outShape = shape.map((s, d) => (keep[d] ? s : 1));
  const groups = new Map<number, number[]>();
  const idx = new Array(shape.length).fill(0);
  for (let i = 0; i < x.length; i++) {
    let o = 0;
    for (let d = 0; d < shape.length; d++) o = o * outShape[d] + (keep[d] ? idx[d] : 0);
    (groups.get(o) ?? groups.set(o, []).get(o)!).push(x[i]);
    for (let d = shape.length - 1; d >= 0 && ++idx[d] === shape[d]; d--) idx[d] = 0;
  }
  const out = new Float64Array(outShape.reduce((a, b) => a * b, 1));
  for (let o = 0; o < out.length; o++) out[o] = f(groups.get(o) ?? []);
  return out;
}

const reducers = {
  sum: (v: number[]) => v.reduce((a, b) => a + b, 0),
  mean: (v: number[]) => v.reduce((a, b) => a + b, 0) / v.length,
  max: (v: number[]) => Math.max(...v),
  min: (v: number[]) => Math.min(...v),
  prod: (v: number[]) => v.reduce((a, b) => a * b, 1),
  l2: (v: number[]) => Math.sqrt(v.reduce((a, b) => a + b * b, 0)),
};

test('reduce over any axes matches float64 (relative 1e-5 on sums of n terms)', async (t) => {
  const shape = [3, 17, 5, 33];
  const x = randomTensor(shape, 1, 0.5, 1.5);
  for (const axes of [[3], [1], [0, 2], [1, 3], [0, 1, 2, 3], [2]])
    for (const op of Object.keys(reducers) as (keyof typeof reducers)[]) {
      const y = await ops.reduce(op, x, { axes, keepdims: true });
      const want = refReduce(x.data, shape, axes, reducers[op]);
      t.is(y.data.length, want.length);
      const bad = [...y.data].findIndex((v, i) => !close(v, want[i], 2e-5));
      t.is(bad, -1, `${op} over ${axes}: index ${bad} got ${y.data[bad]} want ${want[bad]}`);
    }
  t.deepEqual((await ops.reduce('sum', x, { axes: [1, 3], keepdims: false })).shape, [3, 5]);
});

test('reduce: empty rows give the identity; NaN propagates through max', async (t) => {
  const empty = tensor('float32', [2, 0]);
  t.deepEqual([...(await ops.reduce('sum', empty, { axes: [1] })).data], [0, 0]);
  t.deepEqual([...(await ops.reduce('max', empty, { axes: [1] })).data], [-Infinity, -Infinity]);
  const withNan = tensor('float32', [1, 40], new Array(40).fill(1).map((v, i) => (i === 37 ? NaN : v)));
  t.true(Number.isNaN((await ops.reduce('max', withNan, { axes: [1] })).data[0]));
});

test('softmax and logSoftmax on every axis', async (t) => {
  const shape = [4, 7, 19];
  const x = randomTensor(shape, 2, -20, 20);
  for (const axis of [0, 1, 2, -1])
    for (const log of [false, true]) {
      const y = await ops.softmax(x, { axis, log });
      const ax = (axis + 3) % 3;
      const st = [shape[1] * shape[2], shape[2], 1];
      for (let i = 0; i < x.data.length; i++) {
        const coords = [Math.floor(i / st[0]), Math.floor(i / st[1]) % shape[1], i % shape[2]];
        const base = i - coords[ax] * st[ax];
        let max = -Infinity;
        for (let j = 0; j < shape[ax]; j++) max = Math.max(max, x.data[base + j * st[ax]]);
        let sum = 0;
        for (let j = 0; j < shape[ax]; j++) sum += Math.exp(x.data[base + j * st[ax]] - max);
        const want = log ? x.data[i] - max - Math.log(sum) : Math.exp(x.data[i] - max) / sum;
        if (!close(y.data[i], want, 1e-5, 1e-6)) return t.fail(`axis ${axis} log ${log} at ${i}: ${y.data[i]} vs ${want}`);
      }
    }
  t.pass();
});

test('softmax shifts by the max of every element of a row, at any length and position; a NaN spreads', async (t) => {
  // One element at 100 among values near 0: a max that missed it would overflow exp to Inf.
  for (const len of [1, 3, 15, 16, 17, 31, 63, 64, 65, 79, 127, 128, 300]) {
    for (let at = 0; at < len; at++) {
      const x = randomTensor([1, len], len + at, -1, 1);
      x.data[at] = 100;
      const y = await ops.softmax(x);
      let sum = 0;
      for (const v of x.data) sum += Math.exp(v - 100);
      const bad = [...y.data].findIndex((v, i) => !close(v, Math.exp(x.data[i] - 100) / sum, 1e-5, 1e-6));
      t.is(bad, -1, `length ${len}, max at ${at}: element ${bad} is ${y.data[bad]}`);
    }
    for (const at of new Set([0, len >> 1, len - 1])) {
      const nan = randomTensor([1, len], len);
      nan.data[at] = NaN;
      t.true((await ops.softmax(nan)).data.every(Number.isNaN), `length ${len} with a NaN at ${at}`);
    }
    // A zero max, present as -0 and +0: every zero shifts to exp(0) = 1, log softmax to -log(sum).
    const zeros = randomTensor([1, len], 2 * len, -3, -1);
    zeros.data[0] = -0;
    zeros.data[len - 1] = 0;
    let sum = 0;
    for (const v of zeros.data) sum += Math.exp(v);
    const [y, logY] = [await ops.softmax(zeros), await ops.softmax(zeros, { log: true })];
    t.true([...y.data].every((v, i) => close(v, Math.exp(zeros.data[i]) / sum, 1e-5, 1e-6)), `length ${len} with a zero max`);
    t.true([...logY.data].every((v, i) => close(v, zeros.data[i] - Math.log(sum), 1e-5, 1e-6)), `length ${len} with a zero max, log form`);
  }
});

test('layerNorm and batchNorm match float64', async (t) => {
  const x = randomTensor([6, 10, 48], 3, -3, 5), gamma = randomTensor([48], 4), beta = randomTensor([48], 5);
  const y = await ops.layerNorm(x, gamma, beta, { axis: -1, epsilon: 1e-5 });
  for (let r = 0; r < 60; r++) {
    const row = [...x.data.subarray(r * 48, r * 48 + 48)];
    const mean = row.reduce((a, b) => a + b) / 48;
    const v = row.reduce((a, b) => a + (b - mean) ** 2, 0) / 48;
    for (let j = 0; j < 48; j++) {
      const want = ((row[j] - mean) / Math.sqrt(v + 1e-5)) * gamma.data[j] + beta.data[j];
      if (!close(y.data[r * 48 + j], want, 1e-5, 2e-6)) return t.fail(`row ${r} col ${j}`);
    }
  }
  const xb = randomTensor([2, 3, 5, 5], 6);
  const [s, b, m, va] = [randomTensor([3], 7), randomTensor([3], 8), randomTensor([3], 9), randomTensor([3], 10, 0.5, 2)];
  const yb = await ops.batchNorm(xb, s, b, m, va, { epsilon: 1e-3 });
  for (let i = 0; i < xb.data.length; i++) {
    const c = Math.floor(i / 25) % 3;
    const want = ((xb.data[i] - m.data[c]) / Math.sqrt(va.data[c] + 1e-3)) * s.data[c] + b.data[c];
    if (!close(yb.data[i], want, 1e-5, 1e-6)) return t.fail(`batchNorm at ${i}`);
  }
  t.pass();
});
