// ONNX node → plan steps, with shape and type inference for concrete input shapes. Each handler reads
// the node's attributes for its opset and either emits native steps or folds constants.
import { elementCount, tensor, type Tensor } from '../tensor';
import type { onnx } from '../onnx/proto';
import { onnxDType, tensorFromProto } from '../onnx/tensor-proto';
import {
  arith, axesInput, axisOf, binary, BINARY, broadcast, castTo, COMPARE, float32Only, isInteger, REDUCE, reduceAxes, reduceOf, reshaped, unary, UNARY,
  type Handler, type Lowering, type Value,
} from './lowering';
import { clipInteger, INTEGER_HANDLERS } from './lower-integer';
import { COMPOSITE_HANDLERS, layerNormStatistics } from './lower-composite';
import { LAYOUT_HANDLERS } from './lower-layout';
import { QUANTIZE_HANDLERS } from './lower-quantize';
import { EINSUM_HANDLERS } from './lower-einsum';
import { FUSED_ACTIVATION, FUSED_ALPHA } from './optimize';
import { RECURRENT_HANDLERS } from './lower-recurrent';
import { RESIZE_HANDLERS } from './lower-resize';

/** Window attributes of Conv and pooling, with auto_pad resolved for the input's spatial dims. */
function windowOf(l: Lowering, x: Value, kernel: number[], lifted: Record<string, number[] | undefined> = {}): Record<string, unknown> {
  if (x.shape.length !== 4) l.fail(`supports 1-D and 2-D spatial inputs only, got rank ${x.shape.length}`);
  const attr = (name: string) => (name in lifted ? lifted[name] : l.attrs.ints(name));
  const strides = attr('strides') ?? [1, 1];
  const dilations = attr('dilations') ?? [1, 1];
  let pads = attr('pads') ?? [0, 0, 0, 0];
  const autoPad = l.attrs.string('auto_pad', 'NOTSET');
  if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    pads = [0, 0, 0, 0];
    for (let d = 0; d < 2; d++) {
      const input = x.shape[2 + d];
      const out = Math.ceil(input / strides[d]);
      const total = Math.max(0, (out - 1) * strides[d] + (kernel[d] - 1) * dilations[d] + 1 - input);
      const small = Math.floor(total / 2);
      pads[d] = autoPad === 'SAME_UPPER' ? small : total - small;
      pads[d + 2] = total - pads[d];
    }
  } else if (autoPad !== 'NOTSET' && autoPad !== 'VALID') l.fail(`auto_pad '${autoPad}' is not supported`);
  if (kernel.length !== 2 || strides.length !== 2 || dilations.length !== 2 || pads.length !== 4) l.fail('supports 2-D windows only');
  return { kernelShape: kernel, strides, dilations, pads, ceilMode: l.attrs.int('ceil_mode', 0) === 1 };
}

/** Window attributes over r >= 3 spatial dims (the N-D kernels), auto_pad resolved, and the output dims. */
function windowNd(l: Lowering, x: Value, kernel: number[]): { params: Record<string, unknown>; out: number[] } {
  const r = x.shape.length - 2;
  const strides = l.attrs.ints('strides') ?? new Array(r).fill(1);
  const dilations = l.attrs.ints('dilations') ?? new Array(r).fill(1);
  let pads = l.attrs.ints('pads') ?? new Array(2 * r).fill(0);
  const autoPad = l.attrs.string('auto_pad', 'NOTSET');
  if (autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
    pads = new Array(2 * r).fill(0);
    for (let d = 0; d < r; d++) {
      const total = Math.max(0, (Math.ceil(x.shape[2 + d] / strides[d]) - 1) * strides[d] + (kernel[d] - 1) * dilations[d] + 1 - x.shape[2 + d]);
      const small = Math.floor(total / 2);
      pads[d] = autoPad === 'SAME_UPPER' ? small : total - small;
      pads[d + r] = total - pads[d];
    }
  } else if (autoPad !== 'NOTSET' && autoPad !== 'VALID') l.fail(`auto_pad '${autoPad}' is not supported`);
  if (kernel.length !== r || strides.length !== r || dilations.length !== r || pads.length !== 2 * r) l.fail(`window attributes must have ${r} entries (pads ${2 * r})`);
  const ceilMode = l.attrs.int('ceil_mode', 0) === 1;
  const out = kernel.map((k, d) => {
    const span = (k - 1) * dilations[d] + 1, padded = x.shape[2 + d] + pads[d] + pads[d + r];
    if (padded < span) l.fail(`window does not fit the padded input [${x.shape.slice(2)}]`);
    let o = Math.floor((padded - span) / strides[d]) + 1;
    if (ceilMode) {
      o = Math.floor((padded - span + strides[d] - 1) / strides[d]) + 1;
      if ((o - 1) * strides[d] >= x.shape[2 + d] + pads[d]) o--;
    }
    return o;
  });
  return { params: { kernelShape: kernel, strides, dilations, pads, ceilMode }, out };
}

