// The peers the bench compares against, loaded here only: OpenBLAS (Debian libopenblas0-pthread,
// through koffi) and onnxruntime-node.
import koffi from 'koffi';

export interface Blas {
  setThreads(n: number): void;
  sgemm(m: number, n: number, k: number, a: Float32Array, b: Float32Array, c: Float32Array): void;
}

export function loadOpenBlas(): Blas | null {
  let lib;
  try {
    lib = koffi.load('libopenblas.so.0');
  } catch {
    return null;
  }
  const setThreads = lib.func('void openblas_set_num_threads(int)');
  const sgemm = lib.func('void cblas_sgemm(int, int, int, int, int, int, float, float *, int, float *, int, float, _Inout_ float *, int)');
  const RowMajor = 101, NoTrans = 111;
  return {
    setThreads: (n) => setThreads(n),
    sgemm: (m, n, k, a, b, c) => sgemm(RowMajor, NoTrans, NoTrans, m, n, k, 1, a, k, b, n, 0, c, n),
  };
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function loadOrt(): any | null {
  try {
    return require('onnxruntime-node');
  } catch {
    return null;
  }
}
