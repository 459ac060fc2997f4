// Linear quantization, built from float primitives: QuantizeLinear, DequantizeLinear and
// DynamicQuantizeLinear, each the ONNX reference formula (round half to even, saturate).
import { tensor, type DType } from '../tensor';
import { arith, axisOf, BINARY, castTo, REDUCE, reduceOf, reshaped, scalar, type Handler, type Lowering, type Value } from './lowering';

const INTERNAL = -1;
const RANGE: Partial<Record<DType, [number, number]>> = { uint8: [0, 255], int8: [-128, 127], int32: [-(2 ** 31), 2 ** 31 - 1] };

const toFloat = (l: Lowering, v: Value) => castTo(l, v, 'float32');
const round = (l: Lowering, v: Value) => l.emit('unary', [v], 'float32', v.shape, { unary: 'round' }, INTERNAL);

/** A per-axis parameter [C] shaped to broadcast along `axis` of x; scalars stay as they are. */
function alongAxis(l: Lowering, p: Value, x: Value): Value {
  if (p.shape.length === 0 || (p.shape.length === 1 && p.shape[0] === 1)) return p;
  if (p.shape.length !== 1) l.fail(`supports scalar or per-axis (1-D) scale and zero point, got [${p.shape}]`);
  const axis = axisOf(l.attrs.int('axis', 1), x.shape.length, l);
  if (p.shape[0] !== x.shape[axis]) l.fail(`per-axis parameter has ${p.shape[0]} entries, axis ${axis} has ${x.shape[axis]}`);
  return reshaped(l, p, x.shape.map((d, i) => (i === axis ? d : 1)));
}

/** clip(round(x / scale) + zero, qmin, qmax) cast to the zero point's type. */
function quantize(l: Lowering, x: Value, scale: Value, zero: Value, dtype: DType, output: number): void {
  const [qmin, qmax] = RANGE[dtype] ?? l.fail(`quantizes to uint8, int8 or int32, not ${dtype}`);
  const shifted = arith(l, round(l, arith(l, x, scale, BINARY.Div, INTERNAL)), toFloat(l, zero), BINARY.Add, INTERNAL);
  const clipped = l.emit('unary', [shifted], 'float32', shifted.shape, { unary: 'clip', alpha: qmin, beta: qmax }, INTERNAL);
  castTo(l, clipped, dtype, output);
}

export const QUANTIZE_HANDLERS: Record<string, Handler> = {
  QuantizeLinear: (l) => {
    const [x, scale] = [l.required(0), l.required(1)];
    if (x.dtype !== 'float32' || scale.dtype !== 'float32') l.fail(`quantizes float32 with a float32 scale, got ${x.dtype} and ${scale.dtype}`);
    if (l.attrs.has('block_size') && l.attrs.int('block_size', 0) !== 0) l.fail('blocked quantization is not supported');
    const zero = l.input(2) ?? l.constant(tensor('uint8', [], [0]));
    quantize(l, x, alongAxis(l, scale, x), alongAxis(l, zero, x), zero.dtype, 0);
  },
  DequantizeLinear: (l) => {
    const [x, scale] = [l.required(0), l.required(1)];
    if (!RANGE[x.dtype]) l.fail(`dequantizes uint8, int8 or int32, got ${x.dtype}`);
    if (l.attrs.has('block_size') && l.attrs.int('block_size', 0) !== 0) l.fail('blocked quantization is not supported');
    const zero = l.input(2);
    const centred = zero ? arith(l, toFloat(l, x), toFloat(l, alongAxis(l, zero, x)), BINARY.Sub, INTERNAL) : toFloat(l, x);
    arith(l, centred, alongAxis(l, scale, x), BINARY.Mul);
  },
  DynamicQuantizeLinear: (l) => {
    const x = l.required(0);
    if (x.dtype !== 'float32') l.fail(`quantizes float32, got ${x.dtype}`);
    const all = x.shape.map((_, i) => i);
    const zeroF = scalar(l, 'float32', 0);
    const hi = arith(l, reduceOf(l, x, REDUCE.ReduceMax, all, false, INTERNAL), zeroF, BINARY.Max, INTERNAL);
    const lo = arith(l, reduceOf(l, x, REDUCE.ReduceMin, all, false, INTERNAL), zeroF, BINARY.Min, INTERNAL);
    const scale = arith(l, arith(l, hi, lo, BINARY.Sub, INTERNAL), scalar(l, 'float32', 255), BINARY.Div, 1);
    const start = arith(l, scalar(l, 'float32', 0), arith(l, lo, scale, BINARY.Div, INTERNAL), BINARY.Sub, INTERNAL);
    const zeroPoint = round(l, l.emit('unary', [start], 'float32', start.shape, { unary: 'clip', alpha: 0, beta: 255 }, INTERNAL));
    castTo(l, zeroPoint, 'uint8', 2);
    quantize(l, x, scale, zeroPoint, 'uint8', 0);
  },
};