/** Output spatial size, exactly as native window_output computes it. */
function windowOutput(x: Value, w: Record<string, unknown>, l: Lowering): [number, number] {
  const [kh, kw] = w.kernelShape as number[], [sh, sw] = w.strides as number[], [dh, dw] = w.dilations as number[];
  const [pt, pl, pb, pr] = w.pads as number[];
  const one = (input: number, k: number, s: number, d: number, p0: number, p1: number) => {
    const span = (k - 1) * d + 1, padded = input + p0 + p1;
    if (padded < span) l.fail(`window ${kh}x${kw} does not fit the padded input ${x.shape[2]}x${x.shape[3]}`);
    let out = Math.floor((padded - span) / s) + 1;
    if (w.ceilMode) {
      out = Math.floor((padded - span + s - 1) / s) + 1;
      if ((out - 1) * s >= input + p0) out--;
    }
    return out;
  };
  return [one(x.shape[2], kh, sh, dh, pt, pb), one(x.shape[3], kw, sw, dw, pl, pr)];
}

/** A rank-3 [N, C, L] value seen as [N, C, 1, L], so 1-D windows run on the 2-D kernels. */
function as2d(l: Lowering, v: Value): Value {
  if (v.shape.length !== 3) return v;
  return reshaped(l, v, [v.shape[0], v.shape[1], 1, v.shape[2]]);
}

/** 1-D window attributes lifted to 2-D: a unit first spatial dim. */
function lift1d(l: Lowering): Record<string, number[] | undefined> {
  const lift = (name: string, unit: number) => {
    const v = l.attrs.ints(name);
    return v && v.length === 1 ? [unit, v[0]] : v;
  };
  const pads = l.attrs.ints('pads');
  return { kernel_shape: lift('kernel_shape', 1), strides: lift('strides', 1), dilations: lift('dilations', 1), pads: pads && pads.length === 2 ? [0, pads[0], 0, pads[1]] : pads };
}

/** Emits a window op on 2-D views and reshapes a 1-D result back to [N, C, L]. */
function windowed(l: Lowering, rank: number, emit: (output: number) => Value): void {
  if (rank !== 3) return void emit(0);
  const y = emit(-1);
  l.emit('copy', [y], y.dtype, [y.shape[0], y.shape[1], y.shape[3]]);
}

/** Folds n inputs left to right with one binary op, so rounding never depends on threads. */
function variadic(l: Lowering, code: number, output = 0): Value {
  let acc = l.required(0);
  const n = l.node.inputs.length;
  if (n === 1) return l.emit('copy', [acc], acc.dtype, acc.shape, {}, output);
  for (let i = 1; i < n; i++) acc = arith(l, acc, l.required(i), code, i === n - 1 ? output : -1);
  return acc;
}

/** ONNX Slice on one dim: the clamped start and the output length. */
function sliceDim(dim: number, start: number, end: number, step: number): [number, number] {
  if (step === 0) throw new RangeError('Slice steps cannot be 0');
  let s = start < 0 ? start + dim : start, e = end < 0 ? end + dim : end;
  if (step > 0) {
    s = Math.min(Math.max(s, 0), dim);
    e = Math.min(Math.max(e, 0), dim);
  } else {
    s = Math.min(Math.max(s, 0), dim - 1);
    e = Math.min(Math.max(e, -1), dim - 1);
  }
  return [s, Math.max(0, Math.ceil((e - s) / step))];
}

const SAFE = (v: number) => Math.min(Math.max(v, -(2 ** 53)), 2 ** 53);
const ints = (t: Tensor | undefined) => (t ? Array.from(t.data as ArrayLike<number | bigint>, (v) => SAFE(Number(v))) : undefined);

