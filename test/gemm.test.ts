import test from 'ava';
import { ops, tensor, type MatmulOptions, type Tensor } from '../lib';
import { assertGemmClose, bytesEqual, randomTensor, refGemm } from './helpers';

const sizes = [0, 1, 2, 7, 13, 16, 17, 31, 32, 33, 64, 97];

test('matmul matches the float64 reference over edge shapes', async (t) => {
  let seed = 1;
  for (const m of [0, 1, 2, 3, 11, 12, 13, 25, 150])
    for (const n of [0, 1, 15, 16, 17, 33, 129, 300])
      for (const k of [0, 1, 5, 17, 64, 257]) {
        const a = randomTensor([m, k], seed++), b = randomTensor([k, n], seed++);
        const y = await ops.matmul(a, b);
        t.deepEqual(y.shape, [m, n]);
        const ref = refGemm(a.data, b.data, m, n, k);
        assertGemmClose(t, y.data, ref.y, ref.bound, k, `${m}x${k}x${n}`);
      }
});

test('large K stays within the fma-chain bound', async (t) => {
  const m = 5, n = 37, k = 5000;
  const a = randomTensor([m, k], 7), b = randomTensor([k, n], 8);
  const ref = refGemm(a.data, b.data, m, n, k);
  assertGemmClose(t, (await ops.matmul(a, b)).data, ref.y, ref.bound, k, 'K=5000');
  const big = randomTensor([40, k], 9);
  const refBig = refGemm(big.data, b.data, 40, n, k);
  assertGemmClose(t, (await ops.matmul(big, b)).data, refBig.y, refBig.bound, k, 'M=40 K=5000');
  // K spans several k blocks: the bias and activation apply once, after the last one.
  const bias = randomTensor([n], 10);
  const fused = await ops.matmul(big, b, bias, { activation: 'sigmoid' });
  const separate = await ops.unary('sigmoid', await ops.binary('add', await ops.matmul(big, b), bias));
  t.true(bytesEqual(fused.data, separate.data), 'fused epilogue with K=5000');
});

test('transposes, alpha, beta and every C broadcast form', async (t) => {
  const m = 19, n = 45, k = 23;
  const at = randomTensor([k, m], 11), bt = randomTensor([n, k], 12);
  for (const [cShape, cAt] of [
    [[n], (i: number, j: number) => j],
    [[1, n], (i: number, j: number) => j],
    [[m, 1], (i: number) => i],
    [[m, n], (i: number, j: number) => i * n + j],
    [[], () => 0],
  ] as const) {
    const c = randomTensor([...cShape], 13);
    const y = await ops.matmul(at, bt, c, { transA: true, transB: true, alpha: 0.5, beta: -2 });
    const ref = refGemm(at.data, bt.data, m, n, k, { transA: true, transB: true, alpha: 0.5, beta: -2, c: (i, j) => c.data[cAt(i, j)] });
    assertGemmClose(t, y.data, ref.y, ref.bound.map((v, i) => v + 2 * Math.abs(ref.y[i])), k, `C ${JSON.stringify(cShape)}`);
  }
});

test('fused activation equals the separate ops bit for bit', async (t) => {
  const a = randomTensor([33, 70], 21), b = randomTensor([70, 50], 22), bias = randomTensor([50], 23);
  for (const act of ['relu', 'sigmoid', 'tanh', 'gelu', 'geluTanh', 'leakyRelu'] as const) {
    const fused = await ops.matmul(a, b, bias, { activation: act });
    const plain = await ops.binary('add', await ops.matmul(a, b), bias);
    const separate = await ops.unary(act, plain);
    t.true(bytesEqual(fused.data, separate.data), act);
  }
});

