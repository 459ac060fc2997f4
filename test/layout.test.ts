import test from 'ava';
import { ops, tensor } from '../lib';

const iota = (n: number) => Array.from({ length: n }, (_, i) => i);

test('transpose applies any permutation, for every element size', async (t) => {
  const shape = [2, 3, 4, 5];
  for (const dtype of ['float32', 'int64', 'uint8', 'float16'] as const) {
    const x = tensor(dtype, shape, dtype === 'int64' ? iota(120).map(BigInt) : iota(120));
    const y = await ops.transpose(x, { perm: [2, 0, 3, 1] });
    t.deepEqual(y.shape, [4, 2, 5, 3]);
    for (let a = 0; a < 4; a++)
      for (let b = 0; b < 2; b++)
        for (let c = 0; c < 5; c++)
          for (let d = 0; d < 3; d++) {
            const got = Number(y.data[((a * 2 + b) * 5 + c) * 3 + d]);
            if (got !== ((b * 3 + d) * 4 + a) * 5 + c) return t.fail(`${dtype} at ${a},${b},${c},${d}`);
          }
  }
  t.deepEqual((await ops.transpose(tensor('float32', [2, 3], iota(6)))).data, new Float32Array([0, 3, 1, 4, 2, 5]));
});

// Output element at multi-index o of transpose(x, perm) is x at the index i with i[perm[d]] = o[d].
function transposeReference(values: number[], shape: number[], perm: number[]): number[] {
  const out = perm.map((p) => shape[p]);
  const strides = shape.map((_, d) => shape.slice(d + 1).reduce((a, b) => a * b, 1));
  return Array.from({ length: values.length }, (_, flat) => {
    let rem = flat, src = 0;
    for (let d = out.length - 1; d >= 0; d--) {
      src += (rem % out[d]) * strides[perm[d]];
      rem = Math.floor(rem / out[d]);
    }
    return values[src];
  });
}

test('transpose past one tile: ragged edges, every element size, the contiguous axis at any place', async (t) => {
  const cases: [number[], number[]][] = [
    [[1, 37, 12, 19], [0, 2, 3, 1]],  // BERT's K^T: the input's last axis lands in the middle
    [[33, 17], [1, 0]],
    [[3, 18, 35], [2, 0, 1]],  // ... first
    [[2, 20, 3, 17], [1, 3, 0, 2]],
    [[16, 16], [1, 0]],
  ];
  for (const [shape, perm] of cases) {
    const n = shape.reduce((a, b) => a * b, 1);
    for (const dtype of ['float32', 'int64', 'uint8', 'float16'] as const) {
      // Distinct values where the type holds them (float16 is exact up to 2048), so any misplaced element shows.
      const values = iota(n).map((i) => (dtype === 'uint8' ? i % 251 : dtype === 'float16' ? i % 2039 : i));
      const x = tensor(dtype, shape, dtype === 'int64' ? values.map(BigInt) : values);
      const y = await ops.transpose(x, { perm });
      t.deepEqual(y.shape, perm.map((p) => shape[p]), `${dtype} ${shape} ${perm}`);
      t.deepEqual([...y.data].map(Number), transposeReference(values, shape, perm), `${dtype} ${shape} ${perm}`);
    }
  }
});

test('slice with negative indices, steps and clamping', async (t) => {
  const x = tensor('float32', [4, 6], iota(24));
  const y = await ops.slice(x, { starts: [1, -1], ends: [1000, -7], axes: [0, 1], steps: [2, -2] });
  t.deepEqual(y.shape, [2, 3]);
  t.deepEqual([...y.data], [11, 9, 7, 23, 21, 19]);
  t.deepEqual((await ops.slice(x, { starts: [3], ends: [1], axes: [1] })).shape, [4, 0]);
});

test('concat along any axis and gather with negative indices', async (t) => {
  const a = tensor('int32', [2, 2], [1, 2, 3, 4]), b = tensor('int32', [2, 1], [5, 6]);
  t.deepEqual([...(await ops.concat([a, b], { axis: 1 })).data], [1, 2, 5, 3, 4, 6]);
  t.deepEqual([...(await ops.concat([a, a], { axis: 0 })).data], [1, 2, 3, 4, 1, 2, 3, 4]);
  const data = tensor('float32', [3, 2], [1, 2, 3, 4, 5, 6]);
  const g = await ops.gather(data, tensor('int64', [2, 2], [2n, -3n, 1n, 1n]), { axis: 0 });
  t.deepEqual(g.shape, [2, 2, 2]);
  t.deepEqual([...g.data], [5, 6, 1, 2, 3, 4, 3, 4]);
  t.deepEqual([...(await ops.gather(data, tensor('int64', [1], [-1n]), { axis: 1 })).data], [2, 4, 6]);
});

test('cast between all dtypes with defined rounding and saturation', async (t) => {
  const f = tensor('float32', [8], [1.5, -2.7, NaN, 1e10, -1e10, 65520, 1 + 2 ** -11, 300]);
  t.deepEqual([...(await ops.cast(f, 'int32')).data], [1, -2, 0, 2147483647, -2147483648, 65520, 1, 300]);
  t.deepEqual([...(await ops.cast(f, 'int8')).data], [1, -2, 0, 127, -128, 127, 1, 127]);
  t.deepEqual([...(await ops.cast(f, 'uint8')).data], [1, 0, 0, 255, 0, 255, 1, 255]);
  t.deepEqual([...(await ops.cast(f, 'bool')).data], [1, 1, 1, 1, 1, 1, 1, 1]);
  const h = await ops.cast(f, 'float16');
  t.deepEqual([...h.data], [0x3e00, 0xc166, 0x7e00, 0x7c00, 0xfc00, 0x7c00, 0x3c00, 0x5cb0]);
  const back = await ops.cast(h, 'float32');
  t.deepEqual([...back.data].map((v) => (Number.isNaN(v) ? 'NaN' : v)), [1.5, -2.69921875, 'NaN', Infinity, -Infinity, Infinity, 1, 300]);
  const bf = await ops.cast(tensor('float32', [3], [1 + 2 ** -8, 1 + 3 * 2 ** -8, -0]), 'bfloat16');
  t.deepEqual([...bf.data], [0x3f80, 0x3f82, 0x8000]);
  const sub = await ops.cast(tensor('float32', [2], [2 ** -24, 2 ** -25 * 3]), 'float16');
  t.deepEqual([...sub.data], [1, 2]);
  const big = await ops.cast(tensor('int64', [2], [2n ** 40n + 1n, -5n]), 'int32');
  t.deepEqual([...big.data], [1, -5]);
  t.deepEqual([...(await ops.cast(tensor('int64', [1], [16777217n]), 'float32')).data], [16777216]);
});
