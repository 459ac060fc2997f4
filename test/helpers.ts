// Shared test helpers: seeded data and float64 references written plainly.
import type { ExecutionContext } from 'ava';
import { tensor, type Tensor } from '../lib';

export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomTensor(shape: number[], seed: number, lo = -1, hi = 1): Tensor<'float32'> {
  const r = rng(seed);
  const t = tensor('float32', shape);
  for (let i = 0; i < t.data.length; i++) t.data[i] = lo + (hi - lo) * r();
  return t;
}

/** Distance in units in the last place between two float32 values (NaN == NaN, +0 == -0). */
export function ulpDistance(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b) ? 0 : Infinity;
  if (a === b) return 0;
  const f = new Float32Array([a, b]);
  const i = new Int32Array(f.buffer);
  const ord = (x: number) => (x < 0 ? -0x80000000 - x : x);
  return Math.abs(ord(i[0]) - ord(i[1]));
}

/** float64 erf: power series below 3, continued fraction for erfc above. */
export function erf64(x: number): number {
  if (Number.isNaN(x)) return NaN;
  const ax = Math.abs(x);
  let r: number;
  if (ax < 3) {
    let term = ax, sum = ax;
    for (let n = 1; n < 200; n++) {
      term *= (-ax * ax) / n;
      const add = term / (2 * n + 1);
      sum += add;
      if (Math.abs(add) < 1e-17 * Math.abs(sum)) break;
    }
    r = (2 / Math.sqrt(Math.PI)) * sum;
  } else {
    let f = 0;
    for (let n = 60; n >= 1; n--) f = n / 2 / (ax + f);
    r = 1 - Math.exp(-ax * ax) / Math.sqrt(Math.PI) / (ax + f);
  }
  return x < 0 ? -r : r;
}

/** Reference Y = alpha * op(A) op(B) (+ beta * C) for 2-D row-major inputs, in float64. */
export function refGemm(
  a: ArrayLike<number>, b: ArrayLike<number>, m: number, n: number, k: number,
  opts: { transA?: boolean; transB?: boolean; alpha?: number; beta?: number; c?: (i: number, j: number) => number } = {},
): { y: Float64Array; bound: Float64Array } {
  const y = new Float64Array(m * n), bound = new Float64Array(m * n);
  for (let i = 0; i < m; i++)
    for (let j = 0; j < n; j++) {
      let s = 0, abs = 0;
      for (let p = 0; p < k; p++) {
        const av = opts.transA ? a[p * m + i] : a[i * k + p];
        const bv = opts.transB ? b[j * k + p] : b[p * n + j];
        s += av * bv;
        abs += Math.abs(av * bv);
      }
      let v = (opts.alpha ?? 1) * s;
      if (opts.c) v += (opts.beta ?? 1) * opts.c(i, j);
      y[i * n + j] = v;
      bound[i * n + j] = abs * Math.abs(opts.alpha ?? 1);
    }
  return { y, bound };
}

/**
 * GEMM tolerance: an fp32 fma chain of length K has error below K * 2^-24 * sum|a_k b_k|, plus
 * the epilogue's few roundings of the result.
 */
export function assertGemmClose(t: ExecutionContext, got: ArrayLike<number>, want: ArrayLike<number>, bound: ArrayLike<number>, k: number, label: string): void {
  let worst = 0;
  for (let i = 0; i < want.length; i++) {
    const tol = (k + 4) * 2 ** -24 * bound[i] + 4 * 2 ** -24 * Math.abs(want[i]) + 1e-30;
    const err = Math.abs(got[i] - want[i]);
    if (!(err <= tol)) {
      t.fail(`${label}: element ${i} got ${got[i]}, expected ${want[i]} (tolerance ${tol})`);
      return;
    }
    worst = Math.max(worst, err / tol);
  }
  t.pass(`${label}: worst error ${worst.toFixed(3)} of tolerance`);
}

export function bytesEqual(a: ArrayBufferView, b: ArrayBufferView): boolean {
  const x = Buffer.from(a.buffer, a.byteOffset, a.byteLength), y = Buffer.from(b.buffer, b.byteOffset, b.byteLength);
  return x.equals(y);
}