test('batched matmul broadcasts batch dims and packed B equals unpacked', async (t) => {
  const a = randomTensor([2, 3, 5, 9], 31), b = randomTensor([3, 9, 4], 32);
  const y = await ops.matmul(a, b);
  t.deepEqual(y.shape, [2, 3, 5, 4]);
  for (let p = 0; p < 2; p++)
    for (let q = 0; q < 3; q++) {
      const ref = refGemm(a.data.subarray((p * 3 + q) * 45, (p * 3 + q + 1) * 45), b.data.subarray(q * 36, (q + 1) * 36), 5, 4, 9);
      assertGemmClose(t, y.data.subarray((p * 3 + q) * 20, (p * 3 + q + 1) * 20), ref.y, ref.bound, 9, `batch ${p},${q}`);
    }
  const w = randomTensor([64, 300], 33), x = randomTensor([7, 64], 34);
  const packed = ops.packB(w);
  t.true(bytesEqual((await ops.matmul(x, packed)).data, (await ops.matmul(x, w)).data));
  t.true(bytesEqual(ops.matmul(x, packed, null, { sync: true }).data, (await ops.matmul(x, w)).data));
});

test('NaN and Inf propagate; an empty K gives exactly the epilogue', async (t) => {
  const a = tensor('float32', [2, 2], [NaN, 1, 1, 1]), b = tensor('float32', [2, 2], [1, 1, Infinity, 1]);
  const y = await ops.matmul(a, b);
  t.true(Number.isNaN(y.data[0]) && Number.isNaN(y.data[1]));
  t.is(y.data[2], Infinity);
  t.is(y.data[3], 2);
  const empty = await ops.matmul(tensor('float32', [2, 0]), tensor('float32', [0, 3]), tensor('float32', [3], [1, -0, 2]));
  t.deepEqual([...empty.data], [1, 0, 2, 1, 0, 2]);
  t.true(Object.is((await ops.matmul(tensor('float32', [1, 0]), tensor('float32', [0, 1]))).data[0], 0));
});

test('edge sizes sweep: ragged tiles on both sides', async (t) => {
  let seed = 100;
  for (const m of sizes) {
    const n = sizes[(m * 7) % sizes.length], k = sizes[(m * 3 + 1) % sizes.length];
    const a = randomTensor([m, k], seed++), b = randomTensor([k, n], seed++);
    const ref = refGemm(a.data, b.data, m, n, k);
    assertGemmClose(t, (await ops.matmul(a, b)).data, ref.y, ref.bound, k, `${m}x${k}x${n}`);
  }
});

test('columns past the last whole vector (the tail tile, lanes along M) give the bits of the same columns in a wider GEMM', async (t) => {
  // With N = n, a few columns past a multiple of the vector run on the tail tile; with N = 64 the same
  // columns run on the main tile. K = 2100 spans two GEMM depth blocks (partials resumed from Y).
  const wideN = 64;
  const firstColumns = (x: Tensor<'float32'>, rows: number, n: number) => {
    const y = tensor('float32', [rows, n]);
    for (let i = 0; i < rows; i++) y.data.set(x.data.subarray(i * wideN, i * wideN + n), i * n);
    return y;
  };
  let seed = 400;
  for (const m of [5, 13, 150])
    for (const k of [7, 300, 2100])
      for (const n of [1, 4, 9, 20, 25, 49]) {
        const a = randomTensor([m, k], seed++), wide = randomTensor([k, wideN], seed++), b = firstColumns(wide, k, n);
        const perRow = randomTensor([m, 1], seed++), perColumn = randomTensor([1, wideN], seed++), full = randomTensor([m, wideN], seed++);
        const epilogues: [Tensor<'float32'>, Tensor<'float32'>, MatmulOptions][] = [
          [perRow, perRow, { activation: 'relu' }],
          [firstColumns(perColumn, 1, n), perColumn, {}],
          [firstColumns(full, m, n), full, { alpha: 0.5, beta: -2, activation: 'sigmoid' }],
        ];
        for (const [index, [narrowC, wideC, options]] of epilogues.entries()) {
          const y = await ops.matmul(a, b, narrowC, options), yWide = await ops.matmul(a, wide, wideC, options);
          let same = true;
          for (let i = 0; i < m; i++) same &&= bytesEqual(y.data.subarray(i * n, (i + 1) * n), yWide.data.subarray(i * wideN, i * wideN + n));
          t.true(same, `${m}x${k}x${n}, epilogue ${index}`);
        }
      }
});
