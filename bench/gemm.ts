// SGEMM GFLOP/s: verinfer (B packed per call, and pre-packed weights; both into a preallocated output)
// vs OpenBLAS and onnxruntime-node MatMul (B an initializer), on 1 thread and all threads.
import os from 'node:os';
import { ops, setThreads, tensor } from '../lib';
import { matmulModel } from './onnx-model';
import { loadOpenBlas, loadOrt } from './peers';
import { fmt, interleavedMedians } from './timing';

const shapes: [number, number, number][] = [
  [256, 256, 256], [512, 512, 512], [1024, 1024, 1024], [2048, 2048, 2048], [4096, 4096, 4096],
  [1, 1024, 1024], [8, 4096, 1024], [1, 4096, 4096], [64, 1024, 1024],
];

function random(n: number, seed: number): Float32Array {
  const a = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    a[i] = (s / 4294967296) * 2 - 1;
  }
  return a;
}

export async function benchGemm(): Promise<void> {
  const blas = loadOpenBlas();
  const ort = loadOrt();
  if (!blas) console.log('OpenBLAS not found (apt-get install libopenblas0-pthread): its column is empty');
  if (!ort) console.log('onnxruntime-node not installed: its column is empty');
  const all = os.availableParallelism();
  console.log('shape MxKxN            thr  verinfer  v.packed  openblas    ort   v/blas  vp/ort   (GFLOP/s)');
  for (const threads of [1, all]) {
    setThreads(threads);
    blas?.setThreads(threads);
    for (const [m, k, n] of shapes) {
      const flops = 2 * m * n * k;
      const a = tensor('float32', [m, k], random(m * k, 1)), b = tensor('float32', [k, n], random(k * n, 2));
      const packed = ops.packB(b);
      // Into a preallocated output, as OpenBLAS writes into its preallocated C.
      const out = { out: tensor('float32', [m, n]) };
      const runs: (() => unknown)[] = [() => ops.matmul(a, b, null, out), () => ops.matmul(a, packed, null, out)];
      if (blas) {
        const c = new Float32Array(m * n);
        runs.push(() => blas.sgemm(m, n, k, a.data, b.data, c));
      }
      const session = ort && (await ort.InferenceSession.create(matmulModel(m, k, n, b.data), {
        intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all',
      }));
      const feeds = ort && { A: new ort.Tensor('float32', a.data, [m, k]) };
      if (session) runs.push(() => session.run(feeds));
      const rates = (await interleavedMedians(runs)).map((s) => flops / s / 1e9);
      const [ours, oursPacked] = rates;
      const blasRate = blas ? rates[2] : NaN;
      const ortRate = session ? rates[runs.length - 1] : NaN;
      await session?.release();
      console.log(
        `${`${m}x${k}x${n}`.padEnd(22)} ${String(threads).padStart(3)} ${fmt(ours).padStart(9)} ${fmt(oursPacked).padStart(9)} ` +
          `${fmt(blasRate).padStart(9)} ${fmt(ortRate).padStart(6)} ${fmt(ours / blasRate, 2).padStart(8)} ${fmt(oursPacked / ortRate, 2).padStart(7)}`,
      );
    }
  }
}
