// Integer, bool and selection ops: logical and bitwise ops, integer Neg/Abs/Clip/Mod, Where,
// GatherElements, ArgMax/ArgMin. Their kernels are exact (native/ops/integer.cpp, select.cpp).
import { arith, axisOf, BINARY, broadcast, castTo, INT_OP, logicalNot, isInteger, scalar, unary, type Handler, type Lowering, type Value } from './lowering';

function logical(code: number): Handler {
  return (l) => {
    const [a, b] = [l.required(0), l.required(1)];
    if (a.dtype !== 'bool' || b.dtype !== 'bool') l.fail(`takes bool inputs, got ${a.dtype} and ${b.dtype}`);
    l.emit('intBinary', [a, b], 'bool', broadcast(a.shape, b.shape, l.node.opType), { code });
  };
}

function bitwise(code: number): Handler {
  return (l) => {
    const [a, b] = [l.required(0), l.required(1)];
    if (a.dtype !== b.dtype || !isInteger(a.dtype)) l.fail(`takes two integers of one dtype, got ${a.dtype} and ${b.dtype}`);
    l.emit('intBinary', [a, b], a.dtype, broadcast(a.shape, b.shape, l.node.opType), { code });
  };
}

/** -x for integers: 0 - x, wrapping like the hardware. */
function negate(l: Lowering, x: Value, output = 0): Value {
  return l.emit('intBinary', [scalar(l, x.dtype, 0), x], x.dtype, x.shape, { code: INT_OP.Sub }, output);
}

/** Integer Clip: Min(Max(x, lo), hi) with the bounds it was given. */
export function clipInteger(l: Lowering): void {
  const x = l.required(0);
  const bound = (i: number, attr: string) => (l.opset < 11 ? (l.attrs.has(attr) ? scalar(l, x.dtype, l.attrs.float(attr, 0)) : undefined) : l.input(i));
  const [lo, hi] = [bound(1, 'min'), bound(2, 'max')];
  if (!lo && !hi) return void l.emit('copy', [x], x.dtype, x.shape);
  const low = lo ? arith(l, x, lo, BINARY.Max, hi ? -1 : 0) : x;
  if (hi) arith(l, low, hi, BINARY.Min);
}

const REDUCTIONS: Record<string, number> = { none: 0, add: 1, mul: 2, max: 3, min: 4 };

function int64Indices(l: Lowering, idx: Value): Value {
  if (idx.dtype !== 'int64' && idx.dtype !== 'int32') l.fail(`indices must be int64 or int32, got ${idx.dtype}`);
  return castTo(l, idx, 'int64');
}

/** ScatterElements / ScatterND: data with updates written (or reduced) at the indices, in order. */
function scatter(op: 'scatterElements' | 'scatterND'): Handler {
  return (l) => {
    const [x, idx, updates] = [l.required(0), int64Indices(l, l.required(1)), l.required(2)];
    if (updates.dtype !== x.dtype) l.fail(`updates must be ${x.dtype}, got ${updates.dtype}`);
    const reduction = l.attrs.string('reduction', 'none');
    if (!(reduction in REDUCTIONS)) l.fail(`reduction must be none, add, mul, max or min, got '${reduction}'`);
    if (reduction !== 'none' && x.dtype !== 'float32') l.fail(`reduction '${reduction}' supports float32, got ${x.dtype}`);
    const params = op === 'scatterElements' ? { axis: axisOf(l.attrs.int('axis', 0), x.shape.length, l) } : {};
    l.emit(op, [x, idx, updates], x.dtype, x.shape, { ...params, code: REDUCTIONS[reduction] });
  };
}

function argReduce(code: number): Handler {
  return (l) => {
    const x = l.required(0);
    if (x.dtype !== 'float32') l.fail(`supports float32 inputs, got ${x.dtype}`);
    const axis = axisOf(l.attrs.int('axis', 0), x.shape.length, l);
    if (x.shape[axis] === 0) l.fail('cannot take the arg max/min over an empty axis');
    const keep = l.attrs.int('keepdims', 1) === 1;
    const shape = keep ? x.shape.map((d, i) => (i === axis ? 1 : d)) : x.shape.filter((_, i) => i !== axis);
    l.emit('argReduce', [x], 'int64', shape, { code, axis, flag: l.attrs.int('select_last_index', 0) === 1 });
  };
}