function slice(l: Lowering, x: Value, starts: number[], ends: number[], axesIn: number[] | undefined, stepsIn: number[] | undefined, output = 0): Value {
  const rank = x.shape.length;
  const axes = (axesIn ?? starts.map((_, i) => i)).map((a) => axisOf(a, rank, l));
  const steps = stepsIn ?? starts.map(() => 1);
  if (ends.length !== starts.length || axes.length !== starts.length || steps.length !== starts.length) l.fail('starts, ends, axes and steps must have the same length');
  const shape = [...x.shape];
  axes.forEach((a, i) => (shape[a] = sliceDim(x.shape[a], starts[i], ends[i], steps[i])[1]));
  return l.emit('slice', [x], x.dtype, shape, { starts, ends, ints: axes, steps }, output);
}

function pool(l: Lowering, code: number): void {
  const x0 = l.required(0);
  float32Only(l, x0);
  if (l.node.outputs.length > 1 && l.node.outputs[1]) l.fail('the Indices output is not supported');
  if (x0.shape.length >= 5) {
    const { params, out } = windowNd(l, x0, l.attrs.ints('kernel_shape') ?? l.fail('needs kernel_shape'));
    return void l.emit('poolNd', [x0], 'float32', [x0.shape[0], x0.shape[1], ...out], { ...params, code, flag: l.attrs.int('count_include_pad', 0) === 1 });
  }
  const x = as2d(l, x0);
  const attrs = x0.shape.length === 3 ? lift1d(l) : { kernel_shape: l.attrs.ints('kernel_shape') };
  const kernel = attrs.kernel_shape ?? l.fail('needs kernel_shape');
  const window = windowOf(l, x, kernel, attrs);
  const [oh, ow] = windowOutput(x, window, l);
  windowed(l, x0.shape.length, (output) =>
    l.emit('pool', [x], 'float32', [x.shape[0], x.shape[1], oh, ow], { ...window, code, flag: l.attrs.int('count_include_pad', 0) === 1 }, output));
}

/** The activation the graph optimizer fused into this Conv, Gemm or MatMul, as step parameters. */
function fusedActivation(l: Lowering): { activation?: string; activationAlpha?: number } {
  if (!l.attrs.has(FUSED_ACTIVATION)) return {};
  return { activation: l.attrs.string(FUSED_ACTIVATION, 'identity'), activationAlpha: l.attrs.float(FUSED_ALPHA, 0.01) };
}

function reshapeTo(l: Lowering, x: Value, shape: number[]): void {
  if (elementCount(shape) !== elementCount(x.shape)) l.fail(`cannot reshape [${x.shape}] to [${shape}]`);
  if (x.constant) l.define(0, { ...x.constant, shape, data: x.constant.data } as Tensor);
  else l.emit('copy', [x], x.dtype, shape);
}

function reduce(l: Lowering, code: number, axesAsInputSince: number): void {
  const x = l.required(0);
  reduceOf(l, x, code, reduceAxes(l, x, axesAsInputSince), l.attrs.int('keepdims', 1) === 1);
}

function softmax(l: Lowering, log: boolean): void {
  const x = l.required(0);
  float32Only(l, x);
  const rank = x.shape.length;
  if (l.opset >= 13) return void l.emit('softmax', [x], 'float32', x.shape, { axis: axisOf(l.attrs.int('axis', -1), rank, l), flag: log });
  // Before opset 13: softmax over the input coerced to 2-D at `axis`.
  const axis = axisOf(l.attrs.int('axis', 1), rank, l);
  const coerced = [elementCount(x.shape.slice(0, axis)), elementCount(x.shape.slice(axis))];
  l.emit('softmax', [x], 'float32', x.shape, { axis: 1, flag: log, ints: coerced });
}

