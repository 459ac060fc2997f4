// int8 vs fp32 GEMM rate, memory-bound kernels vs copy bandwidth, and async call overhead.
import os from 'node:os';
import { ops, setThreads, tensor } from '../lib';
import { fmt, interleavedMedians, medianSeconds } from './timing';

export async function benchInt8(): Promise<void> {
  setThreads(os.availableParallelism());
  console.log('shape MxKxN        int8 GOP/s  fp32 GFLOP/s  ratio');
  for (const [m, k, n] of [[1024, 1024, 1024], [2048, 2048, 2048]]) {
    const a8 = tensor('uint8', [m, k], Array.from({ length: m * k }, (_, i) => (i * 31) % 256));
    const b8 = ops.packInt8B(tensor('int8', [k, n], Array.from({ length: k * n }, (_, i) => ((i * 17) % 256) - 128)));
    const af = tensor('float32', [m, k]), bf = ops.packB(tensor('float32', [k, n]));
    const [ops8, opsF] = (await interleavedMedians([() => ops.matmulInt8(a8, b8), () => ops.matmul(af, bf)])).map((s) => (2 * m * n * k) / s / 1e9);
    console.log(`${`${m}x${k}x${n}`.padEnd(18)} ${fmt(ops8).padStart(10)} ${fmt(opsF).padStart(13)} ${fmt(ops8 / opsF, 2).padStart(6)}`);
  }
}

export async function benchBandwidth(): Promise<void> {
  setThreads(os.availableParallelism());
  const n = 1 << 24; // 64 MiB per fp32 tensor: far beyond the caches
  const x = tensor('float32', [4096, n / 4096]);
  for (let i = 0; i < n; i++) x.data[i] = (i % 1000) / 500 - 1;
  // erf picks its polynomial lane by lane from |x|'s half-unit interval, so its cost should not depend
  // on the data: Gelu is also timed on inputs over [-4, 4), whose lanes span erf's intervals 0 to 5.
  const spread = tensor('float32', x.shape);
  for (let i = 0; i < n; i++) spread.data[i] = ((i * 7919) % 1000) / 125 - 4;
  const dst = new Float32Array(n);
  const out = tensor('float32', x.shape);
  const bias = tensor('float32', [n / 4096]);
  // Each kernel twice: allocating its output (a fresh 64 MiB buffer, zero-filled and page-faulted in by
  // V8), and writing into a reused `out` tensor, which is how a planned model run uses them.
  const cases: [string, (o?: { out: typeof out }) => unknown, number][] = [
    ['relu', (o) => ops.unary('relu', x, o), 8 * n],
    ['gelu', (o) => ops.unary('gelu', x, o), 8 * n],
    ['gelu, x in [-4, 4)', (o) => ops.unary('gelu', spread, o), 8 * n],
    ['add (same shape)', (o) => ops.binary('add', x, x, o), 12 * n],
    ['add (row bias)', (o) => ops.binary('add', x, bias, o), 8 * n],
    ['softmax rows', (o) => ops.softmax(x, o), 8 * n],
    ['layerNorm rows', (o) => ops.layerNorm(x, undefined, undefined, o), 8 * n],
  ];
  // The copy rates (on one thread, and on all: the identity kernel into a reused buffer is a parallel
  // memcpy) interleaved with the reused-output runs they are the yardstick of.
  const [jsCopy, poolCopy, ...reused] = (await interleavedMedians([
    () => dst.set(x.data),
    () => ops.unary('identity', x, { out }),
    ...cases.map(([, run]) => () => run({ out })),
  ])).map((s, i) => (i < 2 ? 8 * n : cases[i - 2][2]) / s / 1e9);
  const copy = Math.max(jsCopy, poolCopy);
  console.log(`copy bandwidth (read + write): ${fmt(jsCopy)} GB/s one thread (TypedArray.set), ${fmt(poolCopy)} GB/s all threads; shares below are of ${fmt(copy)}`);
  console.log('kernel              new output GB/s  share    reused out GB/s  share of copy');
  for (const [i, [name, run, bytes]] of cases.entries()) {
    const fresh = bytes / (await medianSeconds(() => run())) / 1e9;
    console.log(`${name.padEnd(18)} ${fmt(fresh).padStart(14)} ${`${fmt((100 * fresh) / copy, 0)}%`.padStart(7)} ` +
      `${fmt(reused[i]).padStart(18)} ${`${fmt((100 * reused[i]) / copy, 0)}%`.padStart(8)}`);
  }
}

export async function benchOverhead(): Promise<void> {
  setThreads(1);
  const x = tensor('float32', [16], new Array(16).fill(1));
  const calls = 20000;
  const time = async (run: () => unknown) => {
    await medianSeconds(run);
    const t0 = performance.now();
    for (let i = 0; i < calls; i++) await run();
    return ((performance.now() - t0) * 1000) / calls;
  };
  const sync = await time(() => ops.unary('relu', x, { sync: true }));
  const async = await time(() => ops.unary('relu', x));
  // The work itself, 16 floats, takes nanoseconds: the times are the calls' overhead.
  console.log(`relu on 16 floats: sync ${fmt(sync, 2)} µs/call, async (awaited one by one) ${fmt(async, 2)} µs/call`);
  const t0 = performance.now();
  await Promise.all(Array.from({ length: calls }, () => ops.unary('relu', x)));
  const concurrent = ((performance.now() - t0) * 1000) / calls;
  console.log(`async, ${calls} in flight at once: ${fmt(concurrent, 2)} µs/call`);
}
