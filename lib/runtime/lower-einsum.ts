// Einsum by broadcasting: every operand (diagonals taken, axes ordered, unit dims inserted) is
// multiplied into one tensor over all the equation's letters, then the contracted letters are summed.
// Exact for the patterns ONNX uses (transpose, sums, inner and batched products, diagonals); a
// product that would exceed 2^24 elements is refused rather than allocated.
import { elementCount, tensor } from '../tensor';
import { arith, BINARY, isInteger, REDUCE, reduceOf, reshaped as reshape, type Handler, type Lowering, type Value } from './lowering';

const INTERNAL = -1;
const MAX_PRODUCT = 1 << 24;

function transpose(l: Lowering, x: Value, perm: number[]): Value {
  if (perm.every((p, i) => p === i)) return x;
  return l.emit('transpose', [x], x.dtype, perm.map((p) => x.shape[p]), { ints: perm }, INTERNAL);
}

/** x with its two axes of one letter replaced by their diagonal (a single axis, at the end). */
function diagonal(l: Lowering, x: Value, letters: string[], letter: string): { x: Value; letters: string[] } {
  const [a, b] = letters.flatMap((c, i) => (c === letter ? [i] : [])).slice(0, 2);
  const n = x.shape[a];
  if (x.shape[b] !== n) l.fail(`'${letter}' labels dims of sizes ${n} and ${x.shape[b]}`);
  const rest = letters.map((_, i) => i).filter((i) => i !== a && i !== b);
  const moved = transpose(l, x, [...rest, a, b]);
  const flat = reshape(l, moved, [...rest.map((i) => x.shape[i]), n * n]);
  const indices = l.constant(tensor('int64', [n], Array.from({ length: n }, (_, i) => BigInt(i * (n + 1)))));
  const picked = l.emit('gather', [flat, indices], x.dtype, [...rest.map((i) => x.shape[i]), n], { axis: rest.length }, INTERNAL);
  return { x: picked, letters: [...rest.map((i) => letters[i]), letter] };
}

/** Σ over `axis`: the float32 reduce kernel, or for other dtypes the last element of a running sum. */
function sumAxis(l: Lowering, x: Value, axis: number): Value {
  if (x.dtype === 'float32') return reduceOf(l, x, REDUCE.ReduceSum, [axis], false, INTERNAL);
  const running = l.emit('cumSum', [x], x.dtype, x.shape, { axis }, INTERNAL);
  const n = x.shape[axis];
  const last = l.emit('slice', [running], x.dtype, x.shape.map((d, i) => (i === axis ? 1 : d)), { starts: [n - 1], ends: [n], ints: [axis], steps: [1] }, INTERNAL);
  return reshape(l, last, x.shape.filter((_, i) => i !== axis));
}

export const EINSUM_HANDLERS: Record<string, Handler> = {
  Einsum: (l) => {
    const equation = l.attrs.string('equation', '').replace(/\s+/g, '');
    const operands = l.node.inputs.map((_, i) => l.required(i));
    const dtype = operands[0].dtype;
    if (operands.some((v) => v.dtype !== dtype)) l.fail('operands must share one dtype');
    if (dtype !== 'float32' && dtype !== 'float64' && !isInteger(dtype)) l.fail(`supports float32, float64 and integer operands, got ${dtype}`);
    const [lhs, given] = equation.split('->');
    const terms = lhs.split(',');
    if (terms.length !== operands.length) l.fail(`equation '${equation}' names ${terms.length} operands, the node has ${operands.length}`);
    // Ellipses become fresh capital letters for the dims they cover, aligned from the right.
    const ellipsisRank = Math.max(0, ...terms.map((t, i) => (t.includes('...') ? operands[i].shape.length - (t.length - 3) : 0)));
    const fresh = Array.from({ length: ellipsisRank }, (_, i) => String.fromCharCode(65 + i));
    const spell = (term: string, rank: number) => (term.includes('...') ? term.replace('...', fresh.slice(fresh.length - (rank - (term.length - 3))).join('')) : term).split('');
    const letters = terms.map((t, i) => spell(t, operands[i].shape.length));
    letters.forEach((ls, i) => {
      if (ls.length !== operands[i].shape.length) l.fail(`term '${terms[i]}' has ${ls.length} labels for rank ${operands[i].shape.length}`);
    });
    // Without '->' the output is the ellipsis dims, then every letter used once, alphabetically.
    const all = letters.flat();
    const output = given !== undefined ? spell(given, fresh.length + given.replace('...', '').length)
      : [...fresh, ...[...new Set(all)].filter((c) => !fresh.includes(c) && all.indexOf(c) === all.lastIndexOf(c)).sort()];
    const size = new Map<string, number>();
    const prepared = operands.map((v, i) => {
      let x = v, ls = letters[i];
      for (const c of new Set(ls)) while (ls.filter((d) => d === c).length > 1) ({ x, letters: ls } = diagonal(l, x, ls, c));
      ls.forEach((c, d) => {
        if (size.has(c) && size.get(c) !== x.shape[d] && x.shape[d] !== 1 && size.get(c) !== 1) l.fail(`'${c}' labels dims of sizes ${size.get(c)} and ${x.shape[d]}`);
        size.set(c, Math.max(size.get(c) ?? 1, x.shape[d]));
      });
      return { x, letters: ls };
    });
    const contracted = [...size.keys()].filter((c) => !output.includes(c));
    const order = [...output, ...contracted];
    if (elementCount(order.map((c) => size.get(c)!)) > MAX_PRODUCT) l.fail(`the broadcast product over '${order.join('')}' would exceed 2^24 elements`);
    const aligned = prepared.map(({ x, letters: ls }) => {
      const present = order.filter((c) => ls.includes(c));
      const moved = transpose(l, x, present.map((c) => ls.indexOf(c)));
      return reshape(l, moved, order.map((c) => (ls.includes(c) ? x.shape[ls.indexOf(c)] : 1)));
    });
    let product = aligned.reduce((acc, v) => arith(l, acc, v, BINARY.Mul, INTERNAL));
    for (let i = order.length - 1; i >= output.length; i--) product = sumAxis(l, product, i);
    reshape(l, product, output.map((c) => size.get(c)!), 0);
  },
};
