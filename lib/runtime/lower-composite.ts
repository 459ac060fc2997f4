// Ops the runtime builds from its primitives at plan time: activations defined piecewise, the L1/log
// reductions, Trilu, Hardmax, OneHot, the NLL and softmax cross-entropy losses, LayerNorm's statistics,
// and shape-only ops whose result is a plan constant (Range, EyeLike). Each follows the ONNX reference
// formula, so the results are those of the primitives' bit-identical kernels.
import { elementCount, tensor, type DType, type Tensor } from '../tensor';
import { onnxDType } from '../onnx/tensor-proto';
import {
  arith, axisOf, BINARY, broadcast, castTo, COMPARE, float32Only, INT_OP, isInteger, logicalNot, REDUCE, reduceAxes, reduceOf, reshaped as reshape, scalar,
  type Handler, type Lowering, type Value,
} from './lowering';

const INTERNAL = -1;

const f32 = (l: Lowering, v: number) => scalar(l, 'float32', v);
const bin = (l: Lowering, a: Value, b: Value, code: number, output = INTERNAL) => arith(l, a, b, code, output);
const un = (l: Lowering, x: Value, op: string, params: Record<string, unknown> = {}, output = INTERNAL) =>
  l.emit('unary', [x], 'float32', x.shape, { unary: op, ...params }, output);
const cmp = (l: Lowering, a: Value, b: Value, code: number) => l.emit('compare', [a, b], 'bool', broadcast(a.shape, b.shape, l.node.opType), { code }, INTERNAL);
const select = (l: Lowering, c: Value, x: Value, y: Value, output = INTERNAL) =>
  l.emit('where', [c, x, y], x.dtype, broadcast(broadcast(c.shape, x.shape, l.node.opType), y.shape, l.node.opType), {}, output);

function floatInput(l: Lowering): Value {
  const x = l.required(0);
  float32Only(l, x);
  return x;
}

/** alpha * (exp(x) - 1), the negative side of Elu and Selu. */
function expMinusOne(l: Lowering, x: Value, alpha: number): Value {
  return bin(l, bin(l, un(l, x, 'exp'), f32(l, 1), BINARY.Sub), f32(l, alpha), BINARY.Mul);
}

/** A constant int64 0, 1, …, n-1 laid along `axis` of a rank-`rank` shape of ones. */
function iota(l: Lowering, n: number, axis: number, rank: number): Value {
  const shape = Array.from({ length: rank }, (_, i) => (i === axis ? n : 1));
  return l.constant(tensor('int64', shape, Array.from({ length: n }, (_, i) => BigInt(i))));
}

/** x with a unit dim inserted at `axis`. */
function unsqueeze(l: Lowering, x: Value, axis: number): Value {
  return reshape(l, x, [...x.shape.slice(0, axis), 1, ...x.shape.slice(axis)]);
}

/** Mean and InvStdDev outputs of LayerNormalization (outputs 1 and 2), over the axes from `axis` on. */
export function layerNormStatistics(l: Lowering, x: Value, axis: number, epsilon: number): void {
  const axes = x.shape.map((_, i) => i).slice(axis);
  const mean = reduceOf(l, x, REDUCE.ReduceMean, axes, true, l.node.outputs[1] ? 1 : INTERNAL);
  if (!l.node.outputs[2]) return;
  const centred = bin(l, x, mean, BINARY.Sub);
  const variance = reduceOf(l, bin(l, centred, centred, BINARY.Mul), REDUCE.ReduceMean, axes, true, INTERNAL);
  bin(l, f32(l, 1), un(l, bin(l, variance, f32(l, epsilon), BINARY.Add), 'sqrt'), BINARY.Div, 2);
}

/**
 * NegativeLogLikelihoodLoss on log-probabilities x [N, C, d…] and targets [N, d…]: the ONNX function
 * body, loss = -x[n, t, d…] · w[t], zero where t == ignore_index, then none / sum / weighted mean.
 */