export const INTEGER_HANDLERS: Record<string, Handler> = {
  And: logical(INT_OP.And),
  Or: logical(INT_OP.Or),
  Xor: logical(INT_OP.Xor),
  Not: (l) => {
    const x = l.required(0);
    if (x.dtype !== 'bool') l.fail(`takes a bool input, got ${x.dtype}`);
    logicalNot(l, x, 0);
  },
  BitwiseAnd: bitwise(INT_OP.And),
  BitwiseOr: bitwise(INT_OP.Or),
  BitwiseXor: bitwise(INT_OP.Xor),
  BitwiseNot: (l) => {
    const x = l.required(0);
    if (!isInteger(x.dtype)) l.fail(`takes an integer input, got ${x.dtype}`);
    l.emit('intBinary', [x, scalar(l, x.dtype, x.dtype === 'uint8' ? 255 : -1)], x.dtype, x.shape, { code: INT_OP.Xor });
  },
  BitShift: (l) => {
    const direction = l.attrs.string('direction', '');
    if (direction !== 'LEFT' && direction !== 'RIGHT') l.fail(`direction must be LEFT or RIGHT, got '${direction}'`);
    bitwise(direction === 'LEFT' ? INT_OP.ShiftLeft : INT_OP.ShiftRight)(l);
  },
  Mod: (l) => {
    const [a, b] = [l.required(0), l.required(1)];
    const float = a.dtype === 'float32' || a.dtype === 'float64';
    if (!isInteger(a.dtype) && !float) l.fail(`supports integer, float32 and float64 inputs, got ${a.dtype}`);
    if (a.dtype !== b.dtype) l.fail(`takes two inputs of one dtype, got ${a.dtype} and ${b.dtype}`);
    if (float && l.attrs.int('fmod', 0) !== 1) l.fail('floating-point Mod needs fmod=1 (ONNX)');
    const code = l.attrs.int('fmod', 0) === 1 ? INT_OP.FMod : INT_OP.Mod;
    l.emit('intBinary', [a, b], a.dtype, broadcast(a.shape, b.shape, 'Mod'), { code });
  },
  Neg: (l) => {
    const x = l.required(0);
    if (x.dtype === 'float32') return unary(l, 'neg');
    if (!isInteger(x.dtype)) l.fail(`supports float32 and integer inputs, got ${x.dtype}`);
    negate(l, x);
  },
  Abs: (l) => {
    const x = l.required(0);
    if (x.dtype === 'float32') return unary(l, 'abs');
    if (!isInteger(x.dtype)) l.fail(`supports float32 and integer inputs, got ${x.dtype}`);
    if (x.dtype === 'uint8') return void l.emit('copy', [x], x.dtype, x.shape);
    arith(l, x, negate(l, x, -1), BINARY.Max);
  },
  Where: (l) => {
    const [c, x, y] = [l.required(0), l.required(1), l.required(2)];
    if (c.dtype !== 'bool') l.fail(`condition must be bool, got ${c.dtype}`);
    if (x.dtype !== y.dtype) l.fail(`X and Y must have one dtype, got ${x.dtype} and ${y.dtype}`);
    l.emit('where', [c, x, y], x.dtype, broadcast(broadcast(c.shape, x.shape, 'Where'), y.shape, 'Where'));
  },
  GatherElements: (l) => {
    const [x, indices] = [l.required(0), int64Indices(l, l.required(1))];
    if (indices.shape.length !== x.shape.length) l.fail(`indices have rank ${indices.shape.length}, data has ${x.shape.length}`);
    const axis = axisOf(l.attrs.int('axis', 0), x.shape.length, l);
    l.emit('gatherElements', [x, indices], x.dtype, indices.shape, { axis });
  },
  TopK: (l) => {
    const x = l.required(0);
    if (x.dtype !== 'float32') l.fail(`supports float32 inputs, got ${x.dtype}`);
    const axis = axisOf(l.attrs.int('axis', -1), x.shape.length, l);
    const k = l.opset < 10 ? l.attrs.int('k', 0) : Number((l.constantInput(1) ?? l.fail('needs k when the model is planned')).data[0]);
    if (!(k >= 0 && k <= x.shape[axis])) l.fail(`k must be within 0…${x.shape[axis]}, got ${k}`);
    const shape = x.shape.map((d, i) => (i === axis ? k : d));
    const largest = l.opset < 11 || l.attrs.int('largest', 1) === 1;
    // Indices first (a total order, ties by index), then the values they point at.
    const indices = l.emit('topK', [x], 'int64', shape, { axis, code: largest ? 0 : 1, ints: [k] }, 1);
    l.emit('gatherElements', [x, indices], 'float32', shape, { axis });
  },
  ScatterElements: scatter('scatterElements'),
  Scatter: scatter('scatterElements'),
  ScatterND: scatter('scatterND'),
  GatherND: (l) => {
    const [x, idx] = [l.required(0), int64Indices(l, l.required(1))];
    const batchDims = l.attrs.int('batch_dims', 0);
    const k = idx.shape[idx.shape.length - 1];
    if (idx.shape.length < 1 || k < 1 || batchDims + k > x.shape.length) l.fail(`indices [${idx.shape}] do not fit data [${x.shape}]`);
    l.emit('gatherND', [x, idx], x.dtype, [...idx.shape.slice(0, -1), ...x.shape.slice(batchDims + k)], { axis: batchDims });
  },
  CumSum: (l) => {
    const x = l.required(0);
    if (!['float32', 'float64'].includes(x.dtype) && !isInteger(x.dtype)) l.fail(`supports float32, float64 and integer inputs, got ${x.dtype}`);
    const axisTensor = l.constantInput(1) ?? l.fail('needs the axis');
    const axis = axisOf(Number(axisTensor.data[0]), x.shape.length, l);
    l.emit('cumSum', [x], x.dtype, x.shape, { axis, flag: l.attrs.int('exclusive', 0) === 1, flag2: l.attrs.int('reverse', 0) === 1 });
  },
  ArgMax: argReduce(0),
  ArgMin: argReduce(1),
};
