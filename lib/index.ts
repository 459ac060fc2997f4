// verinfer: bit-identical ML inference kernels for Node.js.
import { native } from './native';

export * from './tensor';
export * as ops from './ops';
export type { UnaryOp, BinaryOp, CompareOp, ReduceOp, PackedMatrix, MatmulOptions } from './ops';

export interface Info {
  version: string;
  /** The kernel path chosen at load: the best the CPU supports, or VERINFER_ISA. */
  isa: 'scalar' | 'avx2' | 'avx512';
  vnni: boolean;
  threads: number;
  compiler: string;
}

export function info(): Info {
  return native.info();
}

/** Sets the kernel thread pool size (including the calling thread). Results do not depend on it. */
export function setThreads(threads: number): void {
  native.setThreads(threads);
}

export { Session, type SessionOptions } from './runtime';
export * as attest from './attest';
export * as settle from './settle';
export { verifyReceipt, type ReceiptVerdict } from './settle';