function nllLoss(l: Lowering, x: Value, target: Value, weight: Value | undefined, output = 0): void {
  if (target.dtype !== 'int64' && target.dtype !== 'int32') l.fail(`target must be int64 or int32, got ${target.dtype}`);
  if (x.shape.length < 2 || target.shape.length !== x.shape.length - 1) l.fail(`input [${x.shape}] and target [${target.shape}] do not match [N, C, d…] and [N, d…]`);
  let t = castTo(l, target, 'int64');
  const ignore = l.attrs.has('ignore_index') ? l.attrs.int('ignore_index', 0) : undefined;
  const ignored = ignore === undefined ? undefined : cmp(l, t, scalar(l, 'int64', ignore), COMPARE.Equal);
  if (ignored) t = select(l, ignored, scalar(l, 'int64', 0), t);
  const picked = l.emit('gatherElements', [x, unsqueeze(l, t, 1)], 'float32', [x.shape[0], 1, ...x.shape.slice(2)], { axis: 1 }, INTERNAL);
  let loss = un(l, reshape(l, picked, target.shape), 'neg');
  let weights: Value | undefined;
  if (weight) {
    float32Only(l, weight);
    weights = l.emit('gather', [weight, t], 'float32', t.shape, { axis: 0 }, INTERNAL);
    if (ignored) weights = select(l, ignored, f32(l, 0), weights);
  } else if (ignored) {
    weights = select(l, ignored, f32(l, 0), f32(l, 1));
  }
  if (weights) loss = bin(l, loss, weights, BINARY.Mul);
  const reduction = l.attrs.string('reduction', 'mean');
  const all = target.shape.map((_, i) => i);
  if (reduction === 'none') return void reshape(l, loss, loss.shape, output);
  if (reduction === 'sum') return void reduceOf(l, loss, REDUCE.ReduceSum, all, false, output);
  if (reduction !== 'mean') l.fail(`reduction must be none, sum or mean, got '${reduction}'`);
  if (!weights) return void reduceOf(l, loss, REDUCE.ReduceMean, all, false, output);
  const total = reduceOf(l, loss, REDUCE.ReduceSum, all, false, INTERNAL);
  bin(l, total, reduceOf(l, weights, REDUCE.ReduceSum, all, false, INTERNAL), BINARY.Div, output);
}

/** 1 - x², via (1 - x)(1 + x), which keeps its digits as |x| nears 1. */
function oneMinusSquare(l: Lowering, x: Value): Value {
  return bin(l, bin(l, f32(l, 1), x, BINARY.Sub), bin(l, f32(l, 1), x, BINARY.Add), BINARY.Mul);
}

/** A window function of ONNX's signal ops, as a plan constant: Σ a_k cos(2πkn / N). */
function cosineWindow(l: Lowering, coefficients: number[]): void {
  const size = Number((l.constantInput(0) ?? l.fail('needs a constant size')).data[0]);
  if (!Number.isSafeInteger(size) || size < 0 || size > 1 << 24) l.fail(`size must be an integer 0…16777216, got ${size}`);
  const n = l.attrs.int('periodic', 1) === 1 ? size : size - 1;
  const values = Array.from({ length: size }, (_, i) => coefficients.reduce((sum, a, k) => sum + a * Math.cos((2 * Math.PI * k * i) / n), 0));
  const dtype = onnxDType(l.attrs.int('output_datatype', 1), `node '${l.node.name}' output_datatype`);
  l.define(0, tensor(dtype, [size], dtype === 'int64' ? values.map((v) => BigInt(Math.trunc(v))) : values));
}