const HANDLERS: Record<string, Handler> = {
  ...Object.fromEntries(Object.entries(UNARY).map(([op, name]) => [op, (l: Lowering) => unary(l, name)])),
  LeakyRelu: (l) => unary(l, 'leakyRelu', { alpha: l.attrs.float('alpha', 0.01) }),
  HardSigmoid: (l) => unary(l, 'hardSigmoid', { alpha: l.attrs.float('alpha', 0.2), beta: l.attrs.float('beta', 0.5) }),
  Gelu: (l) => unary(l, l.attrs.string('approximate', 'none') === 'tanh' ? 'geluTanh' : 'gelu'),
  Clip: (l) => {
    if (isInteger(l.required(0).dtype)) return clipInteger(l);
    if (l.opset >= 11 && [1, 2].some((i) => l.input(i) && !l.input(i)!.constant)) {
      // Bounds computed at run time: Min(Max(x, lo), hi), which keeps NaN like Clip does.
      const x = l.required(0);
      const [lo, hi] = [l.input(1), l.input(2)];
      float32Only(l, x, lo, hi);
      const low = lo ? l.emit('binary', [x, lo], 'float32', broadcast(x.shape, lo.shape, 'Clip'), { code: BINARY.Max }, hi ? -1 : 0) : x;
      if (hi) l.emit('binary', [low, hi], 'float32', broadcast(low.shape, hi.shape, 'Clip'), { code: BINARY.Min });
      return;
    }
    const bound = (i: number, attr: string, fallback: number) => {
      if (l.opset < 11) return l.attrs.float(attr, fallback);
      const t = l.constantInput(i);
      return t ? Number(t.data[0]) : fallback;
    };
    unary(l, 'clip', { alpha: bound(1, 'min', -Infinity), beta: bound(2, 'max', Infinity) });
  },
  ...Object.fromEntries(Object.entries(BINARY).map(([op, code]) => [op, (l: Lowering) => binary(l, code)])),
  Pow: (l) => {
    // Pow takes its exponent in any numeric type; the result has the base's type.
    const [a, b] = [l.required(0), l.required(1)];
    if (a.dtype === b.dtype) return binary(l, BINARY.Pow);
    if (a.dtype !== 'float32' && !isInteger(a.dtype)) l.fail(`base must be float32 or an integer, got ${a.dtype}`);
    const power = arith(l, castTo(l, a, 'float32'), castTo(l, b, 'float32'), BINARY.Pow, a.dtype === 'float32' ? 0 : -1);
    if (a.dtype !== 'float32') castTo(l, power, a.dtype, 0);
  },
  // Variadic since opset 8; one input is a copy.
  ...Object.fromEntries(Object.entries(COMPARE).map(([op, code]) => [op, (l: Lowering) => {
    const [a, b] = [l.required(0), l.required(1)];
    if (a.dtype !== b.dtype) l.fail(`compares two tensors of one dtype, got ${a.dtype} and ${b.dtype}`);
    if (a.dtype !== 'float32' && a.dtype !== 'float64' && a.dtype !== 'bool' && !isInteger(a.dtype)) l.fail(`cannot compare ${a.dtype}`);
    l.emit('compare', [a, b], 'bool', broadcast(a.shape, b.shape, op), { code });
  }])),
  Sum: (l) => variadic(l, BINARY.Add),
  Max: (l) => variadic(l, BINARY.Max),
  Min: (l) => variadic(l, BINARY.Min),
  Mean: (l) => {
    const count = l.node.inputs.length;
    const sum = variadic(l, BINARY.Add, count > 1 ? -1 : 0);
    if (count > 1) l.emit('binary', [sum, l.constant(tensor('float32', [], [count]))], 'float32', sum.shape, { code: BINARY.Div });
  },
  MatMul: (l) => {
    let [a, b] = [l.required(0), l.required(1)];
    float32Only(l, a, b);
    // numpy matmul: a 1-D operand gains a unit dim (dropped again from the result).
    const [vecA, vecB] = [a.shape.length === 1, b.shape.length === 1];
    if (vecA) a = reshaped(l, a, [1, a.shape[0]]);
    if (vecB) b = reshaped(l, b, [b.shape[0], 1]);
    if (a.shape.length < 2 || b.shape.length < 2) l.fail(`operands must have rank >= 1, got [${a.shape}] x [${b.shape}]`);
    if (a.shape[a.shape.length - 1] !== b.shape[b.shape.length - 2]) l.fail(`inner dims differ: [${a.shape}] x [${b.shape}]`);
    const [m, n] = [a.shape[a.shape.length - 2], b.shape[b.shape.length - 1]];
    // With a plain matrix B, A's leading dims fold into M; otherwise batch dims broadcast.
    const batch = b.shape.length === 2 ? a.shape.slice(0, -2) : broadcast(a.shape.slice(0, -2), b.shape.slice(0, -2), 'MatMul batch');
    const shape = [...batch, m, n];
    const bias = l.input(2);
    const fused = fusedActivation(l);
    if (!vecA && !vecB) return void l.emit('matmul', [a, b, bias], 'float32', shape, fused);
    const y = l.emit('matmul', [a, b, bias], 'float32', shape, fused, -1);
    l.emit('copy', [y], 'float32', [...batch, ...(vecA ? [] : [m]), ...(vecB ? [] : [n])]);
  },
  Gemm: (l) => {
    const [a, b, c] = [l.required(0), l.required(1), l.input(2)];
    float32Only(l, a, b, c);
    if (a.shape.length !== 2 || b.shape.length !== 2) l.fail('A and B must be matrices');
    const transA = l.attrs.int('transA', 0) === 1, transB = l.attrs.int('transB', 0) === 1;
    const [m, k] = transA ? [a.shape[1], a.shape[0]] : a.shape;
    const [kb, n] = transB ? [b.shape[1], b.shape[0]] : b.shape;
    if (k !== kb) l.fail(`inner dims differ: ${k} vs ${kb}`);
    if (c) broadcast([m, n], c.shape, 'Gemm C');
    if (c && c.shape.length === 2 && c.shape[0] !== 1 && c.shape[0] !== m) l.fail(`C of shape [${c.shape}] does not broadcast to [${m}, ${n}]`);
    l.emit('gemm', [a, b, c], 'float32', [m, n], { flag: transA, flag2: transB, alpha: l.attrs.float('alpha', 1), beta: l.attrs.float('beta', 1), ...fusedActivation(l) });
  },
  Conv: (l) => {
    const [x0, w0, b] = [l.required(0), l.required(1), l.input(2)];
    float32Only(l, x0, w0, b);
    if (w0.shape.length !== x0.shape.length) l.fail(`weights [${w0.shape}] do not match input rank ${x0.shape.length}`);
    if (x0.shape.length >= 5) {
      const group = l.attrs.int('group', 1);
      if (x0.shape[1] !== w0.shape[1] * group) l.fail(`input has ${x0.shape[1]} channels, weights expect ${w0.shape[1] * group}`);
      const { params, out } = windowNd(l, x0, l.attrs.ints('kernel_shape') ?? w0.shape.slice(2));
      const act = fusedActivation(l);
      const y = l.emit('convNd', [x0, w0, b], 'float32', [x0.shape[0], w0.shape[0], ...out], { ...params, group }, act.activation ? -1 : 0);
      if (act.activation) l.emit('unary', [y], 'float32', y.shape, { unary: act.activation, alpha: act.activationAlpha });
      return;
    }
    const [x, w] = [as2d(l, x0), as2d(l, w0)];
    if (w.shape.length !== 4) l.fail(`supports 1-D, 2-D and 3-D convolution, got weights [${w0.shape}]`);
    const attrs = x0.shape.length === 3 ? lift1d(l) : { kernel_shape: l.attrs.ints('kernel_shape') };
    const window = windowOf(l, x, attrs.kernel_shape ?? w.shape.slice(2), attrs);
    const [oh, ow] = windowOutput(x, window, l);
    const group = l.attrs.int('group', 1);
    if (x.shape[1] !== w.shape[1] * group) l.fail(`input has ${x.shape[1]} channels, weights expect ${w.shape[1] * group}`);
    windowed(l, x0.shape.length, (output) => l.emit('conv', [x, w, b], 'float32', [x.shape[0], w.shape[0], oh, ow], { ...window, group, ...fusedActivation(l) }, output));
  },
  ConvTranspose: (l) => {
    const [x0, w0, b] = [l.required(0), l.required(1), l.input(2)];
    float32Only(l, x0, w0, b);
    if (w0.shape.length !== x0.shape.length) l.fail(`weights [${w0.shape}] do not match input rank ${x0.shape.length}`);
    const [x, w] = [as2d(l, x0), as2d(l, w0)];
    if (x.shape.length !== 4) l.fail(`supports 1-D and 2-D transposed convolution only, got input [${x0.shape}]`);
    const lifted = x0.shape.length === 3 ? lift1d(l) : {};
    const attr = (name: string, unit = 0) => {
      if (name in lifted) return lifted[name];
      const v = l.attrs.ints(name);
      return x0.shape.length === 3 && v && v.length === 1 ? [unit, v[0]] : v;
    };
    const kernel = attr('kernel_shape') ?? w.shape.slice(2);
    const strides = attr('strides', 1) ?? [1, 1], dilations = attr('dilations', 1) ?? [1, 1];
    const extra = attr('output_padding') ?? [0, 0];
    const group = l.attrs.int('group', 1);
    if (x.shape[1] !== w.shape[0] || x.shape[1] % group !== 0) l.fail(`input has ${x.shape[1]} channels, weights [${w0.shape}] with group ${group} do not fit`);
    const inputs = x.shape.slice(2);
    const span = (d: number) => (kernel[d] - 1) * dilations[d] + 1;
    const full = (d: number) => strides[d] * (inputs[d] - 1) + extra[d] + span(d);
    const autoPad = l.attrs.string('auto_pad', 'NOTSET');
    const outputShape = attr('output_shape', 1);
    let pads = attr('pads') ?? [0, 0, 0, 0];
    if (outputShape || autoPad === 'SAME_UPPER' || autoPad === 'SAME_LOWER') {
      // ONNX: the total padding that gives the asked size, split with the odd unit by auto_pad.
      const target = outputShape ? outputShape.slice(-2) : inputs.map((n, d) => n * strides[d]);
      pads = [0, 0, 0, 0];
      for (let d = 0; d < 2; d++) {
        const total = full(d) - target[d];
        const half = Math.floor(total / 2);
        [pads[d], pads[d + 2]] = autoPad === 'SAME_UPPER' ? [half, total - half] : [total - half, half];
      }
    } else if (autoPad !== 'NOTSET' && autoPad !== 'VALID') l.fail(`auto_pad '${autoPad}' is not supported`);
    const out = [0, 1].map((d) => full(d) - pads[d] - pads[d + 2]);
    if (out.some((v) => v < 0)) l.fail(`pads [${pads}] leave no output`);
    const window = { kernelShape: kernel, strides, dilations, pads };
    windowed(l, x0.shape.length, (output) =>
      l.emit('convTranspose', [x, w, b], 'float32', [x.shape[0], w.shape[1] * group, out[0], out[1]], { ...window, group, ints: out }, output));
  },
  MaxPool: (l) => pool(l, 0),
  AveragePool: (l) => pool(l, 1),
  GlobalMaxPool: (l) => {
    const x = l.required(0);
    l.emit('globalPool', [x], 'float32', [...x.shape.slice(0, 2), ...x.shape.slice(2).map(() => 1)], { code: 0 });
  },
  GlobalAveragePool: (l) => {
    const x = l.required(0);
    l.emit('globalPool', [x], 'float32', [...x.shape.slice(0, 2), ...x.shape.slice(2).map(() => 1)], { code: 1 });
  },
  BatchNormalization: (l) => {
    if (l.node.outputs.slice(1).some((o) => o)) l.fail('training-mode outputs (running mean/var) are not supported');
    const x = l.required(0);
    float32Only(l, x);
    l.emit('batchNorm', [x, l.required(1), l.required(2), l.required(3), l.required(4)], 'float32', x.shape, { epsilon: l.attrs.float('epsilon', 1e-5) });
  },
  LayerNormalization: (l) => {
    const x = l.required(0);
    float32Only(l, x);
    const axis = axisOf(l.attrs.int('axis', -1), x.shape.length, l);
    const epsilon = l.attrs.float('epsilon', 1e-5);
    l.emit('layerNorm', [x, l.required(1), l.input(2)], 'float32', x.shape, { axis, epsilon });
    if (l.node.outputs[1] || l.node.outputs[2]) layerNormStatistics(l, x, axis, epsilon);
  },
  Softmax: (l) => softmax(l, false),
  LogSoftmax: (l) => softmax(l, true),
  Flatten: (l) => {
    const x = l.required(0);
    const rank = x.shape.length;
    const raw = l.attrs.int('axis', 1);
    const axis = raw < 0 ? raw + rank : raw;
    if (axis < 0 || axis > rank) l.fail(`axis ${raw} is out of range for rank ${rank}`);
    reshapeTo(l, x, [elementCount(x.shape.slice(0, axis)), elementCount(x.shape.slice(axis))]);
  },
  Reshape: (l) => {
    const x = l.required(0);
    const target = l.opset < 5 ? l.attrs.ints('shape')! : Array.from((l.constantInput(1) ?? l.fail('needs a constant shape input')).data as BigInt64Array, Number);
    const allowZero = l.attrs.int('allowzero', 0) === 1;
    const shape = target.map((d, i) => (d === 0 && !allowZero ? x.shape[i] : d));
    const unknown = shape.indexOf(-1);
    if (unknown >= 0) shape[unknown] = elementCount(x.shape) / elementCount(shape.filter((_, i) => i !== unknown));
    reshapeTo(l, x, shape);
  },
  Squeeze: (l) => {
    const x = l.required(0);
    const axes = (axesInput(l, 13) ?? x.shape.flatMap((d, i) => (d === 1 ? [i] : []))).map((a) => axisOf(a, x.shape.length, l));
    reshapeTo(l, x, x.shape.filter((_, i) => !axes.includes(i)));
  },
  Unsqueeze: (l) => {
    const x = l.required(0);
    const axes = axesInput(l, 13) ?? l.fail('needs axes');
    const rank = x.shape.length + axes.length;
    const at = axes.map((a) => (a < 0 ? a + rank : a));
    const shape: number[] = [];
    for (let i = 0, j = 0; i < rank; i++) shape.push(at.includes(i) ? 1 : x.shape[j++]);
    reshapeTo(l, x, shape);
  },
  Identity: (l) => reshapeTo(l, l.required(0), l.required(0).shape),
  Dropout: (l) => {
    const training = l.opset >= 12 && l.input(2) ? l.constantInput(2) : undefined;
    if (training && Number(training.data[0]) !== 0) l.fail('training mode (random dropout) is not supported');
    const x = l.required(0);
    reshapeTo(l, x, x.shape);
    // In inference every element is kept.
    if (l.node.outputs[1]) l.define(1, tensor('bool', x.shape, new Uint8Array(elementCount(x.shape)).fill(1)));
  },
  Transpose: (l) => {
    const x = l.required(0);
    const perm = l.attrs.ints('perm') ?? x.shape.map((_, i) => x.shape.length - 1 - i);
    l.emit('transpose', [x], x.dtype, perm.map((p) => x.shape[p]), { ints: perm });
  },
  Concat: (l) => {
    const inputs = l.node.inputs.map((_, i) => l.required(i));
    const rank = inputs[0].shape.length;
    const axis = axisOf(l.attrs.int('axis', 0), rank, l);
    const shape = [...inputs[0].shape];
    shape[axis] = inputs.reduce((n, v) => n + v.shape[axis], 0);
    l.emit('concat', inputs, inputs[0].dtype, shape, { axis });
  },
  Gather: (l) => {
    const [x, idx] = [l.required(0), l.required(1)];
    if (idx.dtype !== 'int64') l.fail(`indices must be int64, got ${idx.dtype}`);
    const axis = axisOf(l.attrs.int('axis', 0), x.shape.length, l);
    l.emit('gather', [x, idx], x.dtype, [...x.shape.slice(0, axis), ...idx.shape, ...x.shape.slice(axis + 1)], { axis });
  },
  Cast: (l) => {
    const x = l.required(0);
    const to = onnxDType(l.attrs.int('to', 1), `node '${l.node.name}' (Cast) attribute to`);
    l.emit('cast', [x], to, x.shape, { to });
  },
  Constant: (l) => {
    const value = l.node.attributes.find((a) => a.name === 'value');
    if (value?.t) return l.define(0, tensorFromAttribute(value.t, l));
    const float = l.node.attributes.find((a) => a.name === 'value_float');
    if (float) return l.define(0, tensor('float32', [], [float.f ?? 0]));
    const ints = l.attrs.ints('value_ints');
    if (ints) return l.define(0, tensor('int64', [ints.length], ints.map(BigInt)));
    if (l.attrs.has('value_int')) return l.define(0, tensor('int64', [], [BigInt(l.attrs.int('value_int', 0))]));
    l.fail('supports value, value_float, value_int and value_ints');
  },
  Shape: (l) => {
    const x = l.required(0);
    const rank = x.shape.length;
    const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + rank : v, 0), rank);
    const dims = x.shape.slice(clamp(l.attrs.int('start', 0)), clamp(l.attrs.int('end', rank)));
    l.define(0, tensor('int64', [dims.length], dims.map(BigInt)));
  },
  Slice: (l) => {
    const x = l.required(0);
    if (l.opset < 10) return void slice(l, x, l.attrs.ints('starts') ?? [], l.attrs.ints('ends') ?? [], l.attrs.ints('axes'), undefined);
    slice(l, x, ints(l.constantInput(1)) ?? [], ints(l.constantInput(2)) ?? [], ints(l.constantInput(3)), ints(l.constantInput(4)));
  },
  Split: (l) => {
    const x = l.required(0);
    const axis = axisOf(l.attrs.int('axis', 0), x.shape.length, l);
    const n = l.node.outputs.length;
    let sizes = l.opset < 13 ? l.attrs.ints('split') : ints(l.constantInput(1));
    if (!sizes) {
      const chunk = Math.ceil(x.shape[axis] / n);
      sizes = Array.from({ length: n }, (_, i) => Math.max(0, Math.min(chunk, x.shape[axis] - i * chunk)));
    }
    if (sizes.length !== n || sizes.reduce((a, b) => a + b, 0) !== x.shape[axis]) l.fail(`split sizes [${sizes}] do not cover dim ${x.shape[axis]}`);
    let start = 0;
    sizes.forEach((size, i) => {
      slice(l, x, [start], [start + size], [axis], [1], i);
      start += size;
    });
  },
  Expand: (l) => {
    const x = l.required(0);
    const target = ints(l.constantInput(1) ?? l.fail('needs a constant shape')) ?? [];
    const shape = broadcast(x.shape, target, 'Expand');
    // Where(true, x, x) broadcast to the target moves x's bits unchanged, for every dtype; the mask
    // has ones along the dims x already has, so the constant stays small.
    const maskShape = shape.map((d, i) => ((x.shape[x.shape.length - shape.length + i] ?? 1) === d ? 1 : d));
    const mask = l.constant(tensor('bool', maskShape, new Uint8Array(elementCount(maskShape)).fill(1)));
    l.emit('where', [mask, x, x], x.dtype, shape);
  },
  Tile: (l) => {
    const x = l.required(0);
    const repeats = ints(l.constantInput(1) ?? l.fail('needs constant repeats')) ?? [];
    if (repeats.length !== x.shape.length) l.fail(`repeats has ${repeats.length} entries, input rank is ${x.shape.length}`);
    let acc = x;
    repeats.forEach((r, axis) => {
      if (r === 1) return;
      const shape = [...acc.shape];
      shape[axis] *= r;
      acc = l.emit('concat', Array(r).fill(acc), acc.dtype, shape, { axis }, -1);
    });
    l.emit('copy', [acc], acc.dtype, acc.shape);
  },
  Reciprocal: (l) => {
    const x = l.required(0);
    float32Only(l, x);
    l.emit('binary', [l.constant(tensor('float32', [], [1])), x], 'float32', x.shape, { code: BINARY.Div });
  },
  PRelu: (l) => {
    const x = l.required(0);
    let slope = l.required(1);
    float32Only(l, x, slope);
    // Before opset 7 a 1-D slope is per channel (axis 1), not numpy-broadcast from the right.
    if (l.opset < 7 && slope.shape.length === 1 && x.shape.length > 2 && slope.shape[0] === x.shape[1] && slope.shape[0] !== x.shape[x.shape.length - 1]) {
      slope = reshaped(l, slope, [slope.shape[0], ...x.shape.slice(2).map(() => 1)]);
    }
    const zero = l.constant(tensor('float32', [], [0]));
    const shape = broadcast(x.shape, slope.shape, 'PRelu');
    const positive = l.emit('binary', [x, zero], 'float32', x.shape, { code: BINARY.Max }, -1);
    const negative = l.emit('binary', [x, zero], 'float32', x.shape, { code: BINARY.Min }, -1);
    const scaled = l.emit('binary', [negative, slope], 'float32', shape, { code: BINARY.Mul }, -1);
    l.emit('binary', [positive, scaled], 'float32', shape, { code: BINARY.Add });
  },
  ConstantOfShape: (l) => {
    const shape = ints(l.constantInput(0) ?? l.fail('needs a constant shape')) ?? [];
    const value = l.node.attributes.find((a) => a.name === 'value')?.t;
    const fill = value ? tensorFromProto(value, undefined, `node '${l.node.name}' value`) : tensor('float32', [1], [0]);
    const out = tensor(fill.dtype, shape);
    (out.data as { fill(v: unknown): void }).fill(fill.data[0]);
    l.define(0, out);
  },
  Size: (l) => l.define(0, tensor('int64', [], [BigInt(elementCount(l.required(0).shape))])),
  ...Object.fromEntries(Object.entries(REDUCE).map(([op, code]) => [op, (l: Lowering) => reduce(l, code, op === 'ReduceSum' ? 13 : 18)])),
  ...INTEGER_HANDLERS,
  ...COMPOSITE_HANDLERS,
  ...LAYOUT_HANDLERS,
  ...QUANTIZE_HANDLERS,
  ...RESIZE_HANDLERS,
  ...RECURRENT_HANDLERS,
  ...EINSUM_HANDLERS,
};

function tensorFromAttribute(t: onnx.ITensorProto, l: Lowering): Tensor {
  return tensorFromProto(t, undefined, `node '${l.node.name}' (Constant) value`);
}

export function isSupported(opType: string, domain: string): boolean {
  return (domain === '' || domain === 'ai.onnx') && opType in HANDLERS;
}

export function lowerNode(l: Lowering): void {
  HANDLERS[l.node.opType](l);
}
