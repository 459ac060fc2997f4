// Resize and Upsample as separable resampling planned ahead: for every resized axis the taps of each
// output position (source indices and weights, the ONNX reference's neighbours and coefficients) are
// computed here, and the run gathers the taps and sums them with their weights. Nearest mode gathers
// one tap and moves bits, so it serves every dtype.
import { elementCount, tensor } from '../tensor';
import { BINARY, float32Only, type Handler, type Lowering, type Value } from './lowering';

const INTERNAL = -1;

interface ResizeOptions {
  mode: string;
  transform: string;
  nearest: string;
  cubicA: number;
  excludeOutside: boolean;
  antialias: boolean;
  extrapolation: number;
}

interface AxisTaps {
  /** taps[t][o]: source index (edge-clamped) and weight of tap t for output position o. */
  index: number[][];
  weight: number[][];
  /** Output positions that take the extrapolation value (tf_crop_and_resize outside the roi). */
  outside: boolean[];
}

function nearestCoefficients(ratio: number, mode: string): number[] {
  if (Number.isInteger(ratio)) return [0, 1];
  if (mode === 'round_prefer_floor') return [ratio <= 0.5 ? 1 : 0, ratio > 0.5 ? 1 : 0];
  if (mode === 'round_prefer_ceil') return [ratio < 0.5 ? 1 : 0, ratio >= 0.5 ? 1 : 0];
  return mode === 'floor' ? [1, 0] : [0, 1];
}

function cubicCoefficients(r: number, a: number): number[] {
  const s = 1 - r;
  return [
    ((a * (r + 1) - 5 * a) * (r + 1) + 8 * a) * (r + 1) - 4 * a,
    ((a + 2) * r - (a + 3)) * r * r + 1,
    ((a + 2) * s - (a + 3)) * s * s + 1,
    ((a * (s + 1) - 5 * a) * (s + 1) + 8 * a) * (s + 1) - 4 * a,
  ];
}

function antialiasCoefficients(ratio: number, scale: number, cubic: boolean, a: number): number[] {
  const s = Math.min(scale, 1);
  const start = Math.floor((cubic ? -2 : -1) / s) + 1;
  const end = cubic ? 2 - start : start + 2 - 2 * start;
  const kernel = (x0: number) => {
    const x = Math.abs(x0);
    if (!cubic) return Math.min(Math.max(1 - x, 0), 1);
    if (x <= 1) return (a + 2) * x ** 3 - (a + 3) * x * x + 1;
    return x < 2 ? a * x ** 3 - 5 * a * x * x + 8 * a * x - 4 * a : 0;
  };
  const c = Array.from({ length: end - start }, (_, i) => kernel(s * (start + i - ratio)));
  const sum = c.reduce((p, q) => p + q, 0);
  return c.map((v) => v / sum);
}

/** The n indices nearest x among [lo, hi), preferring the smaller on ties, ascending. */
function neighbours(x: number, n: number, lo: number, hi: number): number[] {
  const candidates: number[] = [];
  for (let i = Math.max(lo, Math.floor(x) - n); i < Math.min(hi, Math.floor(x) + n + 2); i++) candidates.push(i);
  candidates.sort((p, q) => Math.abs(x - p) - Math.abs(x - q) || p - q);
  return candidates.slice(0, n).sort((p, q) => p - q);
}

/** Source coordinate of output position x (ONNX coordinate_transformation_mode), or undefined outside the roi. */
function sourceCoordinate(o: ResizeOptions, x: number, scale: number, inLength: number, outLength: number, roi: [number, number]): number | undefined {
  const outWidth = scale * inLength;
  switch (o.transform) {
    case 'align_corners': return outWidth === 1 ? 0 : (x * (inLength - 1)) / (outWidth - 1);
    case 'asymmetric': return x / scale;
    case 'pytorch_half_pixel': return outWidth === 1 ? -0.5 : (x + 0.5) / scale - 0.5;
    case 'half_pixel': return (x + 0.5) / scale - 0.5;
    case 'tf_half_pixel_for_nn': return (x + 0.5) / scale;
    case 'half_pixel_symmetric': {
      const offset = (inLength / 2) * (1 - outLength / outWidth);
      return offset + (x + 0.5) / scale - 0.5;
    }
    case 'tf_crop_and_resize': {
      const [start, end] = roi;
      const v = (outWidth === 1 ? ((end - start) * (inLength - 1)) / 2 : (x * (end - start) * (inLength - 1)) / (outWidth - 1)) + start * (inLength - 1);
      return v < 0 || v > inLength - 1 ? undefined : v;
    }
    default: throw new RangeError(`coordinate_transformation_mode '${o.transform}' is not supported`);
  }
}

