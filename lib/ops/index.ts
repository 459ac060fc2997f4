// The kernel ops. Each returns a Promise and runs off the JS thread, except work estimated to cost
// less than the thread hop itself, which runs inline; `{ sync: true }` always runs inline and returns
// the result directly. Results are bit-identical across threads, ISA paths, batch position and
// alignment (docs/determinism.md).
import { native } from '../native';
import type { DType, Tensor } from '../tensor';

export type UnaryOp =
  | 'identity' | 'relu' | 'leakyRelu' | 'sigmoid' | 'tanh' | 'exp' | 'log' | 'sqrt' | 'erf' | 'gelu' | 'geluTanh'
  | 'abs' | 'neg' | 'clip' | 'hardSigmoid' | 'softplus' | 'floor' | 'ceil' | 'round' | 'sin' | 'cos' | 'atan';
export type BinaryOp = 'add' | 'sub' | 'mul' | 'div' | 'pow' | 'max' | 'min';
export type CompareOp = 'equal' | 'less' | 'lessOrEqual' | 'greater' | 'greaterOrEqual';
export type ReduceOp = 'sum' | 'mean' | 'max' | 'min' | 'prod' | 'l2' | 'sumSquare';

export interface RunOptions {
  /** Run on the calling thread and return the result directly. */
  sync?: boolean;
  /**
   * Write the result into this tensor (exactly the result's dtype and shape, not overlapping any
   * input) instead of a new one: saves the allocation and page faults that dominate memory-bound ops.
   */
  out?: Tensor;
}

export interface Activation {
  activation?: UnaryOp | 'none';
  /** LeakyRelu slope, Clip min, HardSigmoid alpha. */
  activationAlpha?: number;
  /** Clip max, HardSigmoid beta. */
  activationBeta?: number;
}

export interface MatmulOptions extends RunOptions, Activation {
  transA?: boolean;
  transB?: boolean;
  alpha?: number;
  beta?: number;
}

/** B packed once for reuse across calls (weights). Portable across ISA paths. */
export interface PackedMatrix {
  kind: 'packedB' | 'packedInt8B';
  k: number;
  n: number;
  handle: unknown;
}

export interface WindowOptions {
  kernelShape?: [number, number];
  strides?: [number, number];
  /** [top, left, bottom, right] */
  pads?: [number, number, number, number];
  dilations?: [number, number];
  ceilMode?: boolean;
}

type Result<T, O extends RunOptions | undefined> = O extends { sync: true } ? T : Promise<T>;

export function packB(b: Tensor<'float32'>, options?: { transB?: boolean }): PackedMatrix {
  return native.packB(b, options);
}

/** Y = act(alpha * op(A) op(B) + beta * C); A [..., M, K], B [..., K, N] or packed, C broadcast to [M, N]. */
export function matmul<O extends MatmulOptions | undefined = undefined>(
  a: Tensor<'float32'>, b: Tensor<'float32'> | PackedMatrix, c?: Tensor<'float32'> | null, options?: O,
): Result<Tensor<'float32'>, O> {
  return native.matmul(a, b, c ?? null, options);
}

export function packInt8B(b: Tensor<'int8'>): PackedMatrix {
  return native.packInt8B(b);
}

/** int32 [M, N] = A [M, K] (uint8 or int8) x B [K, N] (int8), exact modulo 2^32. */
export function matmulInt8<O extends RunOptions | undefined = undefined>(
  a: Tensor<'uint8'> | Tensor<'int8'>, b: Tensor<'int8'> | PackedMatrix, options?: O,
): Result<Tensor<'int32'>, O> {
  return native.matmulInt8(a, b, options);
}

/** out = saturate(roundHalfEven(acc * scale) + zeroPoint); scale scalar or per column. */
export function requantize<O extends RunOptions & { dtype?: 'int8' | 'uint8'; zeroPoint?: number }>(
  acc: Tensor<'int32'>, scale: Tensor<'float32'>, options?: O,
): Result<Tensor<'int8'> | Tensor<'uint8'>, O> {
  return native.requantize(acc, scale, options);
}

