// What an op handler sees while a model is planned (the Lowering), and the helpers every handler family
// shares: broadcasting, axes, dtype checks and the step codes of the native kernels.
import type { Node } from '../onnx';
import { tensor, type DType, type Tensor } from '../tensor';
import type { Attributes } from './attributes';

export interface Value {
  id: number;
  dtype: DType;
  shape: number[];
  /** Known at plan time (initializer, Constant, folded shape arithmetic). */
  constant?: Tensor;
}

/** What a handler may do: read inputs, emit steps, define outputs. */
export interface Lowering {
  readonly node: Node;
  readonly opset: number;
  readonly attrs: Attributes;
  input(i: number): Value | undefined;
  required(i: number): Value;
  /** The constant value of input i, or an error saying the runtime needs it constant. */
  constantInput(i: number): Tensor | undefined;
  /** Emits a step; its result becomes node output `output` (default 0), or stays internal with -1. */
  emit(op: string, inputs: (Value | undefined)[], dtype: DType, shape: number[], params?: Record<string, unknown>, output?: number): Value;
  define(output: number, value: Value | Tensor): void;
  /** A plan-time constant as a value steps can read. */
  constant(t: Tensor): Value;
  fail(problem: string): never;
}

export type Handler = (l: Lowering) => void;

export const UNARY: Record<string, string> = {
  Relu: 'relu', Sigmoid: 'sigmoid', Tanh: 'tanh', Exp: 'exp', Log: 'log', Sqrt: 'sqrt', Abs: 'abs', Neg: 'neg',
  Erf: 'erf', Softplus: 'softplus', Floor: 'floor', Ceil: 'ceil', Round: 'round', Sin: 'sin', Cos: 'cos', Atan: 'atan',
};
export const BINARY: Record<string, number> = { Add: 0, Sub: 1, Mul: 2, Div: 3, Pow: 4, Max: 5, Min: 6 };
export const COMPARE: Record<string, number> = { Equal: 0, Less: 1, LessOrEqual: 2, Greater: 3, GreaterOrEqual: 4 };
export const REDUCE: Record<string, number> = { ReduceSum: 0, ReduceMean: 1, ReduceMax: 2, ReduceMin: 3, ReduceProd: 4, ReduceL2: 5, ReduceSumSquare: 6 };

export function broadcast(a: number[], b: number[], what: string): number[] {
  const rank = Math.max(a.length, b.length);
  return Array.from({ length: rank }, (_, i) => {
    const x = a[a.length - rank + i] ?? 1, y = b[b.length - rank + i] ?? 1;
    if (x !== y && x !== 1 && y !== 1) throw new RangeError(`${what}: shapes [${a}] and [${b}] do not broadcast`);
    return x === 1 ? y : x;
  });
}

export function axisOf(axis: number, rank: number, l: Lowering): number {
  const a = axis < 0 ? axis + rank : axis;
  if (a < 0 || a >= rank) l.fail(`axis ${axis} is out of range for rank ${rank}`);
  return a;
}

export function float32Only(l: Lowering, ...values: (Value | undefined)[]): void {
  for (const v of values) if (v && v.dtype !== 'float32') l.fail(`supports float32 inputs here, got ${v.dtype}`);
}

export function unary(l: Lowering, op: string, params: Record<string, unknown> = {}): void {
  const x = l.required(0);
  float32Only(l, x);
  l.emit('unary', [x], 'float32', x.shape, { unary: op, ...params });
}

/** Native IntOp codes (native/ops/integer.h). */
export const INT_OP = { Add: 0, Sub: 1, Mul: 2, Div: 3, Max: 4, Min: 5, Mod: 6, FMod: 7, Pow: 8, And: 9, Or: 10, Xor: 11, ShiftLeft: 12, ShiftRight: 13 } as const;
const INT_OF_BINARY = [INT_OP.Add, INT_OP.Sub, INT_OP.Mul, INT_OP.Div, INT_OP.Pow, INT_OP.Max, INT_OP.Min];
const INTEGERS = new Set<DType>(['int8', 'uint8', 'int32', 'int64', 'uint16', 'uint32', 'uint64']);

