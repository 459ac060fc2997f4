// Shape arithmetic on int64 constants, folded at plan time (the Shape → Gather → Concat → Reshape
// chains exporters write): no native step, the result is a constant of the plan.
import { elementCount, tensor, type Tensor } from '../tensor';
import type { Lowering } from './lowering';

type Int64 = Tensor<'int64'>;

const FOLDERS: Record<string, (l: Lowering, inputs: Int64[]) => Int64> = {
  Add: (l, [a, b]) => elementwise(l, a, b, (x, y) => x + y),
  Sub: (l, [a, b]) => elementwise(l, a, b, (x, y) => x - y),
  Mul: (l, [a, b]) => elementwise(l, a, b, (x, y) => x * y),
  Div: (l, [a, b]) => elementwise(l, a, b, (x, y) => (y === 0n ? l.fail('integer division by zero') : x / y)),
  Concat: (_, inputs) => {
    const data = inputs.flatMap((t) => Array.from(t.data));
    if (inputs.some((t) => t.shape.length !== 1)) throw new RangeError('Concat folding supports 1-D shape vectors');
    return tensor('int64', [data.length], data);
  },
  Gather: (l, [data, idx]) => {
    if (data.shape.length !== 1 || l.attrs.int('axis', 0) !== 0) l.fail('folding supports gathering from a 1-D shape vector');
    const n = data.data.length;
    const out = Array.from(idx.data, (i) => {
      const k = Number(i < 0n ? i + BigInt(n) : i);
      if (k < 0 || k >= n) l.fail(`index ${i} is out of range [${-n}, ${n})`);
      return data.data[k];
    });
    return tensor('int64', [...idx.shape], out);
  },
  Cast: (l, [x]) => (l.attrs.int('to', 7) === 7 ? x : l.fail('folding supports Cast to int64 only')),
};

function elementwise(l: Lowering, a: Int64, b: Int64, f: (x: bigint, y: bigint) => bigint): Int64 {
  if (a.data.length !== 1 && b.data.length !== 1 && a.data.length !== b.data.length) l.fail('folding supports equal lengths or a scalar');
  const shape = a.data.length >= b.data.length ? a.shape : b.shape;
  const n = elementCount(shape);
  return tensor('int64', [...shape], Array.from({ length: n }, (_, i) => f(a.data[a.data.length === 1 ? 0 : i], b.data[b.data.length === 1 ? 0 : i])));
}

const ELEMENTWISE = new Set(['Add', 'Sub', 'Mul', 'Div']);

/**
 * True when every input is an int64 constant and the op is shape arithmetic we evaluate here (elementwise
 * ops on equal lengths or a scalar; anything else broadcasting runs on the integer kernels).
 */
export function foldable(l: Lowering): boolean {
  if (!(l.node.opType in FOLDERS)) return false;
  const constants = l.node.inputs.map((name, i) => (name ? l.input(i) : undefined));
  if (!constants.every((v, i) => !l.node.inputs[i] || (v?.constant !== undefined && v.dtype === 'int64'))) return false;
  if (!ELEMENTWISE.has(l.node.opType)) return true;
  const [a, b] = constants.map((v) => v!.constant!.data.length);
  return a === b || a === 1 || b === 1;
}

export function foldInt64(l: Lowering): void {
  const inputs = l.node.inputs.map((_, i) => l.input(i)!.constant as Int64);
  l.define(0, FOLDERS[l.node.opType](l, inputs));
}
