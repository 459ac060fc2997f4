import test from 'ava';
import { ops, tensor } from '../lib';
import { rng } from './helpers';

function randomInts(n: number, lo: number, hi: number, seed: number): number[] {
  const r = rng(seed);
  return Array.from({ length: n }, () => lo + Math.floor(r() * (hi - lo + 1)));
}

test('u8 x s8 and s8 x s8 give exact int32 sums over edge shapes', async (t) => {
  let seed = 1;
  for (const [m, k, n] of [[1, 1, 1], [3, 5, 7], [13, 64, 33], [25, 131, 65], [2, 1000, 40], [0, 3, 4], [4, 0, 4]]) {
    const bv = randomInts(k * n, -128, 127, seed++);
    const b = tensor('int8', [k, n], bv);
    for (const signed of [false, true]) {
      const av = randomInts(m * k, signed ? -128 : 0, signed ? 127 : 255, seed++);
      const a = signed ? tensor('int8', [m, k], av) : tensor('uint8', [m, k], av);
      const y = await ops.matmulInt8(a, b);
      const packed = await ops.matmulInt8(a, ops.packInt8B(b));
      t.deepEqual(y.data, packed.data);
      for (let i = 0; i < m; i++)
        for (let j = 0; j < n; j++) {
          let s = 0;
          for (let p = 0; p < k; p++) s += av[i * k + p] * bv[p * n + j];
          if (y.data[i * n + j] !== s) return t.fail(`${signed ? 's8' : 'u8'} ${m}x${k}x${n} at ${i},${j}: ${y.data[i * n + j]} vs ${s}`);
        }
    }
  }
  t.pass();
});

test('requantize rounds half to even and saturates', async (t) => {
  const acc = tensor('int32', [1, 6], [5, 15, 25, -5, 10000, -10000]);
  const y = await ops.requantize(acc, tensor('float32', [1], [0.1]), { dtype: 'int8', zeroPoint: 0 });
  // 0.5 -> 0, 1.5 -> 2, 2.5 -> 2 (float(25) * 0.1f = 2.5000000372... -> 3? computed in fp32: 2.5 exactly)
  const want = [5, 15, 25, -5, 10000, -10000].map((v) => {
    const p = Math.fround(Math.fround(v) * Math.fround(0.1));
    const r = Math.abs(p % 1) === 0.5 ? 2 * Math.round(p / 2) : Math.round(p);
    return Math.max(-128, Math.min(127, r)) + 0; // int8 has no -0
  });
  t.deepEqual([...y.data], want);
  const u = await ops.requantize(acc, tensor('float32', [6], [1, 1, 1, 1, 0.01, 0.01]), { dtype: 'uint8', zeroPoint: 128 });
  t.deepEqual([...u.data], [133, 143, 153, 123, 228, 28]);
});