export const COMPOSITE_HANDLERS: Record<string, Handler> = {
  Tan: (l) => {
    const x = floatInput(l);
    bin(l, un(l, x, 'sin'), un(l, x, 'cos'), BINARY.Div, 0);
  },
  // asin x = atan(x / √(1 - x²)); acos x = 2 atan(√((1 - x) / (1 + x))), which stays accurate near ±1.
  Asin: (l) => {
    const x = floatInput(l);
    un(l, bin(l, x, un(l, oneMinusSquare(l, x), 'sqrt'), BINARY.Div), 'atan', {}, 0);
  },
  Acos: (l) => {
    const x = floatInput(l);
    const ratio = bin(l, bin(l, f32(l, 1), x, BINARY.Sub), bin(l, f32(l, 1), x, BINARY.Add), BINARY.Div);
    bin(l, f32(l, 2), un(l, un(l, ratio, 'sqrt'), 'atan'), BINARY.Mul, 0);
  },
  Sinh: (l) => {
    const x = floatInput(l);
    bin(l, bin(l, un(l, x, 'exp'), un(l, un(l, x, 'neg'), 'exp'), BINARY.Sub), f32(l, 0.5), BINARY.Mul, 0);
  },
  Cosh: (l) => {
    const x = floatInput(l);
    bin(l, bin(l, un(l, x, 'exp'), un(l, un(l, x, 'neg'), 'exp'), BINARY.Add), f32(l, 0.5), BINARY.Mul, 0);
  },
  // asinh is odd: computed on |x| (no cancellation) and given x's sign back.
  Asinh: (l) => {
    const x = floatInput(l);
    const a = un(l, x, 'abs');
    const y = un(l, bin(l, a, un(l, bin(l, bin(l, a, a, BINARY.Mul), f32(l, 1), BINARY.Add), 'sqrt'), BINARY.Add), 'log');
    select(l, cmp(l, x, f32(l, 0), COMPARE.Less), un(l, y, 'neg'), y, 0);
  },
  Acosh: (l) => {
    const x = floatInput(l);
    const root = un(l, bin(l, bin(l, x, f32(l, 1), BINARY.Sub), bin(l, x, f32(l, 1), BINARY.Add), BINARY.Mul), 'sqrt');
    un(l, bin(l, x, root, BINARY.Add), 'log', {}, 0);
  },
  Atanh: (l) => {
    const x = floatInput(l);
    const ratio = bin(l, bin(l, f32(l, 1), x, BINARY.Add), bin(l, f32(l, 1), x, BINARY.Sub), BINARY.Div);
    bin(l, un(l, ratio, 'log'), f32(l, 0.5), BINARY.Mul, 0);
  },
  HannWindow: (l) => cosineWindow(l, [0.5, -0.5]),
  HammingWindow: (l) => cosineWindow(l, [25 / 46, -21 / 46]),
  BlackmanWindow: (l) => cosineWindow(l, [0.42, -0.5, 0.08]),
  Elu: (l) => {
    const x = floatInput(l);
    select(l, cmp(l, x, f32(l, 0), COMPARE.Greater), x, expMinusOne(l, x, l.attrs.float('alpha', 1)), 0);
  },
  Selu: (l) => {
    const x = floatInput(l);
    const alpha = l.attrs.float('alpha', 1.67326319217681884765625);
    const negative = bin(l, bin(l, un(l, x, 'exp'), f32(l, alpha), BINARY.Mul), f32(l, alpha), BINARY.Sub);
    bin(l, select(l, cmp(l, x, f32(l, 0), COMPARE.Greater), x, negative), f32(l, l.attrs.float('gamma', 1.05070102214813232421875)), BINARY.Mul, 0);
  },
  Celu: (l) => {
    const x = floatInput(l);
    const alpha = l.attrs.float('alpha', 1);
    const negative = expMinusOne(l, bin(l, x, f32(l, alpha), BINARY.Div), alpha);
    bin(l, bin(l, x, f32(l, 0), BINARY.Max), bin(l, negative, f32(l, 0), BINARY.Min), BINARY.Add, 0);
  },
  Softsign: (l) => {
    const x = floatInput(l);
    bin(l, x, bin(l, un(l, x, 'abs'), f32(l, 1), BINARY.Add), BINARY.Div, 0);
  },
  HardSwish: (l) => {
    const x = floatInput(l);
    bin(l, x, un(l, x, 'hardSigmoid', { alpha: 1 / 6, beta: 0.5 }), BINARY.Mul, 0);
  },
  ThresholdedRelu: (l) => {
    const x = floatInput(l);
    select(l, cmp(l, x, f32(l, l.attrs.float('alpha', 1)), COMPARE.Greater), x, f32(l, 0), 0);
  },
  Shrink: (l) => {
    const x = floatInput(l);
    const bias = l.attrs.float('bias', 0), lambd = l.attrs.float('lambd', 0.5);
    const above = select(l, cmp(l, x, f32(l, lambd), COMPARE.Greater), bin(l, x, f32(l, bias), BINARY.Sub), f32(l, 0));
    select(l, cmp(l, x, f32(l, -lambd), COMPARE.Less), bin(l, x, f32(l, bias), BINARY.Add), above, 0);
  },
  Sign: (l) => {
    const x = l.required(0);
    if (x.dtype !== 'float32' && !isInteger(x.dtype)) l.fail(`supports float32 and integer inputs, got ${x.dtype}`);
    const [zero, one, minusOne] = [0, 1, -1].map((v) => scalar(l, x.dtype, x.dtype === 'uint8' && v < 0 ? 0 : v));
    const rest = select(l, cmp(l, x, zero, COMPARE.Less), minusOne, x);
    select(l, cmp(l, x, zero, COMPARE.Greater), one, rest, 0);
  },
  IsNaN: (l) => {
    const x = floatInput(l);
    logicalNot(l, cmp(l, x, x, COMPARE.Equal), 0);
  },
  IsInf: (l) => {
    const x = floatInput(l);
    const positive = l.attrs.int('detect_positive', 1) === 1, negative = l.attrs.int('detect_negative', 1) === 1;
    const found = [positive && cmp(l, x, f32(l, Infinity), COMPARE.Equal), negative && cmp(l, x, f32(l, -Infinity), COMPARE.Equal)].filter((v): v is Value => !!v);
    if (found.length === 0) return l.define(0, tensor('bool', x.shape));
    if (found.length === 1) return void reshape(l, found[0], x.shape, 0);
    l.emit('intBinary', found, 'bool', x.shape, { code: INT_OP.Or });
  },
  Trilu: (l) => {
    const x = l.required(0);
    if (x.shape.length < 2) l.fail(`needs rank >= 2, got [${x.shape}]`);
    const kTensor = l.input(1) ? l.constantInput(1) : undefined;
    const k = kTensor ? Number(kTensor.data[0]) : 0;
    const upper = l.attrs.int('upper', 1) === 1;
    const [rows, cols] = x.shape.slice(-2);
    const mask = tensor('bool', [rows, cols]);
    for (let i = 0; i < rows; i++) for (let j = 0; j < cols; j++) mask.data[i * cols + j] = (upper ? j - i >= k : j - i <= k) ? 1 : 0;
    const zero = l.constant(tensor(x.dtype, [], x.dtype === 'int64' ? [0n] : [0]));
    select(l, l.constant(mask), x, zero, 0);
  },
  ReduceL1: (l) => {
    const x = floatInput(l);
    reduceOf(l, un(l, x, 'abs'), REDUCE.ReduceSum, reduceAxes(l, x, 18), l.attrs.int('keepdims', 1) === 1);
  },
  ReduceLogSum: (l) => {
    const x = floatInput(l);
    un(l, reduceOf(l, x, REDUCE.ReduceSum, reduceAxes(l, x, 18), l.attrs.int('keepdims', 1) === 1, INTERNAL), 'log', {}, 0);
  },
  ReduceLogSumExp: (l) => {
    // log Σ exp(x - m) + m with m the max: the same value as log Σ exp(x), without overflow.
    const x = floatInput(l);
    const axes = reduceAxes(l, x, 18);
    const keep = l.attrs.int('keepdims', 1) === 1;
    const max = reduceOf(l, x, REDUCE.ReduceMax, axes, true, INTERNAL);
    const sum = reduceOf(l, un(l, bin(l, x, max, BINARY.Sub), 'exp'), REDUCE.ReduceSum, axes, true, INTERNAL);
    const kept = bin(l, un(l, sum, 'log'), max, BINARY.Add, keep ? 0 : INTERNAL);
    if (!keep) reshape(l, kept, axes ? x.shape.filter((_, i) => !axes.includes(i)) : x.shape, 0);
  },
  Hardmax: (l) => {
    const x0 = floatInput(l);
    // Before opset 13 Hardmax works on the input coerced to 2-D at `axis`.
    const coerce = l.opset < 13;
    const rawAxis = axisOf(l.attrs.int('axis', coerce ? 1 : -1), x0.shape.length, l);
    const x = coerce ? reshape(l, x0, [elementCount(x0.shape.slice(0, rawAxis)), elementCount(x0.shape.slice(rawAxis))]) : x0;
    const axis = coerce ? 1 : rawAxis;
    if (x.shape[axis] === 0) return l.define(0, tensor('float32', x0.shape));
    const best = l.emit('argReduce', [x], 'int64', x.shape.map((d, i) => (i === axis ? 1 : d)), { code: 0, axis }, INTERNAL);
    const hot = cmp(l, best, iota(l, x.shape[axis], axis, x.shape.length), COMPARE.Equal);
    l.emit('cast', [hot], 'float32', x0.shape, { to: 'float32' });
  },
  OneHot: (l) => {
    const [indices, values] = [l.required(0), l.required(2)];
    const depthTensor = l.constantInput(1) ?? l.fail('needs a constant depth');
    const depth = Math.trunc(Number(depthTensor.data[0]));
    if (!(depth >= 1 && depth <= 1 << 24)) l.fail(`depth must be 1…16777216, got ${depthTensor.data[0]}`);
    const rank = indices.shape.length + 1;
    const axis = axisOf(l.attrs.int('axis', -1), rank, l);
    let idx = castTo(l, indices, 'int64');
    // Negative indices count from the end of the depth.
    idx = select(l, cmp(l, idx, scalar(l, 'int64', 0), COMPARE.Less), bin(l, idx, scalar(l, 'int64', depth), BINARY.Add), idx);
    const hot = cmp(l, unsqueeze(l, idx, axis), iota(l, depth, axis, rank), COMPARE.Equal);
    if (values.shape.length !== 1 || values.shape[0] !== 2) l.fail(`values must be [off, on], got shape [${values.shape}]`);
    const [off, on] = [0, 1].map((i) => reshape(l, l.emit('slice', [values], values.dtype, [1], { starts: [i], ends: [i + 1], ints: [0], steps: [1] }, INTERNAL), []));
    select(l, hot, on, off, 0);
  },
  InstanceNormalization: (l) => {
    const [x, scale, bias] = [floatInput(l), l.required(1), l.required(2)];
    if (x.shape.length < 3) l.fail(`needs [N, C, spatial…], got [${x.shape}]`);
    const spatial = x.shape.map((_, i) => i).slice(2);
    const mean = reduceOf(l, x, REDUCE.ReduceMean, spatial, true, INTERNAL);
    const centred = bin(l, x, mean, BINARY.Sub);
    const variance = reduceOf(l, bin(l, centred, centred, BINARY.Mul), REDUCE.ReduceMean, spatial, true, INTERNAL);
    const normalised = bin(l, centred, un(l, bin(l, variance, f32(l, l.attrs.float('epsilon', 1e-5)), BINARY.Add), 'sqrt'), BINARY.Div);
    const perChannel = (v: Value) => reshape(l, v, [x.shape[1], ...spatial.map(() => 1)]);
    bin(l, bin(l, normalised, perChannel(scale), BINARY.Mul), perChannel(bias), BINARY.Add, 0);
  },
  MeanVarianceNormalization: (l) => {
    // The ONNX reference: (x - E[x]) / (sqrt(E[x²] - E[x]²) + 1e-9) over `axes`.
    const x = floatInput(l);
    const axes = (l.attrs.ints('axes') ?? [0, 2, 3]).map((a) => axisOf(a, x.shape.length, l));
    const mean = reduceOf(l, x, REDUCE.ReduceMean, axes, true, INTERNAL);
    const meanOfSquares = reduceOf(l, bin(l, x, x, BINARY.Mul), REDUCE.ReduceMean, axes, true, INTERNAL);
    const std = un(l, bin(l, meanOfSquares, bin(l, mean, mean, BINARY.Mul), BINARY.Sub), 'sqrt');
    bin(l, bin(l, x, mean, BINARY.Sub), bin(l, std, f32(l, 1e-9), BINARY.Add), BINARY.Div, 0);
  },
  LRN: (l) => {
    // x / (bias + alpha/size · Σ x² over the channel window)^beta, the window [c - ⌊(size-1)/2⌋, c + ⌈(size-1)/2⌉].
    const x = floatInput(l);
    if (x.shape.length < 3) l.fail(`needs [N, C, spatial…], got [${x.shape}]`);
    const size = l.attrs.int('size', 0);
    if (size < 1) l.fail(`size must be >= 1, got ${size}`);
    const [before, after] = [Math.floor((size - 1) / 2), Math.ceil((size - 1) / 2)];
    const squares = bin(l, x, x, BINARY.Mul);
    const zeros = (n: number) => l.constant(tensor('float32', x.shape.map((d, i) => (i === 1 ? n : d))));
    const padded = l.emit('concat', [...(before ? [zeros(before)] : []), squares, ...(after ? [zeros(after)] : [])], 'float32',
      x.shape.map((d, i) => (i === 1 ? d + before + after : d)), { axis: 1 }, INTERNAL);
    const window = Array.from({ length: size }, (_, k) =>
      l.emit('slice', [padded], 'float32', x.shape, { starts: [k], ends: [k + x.shape[1]], ints: [1], steps: [1] }, INTERNAL));
    const sum = window.reduce((acc, v) => bin(l, acc, v, BINARY.Add));
    const scaled = bin(l, f32(l, l.attrs.float('bias', 1)), bin(l, sum, f32(l, l.attrs.float('alpha', 1e-4) / size), BINARY.Mul), BINARY.Add);
    bin(l, x, bin(l, scaled, f32(l, l.attrs.float('beta', 0.75)), BINARY.Pow), BINARY.Div, 0);
  },
  NegativeLogLikelihoodLoss: (l) => nllLoss(l, floatInput(l), l.required(1), l.input(2)),
  SoftmaxCrossEntropyLoss: (l) => {
    const x = floatInput(l);
    if (x.shape.length < 2) l.fail(`scores must be [N, C, d…], got [${x.shape}]`);
    const logProb = l.emit('softmax', [x], 'float32', x.shape, { axis: 1, flag: true }, l.node.outputs[1] ? 1 : INTERNAL);
    nllLoss(l, logProb, l.required(1), l.input(2));
  },
  CastLike: (l) => {
    const [x, like] = [l.required(0), l.required(1)];
    l.emit('cast', [x], like.dtype, x.shape, { to: like.dtype });
  },
  Range: (l) => {
    const [start, limit, delta] = [0, 1, 2].map((i) => l.constantInput(i) ?? l.fail(`input ${i} must be known when the model is planned`));
    const [s, e, d] = [start, limit, delta].map((t) => Number(t.data[0]));
    if (d === 0) l.fail('delta cannot be 0');
    const n = Math.max(Math.ceil((e - s) / d), 0);
    if (n > 1 << 24) l.fail(`would have ${n} elements (limit 16777216)`);
    const values = Array.from({ length: n }, (_, i) => s + i * d);
    l.define(0, tensor(start.dtype, [n], start.dtype === 'int64' ? values.map(BigInt) : values));
  },
  EyeLike: (l) => {
    const x = l.required(0);
    if (x.shape.length !== 2) l.fail(`needs a 2-D input, got [${x.shape}]`);
    const dtype: DType = l.attrs.has('dtype') ? onnxDType(l.attrs.int('dtype', 1), `node '${l.node.name}' (EyeLike) dtype`) : x.dtype;
    const k = l.attrs.int('k', 0);
    const [rows, cols] = x.shape;
    const eye: Tensor = tensor(dtype, [rows, cols]);
    for (let i = 0; i < rows; i++) if (i + k >= 0 && i + k < cols) (eye.data as unknown as (number | bigint)[])[i * cols + i + k] = dtype === 'int64' ? 1n : 1;
    l.define(0, eye);
  },
};