export function unary<O extends (RunOptions & { alpha?: number; beta?: number }) | undefined = undefined>(
  op: UnaryOp, x: Tensor<'float32'>, options?: O,
): Result<Tensor<'float32'>, O> {
  return native.unary(op, x, options);
}

export function binary<O extends RunOptions | undefined = undefined>(
  op: BinaryOp, a: Tensor<'float32'>, b: Tensor<'float32'>, options?: O,
): Result<Tensor<'float32'>, O> {
  return native.binary(op, a, b, options);
}

export function compare<O extends RunOptions | undefined = undefined>(
  op: CompareOp, a: Tensor<'float32'>, b: Tensor<'float32'>, options?: O,
): Result<Tensor<'bool'>, O> {
  return native.compare(op, a, b, options);
}

export function reduce<O extends (RunOptions & { axes?: number[]; keepdims?: boolean }) | undefined = undefined>(
  op: ReduceOp, x: Tensor<'float32'>, options?: O,
): Result<Tensor<'float32'>, O> {
  return native.reduce(op, x, options);
}

export function softmax<O extends (RunOptions & { axis?: number; log?: boolean }) | undefined = undefined>(
  x: Tensor<'float32'>, options?: O,
): Result<Tensor<'float32'>, O> {
  return native.softmax(x, options);
}

export function layerNorm<O extends (RunOptions & { axis?: number; epsilon?: number }) | undefined = undefined>(
  x: Tensor<'float32'>, scale?: Tensor<'float32'> | null, bias?: Tensor<'float32'> | null, options?: O,
): Result<Tensor<'float32'>, O> {
  return native.layerNorm(x, scale ?? null, bias ?? null, options);
}

export function batchNorm<O extends (RunOptions & { epsilon?: number }) | undefined = undefined>(
  x: Tensor<'float32'>, scale: Tensor<'float32'>, bias: Tensor<'float32'>, mean: Tensor<'float32'>,
  variance: Tensor<'float32'>, options?: O,
): Result<Tensor<'float32'>, O> {
  return native.batchNorm(x, scale, bias, mean, variance, options);
}

export function conv2d<O extends (RunOptions & Activation & WindowOptions & { group?: number }) | undefined = undefined>(
  x: Tensor<'float32'>, w: Tensor<'float32'>, bias?: Tensor<'float32'> | null, options?: O,
): Result<Tensor<'float32'>, O> {
  return native.conv2d(x, w, bias ?? null, options);
}

export function pool2d<O extends RunOptions & WindowOptions & { countIncludePad?: boolean }>(
  kind: 'max' | 'average', x: Tensor<'float32'>, options: O,
): Result<Tensor<'float32'>, O> {
  return native.pool2d(kind, x, options);
}

export function globalPool<O extends RunOptions | undefined = undefined>(
  kind: 'max' | 'average', x: Tensor<'float32'>, options?: O,
): Result<Tensor<'float32'>, O> {
  return native.globalPool(kind, x, options);
}

export function transpose<D extends DType, O extends (RunOptions & { perm?: number[] }) | undefined = undefined>(
  x: Tensor<D>, options?: O,
): Result<Tensor<D>, O> {
  return native.transpose(x, options);
}

export function slice<D extends DType, O extends RunOptions & { starts: number[]; ends: number[]; axes?: number[]; steps?: number[] }>(
  x: Tensor<D>, options: O,
): Result<Tensor<D>, O> {
  return native.slice(x, options);
}

export function concat<D extends DType, O extends (RunOptions & { axis?: number }) | undefined = undefined>(
  inputs: Tensor<D>[], options?: O,
): Result<Tensor<D>, O> {
  return native.concat(inputs, options);
}

export function gather<D extends DType, O extends (RunOptions & { axis?: number }) | undefined = undefined>(
  data: Tensor<D>, indices: Tensor<'int64'>, options?: O,
): Result<Tensor<D>, O> {
  return native.gather(data, indices, options);
}

export function cast<T extends DType, O extends RunOptions | undefined = undefined>(
  x: Tensor, to: T, options?: O,
): Result<Tensor<T>, O> {
  return native.cast(x, to, options);
}
