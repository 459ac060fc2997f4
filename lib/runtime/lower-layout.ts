// Ops that move elements without arithmetic, built from Gather, Where, Reshape and Transpose at plan
// time: Pad (constant, edge, reflect, wrap), DepthToSpace and SpaceToDepth.
import { tensor } from '../tensor';
import { axisOf, type Handler, type Lowering, type Value } from './lowering';

const INTERNAL = -1;

/** Source index along one padded axis of length n for output position i, or -1 for the pad value. */
function padSource(mode: string, i: number, n: number): number {
  if (i >= 0 && i < n) return i;
  if (mode === 'constant') return -1;
  if (mode === 'edge') return Math.min(Math.max(i, 0), n - 1);
  if (mode === 'wrap') return ((i % n) + n) % n;
  // reflect: mirror without repeating the edge element, period 2(n - 1).
  if (n === 1) return 0;
  const period = 2 * (n - 1);
  const k = ((i % period) + period) % period;
  return k < n ? k : period - k;
}

function pad(l: Lowering): void {
  const x = l.required(0);
  const rank = x.shape.length;
  const mode = l.attrs.string('mode', 'constant');
  if (!['constant', 'reflect', 'edge', 'wrap'].includes(mode)) l.fail(`mode must be constant, reflect, edge or wrap, got '${mode}'`);
  const pads = l.opset < 11 ? l.attrs.ints('pads') ?? l.fail('needs pads') : Array.from((l.constantInput(1) ?? l.fail('needs constant pads')).data as BigInt64Array, Number);
  const axes = l.opset >= 18 && l.input(3) ? Array.from(l.constantInput(3)!.data as BigInt64Array, (a) => axisOf(Number(a), rank, l)) : x.shape.map((_, i) => i);
  if (pads.length !== 2 * axes.length) l.fail(`pads has ${pads.length} entries for ${axes.length} axes`);
  let fill: Value | undefined;
  if (mode === 'constant') {
    // The value may arrive at run time (a graph input): Where reads it like any other operand.
    const given = l.opset < 11 ? undefined : l.input(2);
    if (given && given.dtype !== x.dtype) l.fail(`constant_value must be ${x.dtype}, got ${given.dtype}`);
    const value = l.attrs.float('value', 0);
    fill = given ?? l.constant(tensor(x.dtype, [], [x.dtype === 'int64' ? BigInt(Math.trunc(value)) : value]));
  }
  let acc = x;
  axes.forEach((axis, k) => {
    const [before, after] = [pads[k], pads[k + axes.length]];
    if (before === 0 && after === 0) return;
    const n = acc.shape[axis];
    const length = n + before + after;
    if (length < 0) l.fail(`pads [${before}, ${after}] remove more than axis ${axis} holds (${n})`);
    if (n === 0 && length > 0 && mode !== 'constant') l.fail(`cannot ${mode}-pad an empty axis`);
    const sources = Array.from({ length }, (_, i) => padSource(mode, i - before, n));
    const shape = [...acc.shape];
    shape[axis] = length;
    const indices = l.constant(tensor('int64', [length], sources.map((s) => BigInt(Math.max(s, 0)))));
    let next = n === 0 ? l.constant(tensor(acc.dtype, shape)) : l.emit('gather', [acc, indices], acc.dtype, shape, { axis }, INTERNAL);
    if (fill && sources.includes(-1)) {
      const maskShape = shape.map((d, i) => (i === axis ? d : 1));
      const mask = l.constant(tensor('bool', maskShape, sources.map((s) => (s >= 0 ? 1 : 0))));
      next = l.emit('where', [mask, next, fill], acc.dtype, shape, {}, INTERNAL);
    }
    acc = next;
  });
  l.emit('copy', [acc], acc.dtype, acc.shape);
}

/** Reshape, transpose, reshape: the three steps of DepthToSpace and SpaceToDepth. */
function rearrange(l: Lowering, x: Value, split: number[], perm: number[], out: number[]): void {
  const viewed = l.emit('copy', [x], x.dtype, split, {}, INTERNAL);
  const moved = l.emit('transpose', [viewed], x.dtype, perm.map((p) => split[p]), { ints: perm }, INTERNAL);
  l.emit('copy', [moved], x.dtype, out);
}

function blockInput(l: Lowering): { x: Value; b: number } {
  const x = l.required(0);
  if (x.shape.length !== 4) l.fail(`needs an [N, C, H, W] input, got [${x.shape}]`);
  const b = l.attrs.int('blocksize', 0);
  if (b < 1) l.fail(`blocksize must be >= 1, got ${b}`);
  return { x, b };
}

export const LAYOUT_HANDLERS: Record<string, Handler> = {
  Pad: pad,
  DepthToSpace: (l) => {
    const { x, b } = blockInput(l);
    const [n, c, h, w] = x.shape;
    if (c % (b * b) !== 0) l.fail(`channels ${c} are not a multiple of blocksize² ${b * b}`);
    const out = [n, c / (b * b), h * b, w * b];
    if (l.attrs.string('mode', 'DCR') === 'CRD') rearrange(l, x, [n, c / (b * b), b, b, h, w], [0, 1, 4, 2, 5, 3], out);
    else rearrange(l, x, [n, b, b, c / (b * b), h, w], [0, 3, 4, 1, 5, 2], out);
  },
  SpaceToDepth: (l) => {
    const { x, b } = blockInput(l);
    const [n, c, h, w] = x.shape;
    if (h % b !== 0 || w % b !== 0) l.fail(`spatial dims ${h}x${w} are not multiples of blocksize ${b}`);
    rearrange(l, x, [n, c, h / b, b, w / b, b], [0, 3, 5, 1, 2, 4], [n, c * b * b, h / b, w / b]);
  },
};