export const isInteger = (dtype: DType) => INTEGERS.has(dtype);

/**
 * a <op> b with numpy broadcasting for float32 (the float kernels), or for two integers or two float64
 * of one dtype (the exact typed kernels); `code` is a BINARY code.
 */
export function arith(l: Lowering, a: Value, b: Value, code: number, output = 0): Value {
  const shape = broadcast(a.shape, b.shape, l.node.opType);
  if (a.dtype === 'float32' && b.dtype === 'float32') return l.emit('binary', [a, b], 'float32', shape, { code }, output);
  const half = a.dtype === b.dtype && (a.dtype === 'float16' || a.dtype === 'bfloat16');
  if (half && (code === BINARY.Max || code === BINARY.Min)) {
    // Max and min pick one operand, so a round trip through float32 is exact.
    const y = l.emit('binary', [castTo(l, a, 'float32'), castTo(l, b, 'float32')], 'float32', shape, { code }, -1);
    return castTo(l, y, a.dtype, output);
  }
  if (a.dtype !== b.dtype || !(isInteger(a.dtype) || a.dtype === 'float64')) l.fail(`supports float32, or one integer or float64 type on both sides, got ${a.dtype} and ${b.dtype}`);
  if (a.dtype === 'float64' && code === BINARY.Pow) l.fail('Pow on float64 is not supported');
  return l.emit('intBinary', [a, b], a.dtype, shape, { code: INT_OF_BINARY[code] }, output);
}

export function binary(l: Lowering, code: number): void {
  arith(l, l.required(0), l.required(1), code);
}

/** x as `dtype`: x itself when it already is, else a Cast step's result. */
export function castTo(l: Lowering, x: Value, dtype: DType, output = -1): Value {
  if (x.dtype === dtype && output < 0) return x;
  return l.emit('cast', [x], dtype, x.shape, { to: dtype }, output);
}

/** The logical not of a bool value: Xor with true. */
export function logicalNot(l: Lowering, c: Value, output = -1): Value {
  return l.emit('intBinary', [c, l.constant(tensor('bool', [], [1]))], 'bool', c.shape, { code: INT_OP.Xor }, output);
}

/** x viewed with another shape of the same size: a plan constant when x is one, else a Copy step. */
export function reshaped(l: Lowering, x: Value, shape: number[], output = -1): Value {
  if (x.constant && output < 0) return l.constant({ ...x.constant, shape } as Tensor);
  return l.emit('copy', [x], x.dtype, shape, {}, output);
}

/** A plan-time scalar of `dtype` (bigint for int64). */
export function scalar(l: Lowering, dtype: DType, value: number): Value {
  return l.constant(tensor(dtype, [], [dtype === 'int64' ? BigInt(value) : value]));
}

export function axesInput(l: Lowering, attrSince: number): number[] | undefined {
  if (l.opset < attrSince) return l.attrs.ints('axes');
  const t = l.constantInput(1);
  return t ? Array.from(t.data as BigInt64Array, Number) : undefined;
}

/** The axes a Reduce node names (attribute or input 1, by opset), normalised; all axes when none. */
export function reduceAxes(l: Lowering, x: Value, axesAsInputSince: number): number[] | undefined {
  const axes = axesInput(l, axesAsInputSince);
  if (!axes || axes.length === 0) return l.attrs.int('noop_with_empty_axes', 0) === 1 ? undefined : x.shape.map((_, i) => i);
  return axes.map((a) => axisOf(a, x.shape.length, l));
}

/** Reduces x over `axes` (undefined: a copy, for noop_with_empty_axes), keeping dims if `keep`. */
export function reduceOf(l: Lowering, x: Value, code: number, axes: number[] | undefined, keep: boolean, output = 0): Value {
  float32Only(l, x);
  if (!axes) return l.emit('copy', [x], x.dtype, x.shape, {}, output);
  const shape = keep ? x.shape.map((d, i) => (axes.includes(i) ? 1 : d)) : x.shape.filter((_, i) => !axes.includes(i));
  return l.emit('reduce', [x], 'float32', shape, { code, ints: axes }, output);
}