function axisTaps(o: ResizeOptions, inLength: number, outLength: number, scale: number, roi: [number, number]): AxisTaps {
  const perPosition: { index: number[]; weight: number[] }[] = [];
  const outside: boolean[] = [];
  for (let x = 0; x < outLength; x++) {
    const source = sourceCoordinate(o, x, scale, inLength, outLength, roi);
    outside.push(source === undefined);
    if (source === undefined) {
      perPosition.push({ index: [0], weight: [0] });
      continue;
    }
    const ratio = Number.isInteger(source) ? 1 : source - Math.floor(source);
    let weight = o.mode === 'nearest' ? nearestCoefficients(ratio, o.nearest)
      : o.antialias && scale < 1 ? antialiasCoefficients(ratio, scale, o.mode === 'cubic', o.cubicA)
        : o.mode === 'cubic' ? cubicCoefficients(ratio, o.cubicA) : [1 - ratio, ratio];
    // Neighbours in the edge-padded axis, mapped back to (possibly outside) original indices.
    const pad = Math.ceil(weight.length / 2);
    const index = neighbours(source + pad, weight.length, 0, inLength + 2 * pad).map((i) => i - pad);
    if (o.excludeOutside) {
      weight = weight.map((w, t) => (index[t] < 0 || index[t] >= inLength ? 0 : w));
      const sum = weight.reduce((p, q) => p + q, 0);
      weight = weight.map((w) => w / sum);
    }
    perPosition.push({ index: index.map((i) => Math.min(Math.max(i, 0), inLength - 1)), weight });
  }
  const taps = Math.max(...perPosition.map((p) => p.index.length));
  return {
    index: Array.from({ length: taps }, (_, t) => perPosition.map((p) => p.index[t] ?? p.index[0])),
    weight: Array.from({ length: taps }, (_, t) => perPosition.map((p) => p.weight[t] ?? 0)),
    outside,
  };
}

/** Resamples `axis` of x to `outLength` positions with the given taps. */
function resampleAxis(l: Lowering, x: Value, axis: number, taps: AxisTaps, o: ResizeOptions): Value {
  const outLength = taps.outside.length;
  const shape = x.shape.map((d, i) => (i === axis ? outLength : d));
  const along = (values: number[], dtype: 'float32' | 'bool') => l.constant(tensor(dtype, shape.map((d, i) => (i === axis ? d : 1)), values));
  const gather = (index: number[]) => l.emit('gather', [x, l.constant(tensor('int64', [outLength], index.map(BigInt)))], x.dtype, shape, { axis }, INTERNAL);
  let y: Value;
  if (o.mode === 'nearest') {
    // One tap carries weight 1 at each position: gather it, no arithmetic.
    y = gather(taps.outside.map((_, p) => taps.index[Math.max(0, taps.weight.findIndex((w) => w[p] === 1))][p]));
  } else {
    y = taps.index.map((index, t) => l.emit('binary', [gather(index), along(taps.weight[t], 'float32')], 'float32', shape, { code: BINARY.Mul }, INTERNAL))
      .reduce((sum, term) => l.emit('binary', [sum, term], 'float32', shape, { code: BINARY.Add }, INTERNAL));
  }
  if (!taps.outside.some(Boolean)) return y;
  const fill = l.constant(tensor(x.dtype, [], [x.dtype === 'int64' ? BigInt(Math.trunc(o.extrapolation)) : o.extrapolation]));
  return l.emit('where', [along(taps.outside.map((v) => (v ? 0 : 1)), 'bool'), y, fill], x.dtype, shape, {}, INTERNAL);
}

const floats = (t: { data: ArrayLike<number | bigint> } | undefined) => (t ? Array.from(t.data, Number) : undefined);

function resize(l: Lowering, legacy: boolean): void {
  const x = l.required(0);
  const rank = x.shape.length;
  const o: ResizeOptions = {
    mode: l.attrs.string('mode', 'nearest'),
    transform: legacy ? 'asymmetric' : l.attrs.string('coordinate_transformation_mode', 'half_pixel'),
    nearest: legacy ? 'floor' : l.attrs.string('nearest_mode', 'round_prefer_floor'),
    cubicA: l.attrs.float('cubic_coeff_a', -0.75),
    excludeOutside: l.attrs.int('exclude_outside', 0) === 1,
    antialias: l.attrs.int('antialias', 0) === 1,
    extrapolation: l.attrs.float('extrapolation_value', 0),
  };
  if (!['nearest', 'linear', 'cubic'].includes(o.mode)) l.fail(`mode must be nearest, linear or cubic, got '${o.mode}'`);
  if (o.mode !== 'nearest') float32Only(l, x);
  const axes = (l.attrs.ints('axes') ?? x.shape.map((_, i) => i)).map((a) => (a < 0 ? a + rank : a));
  // Where the scales or sizes come from differs across versions: Upsample 7 (attribute), Upsample 9 and
  // Resize 10 (input 1), Resize 11+ (roi, scales, sizes as inputs 1-3).
  const scaleInput = l.node.opType === 'Upsample' && l.opset < 9 ? undefined : legacy || l.opset < 11 ? 1 : 2;
  let scales = scaleInput === undefined ? l.attrs.floats('scales') : floats(l.input(scaleInput) ? l.constantInput(scaleInput) : undefined);
  const sizes = !legacy && l.opset >= 11 && l.input(3) ? floats(l.constantInput(3)) : undefined;
  const roiValues = !legacy && l.opset >= 11 && l.input(1) ? floats(l.constantInput(1)) : undefined;
  if (scales && scales.length === 0) scales = undefined;
  if (!scales && !sizes) l.fail('needs scales or sizes');
  const given = (sizes ?? scales)!;
  if (given.length !== axes.length) l.fail(`has ${given.length} scales or sizes for ${axes.length} axes`);
  let factor = scales ?? axes.map((a, i) => sizes![i] / x.shape[a]);
  let out = scales ? axes.map((a, i) => Math.floor(x.shape[a] * scales![i])) : [...sizes!];
  const policy = l.attrs.string('keep_aspect_ratio_policy', 'stretch');
  if (sizes && policy !== 'stretch') {
    const pick = policy === 'not_larger' ? Math.min(...factor) : Math.max(...factor);
    factor = axes.map(() => pick);
    out = axes.map((a) => Math.floor(x.shape[a] * pick + 0.5));
  }
  let y = x;
  axes.forEach((axis, i) => {
    const roi: [number, number] = roiValues ? [roiValues[i], roiValues[i + axes.length]] : [0, 1];
    const taps = axisTaps(o, x.shape[axis], out[i], factor[i], roi);
    const identity = out[i] === x.shape[axis] && !taps.outside.some(Boolean) && taps.index.every((idx, t) => idx.every((s, p) => taps.weight[t][p] === 0 || (s === p && taps.weight[t][p] === 1)));
    if (!identity) y = resampleAxis(l, y, axis, taps, o);
  });
  if (elementCount(y.shape) > 1 << 28) l.fail(`output [${y.shape}] is too large`);
  l.emit('copy', [y], y.dtype, y.shape);
}

export const RESIZE_HANDLERS: Record<string, Handler> = {
  Resize: (l) => resize(l, l.opset < 11),
  Upsample: (l) => resize(l, true),
};
