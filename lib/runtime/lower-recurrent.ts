// RNN, GRU and LSTM unrolled over the sequence at plan time: the input projection of every step is one
// MatMul, then each step is a small MatMul on the previous state plus the gates' elementwise ops, in the
// ONNX equations' order. sequence_lens (known when planning) masks finished sequences: their state is
// carried unchanged and their outputs are zeros.
import { tensor } from '../tensor';
import { BINARY, float32Only, reshaped, type Handler, type Lowering, type Value } from './lowering';

const INTERNAL = -1;
const ACTIVATIONS: Record<string, string> = { Sigmoid: 'sigmoid', Tanh: 'tanh', Relu: 'relu' };

type Cell = 'RNN' | 'GRU' | 'LSTM';
const GATES: Record<Cell, number> = { RNN: 1, GRU: 3, LSTM: 4 };
const DEFAULT_ACTIVATIONS: Record<Cell, string[]> = { RNN: ['Tanh'], GRU: ['Sigmoid', 'Tanh'], LSTM: ['Sigmoid', 'Tanh', 'Tanh'] };

class Emitter {
  constructor(private readonly l: Lowering) {}
  bin(a: Value, b: Value, code: number, shape = a.shape.length >= b.shape.length ? a.shape : b.shape): Value {
    return this.l.emit('binary', [a, b], 'float32', shape, { code }, INTERNAL);
  }
  act(x: Value, name: string): Value {
    const op = ACTIVATIONS[name] ?? this.l.fail(`activation '${name}' is not supported (Sigmoid, Tanh, Relu)`);
    return this.l.emit('unary', [x], 'float32', x.shape, { unary: op }, INTERNAL);
  }
  matmul(a: Value, b: Value): Value {
    return this.l.emit('matmul', [a, b], 'float32', [...a.shape.slice(0, -1), b.shape[b.shape.length - 1]], {}, INTERNAL);
  }
  slice(x: Value, axis: number, start: number, length: number): Value {
    const shape = x.shape.map((d, i) => (i === axis ? length : d));
    return this.l.emit('slice', [x], 'float32', shape, { starts: [start], ends: [start + length], ints: [axis], steps: [1] }, INTERNAL);
  }
  reshape(x: Value, shape: number[], output = INTERNAL): Value {
    return reshaped(this.l, x, shape, output);
  }
  select(mask: Value, a: Value, b: Value): Value {
    return this.l.emit('where', [mask, a, b], 'float32', a.shape, {}, INTERNAL);
  }
  concat(parts: Value[], axis: number, output = INTERNAL): Value {
    const shape = [...parts[0].shape];
    shape[axis] = parts.reduce((n, p) => n + p.shape[axis], 0);
    return parts.length === 1 ? this.reshape(parts[0], shape, output) : this.l.emit('concat', parts, 'float32', shape, { axis }, output);
  }
  scalar(v: number): Value {
    return this.l.constant(tensor('float32', [], [v]));
  }
}

/** One direction over the whole sequence; returns each step's hidden state (time order) and the final states. */
function direction(l: Lowering, e: Emitter, cell: Cell, d: number, reverse: boolean, xs: Value[], lengths: number[], acts: string[]): { outputs: Value[]; h: Value; c?: Value } {
  const hidden = l.attrs.int('hidden_size', 0);
  const batch = xs[0].shape[0];
  const gates = GATES[cell];
  const pick = (v: Value, rows: number[]) => e.reshape(e.slice(v, 0, d, 1), rows);
  const w = pick(l.required(1), [gates * hidden, xs[0].shape[1]]);
  const r = pick(l.required(2), [gates * hidden, hidden]);
  const wt = l.emit('transpose', [w], 'float32', [w.shape[1], w.shape[0]], { ints: [1, 0] }, INTERNAL);
  const rt = l.emit('transpose', [r], 'float32', [hidden, gates * hidden], { ints: [1, 0] }, INTERNAL);
  const bias = l.input(3) ? pick(l.required(3), [2 * gates * hidden]) : undefined;
  const wb = bias && e.slice(bias, 0, 0, gates * hidden), rb = bias && e.slice(bias, 0, gates * hidden, gates * hidden);
  const initial = (i: number) => (l.input(i) ? pick(l.required(i), [batch, hidden]) : l.constant(tensor('float32', [batch, hidden])));
  let h = initial(5);
  let c = cell === 'LSTM' ? initial(6) : undefined;
  const peep = cell === 'LSTM' && l.input(7) ? pick(l.required(7), [3 * hidden]) : undefined;
  const gate = (v: Value, i: number) => e.slice(v, v.shape.length - 1, i * hidden, hidden);
  const linearBeforeReset = l.attrs.int('linear_before_reset', 0) === 1;
  const clip = l.attrs.has('clip') ? l.attrs.float('clip', 0) : undefined;
  const clipped = (v: Value) => (clip === undefined ? v : l.emit('unary', [v], 'float32', v.shape, { unary: 'clip', alpha: -clip, beta: clip }, INTERNAL));
  const outputs: Value[] = new Array(xs.length);
  const order = xs.map((_, t) => (reverse ? xs.length - 1 - t : t));
  for (const t of order) {
    let xw = e.matmul(xs[t], wt);
    if (wb) xw = e.bin(xw, wb, BINARY.Add);
    let hr = e.matmul(h, rt);
    if (rb) hr = e.bin(hr, rb, BINARY.Add);
    let nextH: Value;
    let nextC: Value | undefined;
    if (cell === 'RNN') {
      nextH = e.act(clipped(e.bin(xw, hr, BINARY.Add)), acts[0]);
    } else if (cell === 'GRU') {
      const z = e.act(clipped(e.bin(gate(xw, 0), gate(hr, 0), BINARY.Add)), acts[0]);
      const rg = e.act(clipped(e.bin(gate(xw, 1), gate(hr, 1), BINARY.Add)), acts[0]);
      let candidate: Value;
      if (linearBeforeReset) candidate = e.bin(gate(xw, 2), e.bin(rg, gate(hr, 2), BINARY.Mul), BINARY.Add);
      else {
        const reset = e.matmul(e.bin(rg, h, BINARY.Mul), e.slice(rt, 1, 2 * hidden, hidden));
        candidate = e.bin(gate(xw, 2), rb ? e.bin(reset, e.slice(rb, 0, 2 * hidden, hidden), BINARY.Add) : reset, BINARY.Add);
      }
      const ht = e.act(clipped(candidate), acts[1]);
      nextH = e.bin(e.bin(e.bin(e.scalar(1), z, BINARY.Sub), ht, BINARY.Mul), e.bin(z, h, BINARY.Mul), BINARY.Add);
    } else {
      const sum = e.bin(xw, hr, BINARY.Add);
      const peephole = (i: number, state: Value, pre: Value) => (peep ? e.bin(pre, e.bin(e.slice(peep, 0, i * hidden, hidden), state, BINARY.Mul), BINARY.Add) : pre);
      const input = e.act(clipped(peephole(0, c!, gate(sum, 0))), acts[0]);
      const forget = e.act(clipped(peephole(2, c!, gate(sum, 2))), acts[0]);
      const candidate = e.act(clipped(gate(sum, 3)), acts[1]);
      nextC = e.bin(e.bin(forget, c!, BINARY.Mul), e.bin(input, candidate, BINARY.Mul), BINARY.Add);
      const out = e.act(clipped(peephole(1, nextC, gate(sum, 1))), acts[0]);
      nextH = e.bin(out, e.act(nextC, acts[2]), BINARY.Mul);
    }
    // Sequences already finished keep their state and emit zeros.
    const active = lengths.map((n) => (t < n ? 1 : 0));
    if (active.every((a) => a === 1)) {
      outputs[t] = nextH;
    } else {
      const mask = l.constant(tensor('bool', [batch, 1], active));
      nextH = e.select(mask, nextH, h);
      if (nextC) nextC = e.select(mask, nextC, c!);
      outputs[t] = e.select(mask, nextH, e.scalar(0));
    }
    h = nextH;
    c = nextC ?? c;
  }
  return { outputs, h, c };
}

function recurrent(cell: Cell): Handler {
  return (l) => {
    const x0 = l.required(0);
    float32Only(l, x0);
    const hidden = l.attrs.int('hidden_size', 0);
    if (hidden < 1) l.fail('needs hidden_size');
    const batchwise = l.attrs.int('layout', 0) === 1;
    if (x0.shape.length !== 3) l.fail(`X must be 3-D, got [${x0.shape}]`);
    const e = new Emitter(l);
    const [seq, batch] = batchwise ? [x0.shape[1], x0.shape[0]] : [x0.shape[0], x0.shape[1]];
    const x = batchwise ? l.emit('transpose', [x0], 'float32', [seq, batch, x0.shape[2]], { ints: [1, 0, 2] }, INTERNAL) : x0;
    const xs = Array.from({ length: seq }, (_, t) => e.reshape(e.slice(x, 0, t, 1), [batch, x0.shape[2]]));
    const lengthsTensor = l.input(4) ? l.constantInput(4) : undefined;
    const lengths = lengthsTensor ? Array.from(lengthsTensor.data as ArrayLike<number | bigint>, Number) : new Array(batch).fill(seq);
    if (lengths.length !== batch || lengths.some((n) => n < 0 || n > seq)) l.fail(`sequence_lens [${lengths}] does not fit batch ${batch} and ${seq} steps`);
    const dir = l.attrs.string('direction', 'forward');
    if (!['forward', 'reverse', 'bidirectional'].includes(dir)) l.fail(`direction must be forward, reverse or bidirectional, got '${dir}'`);
    if (cell === 'LSTM' && l.attrs.int('input_forget', 0) === 1) l.fail('input_forget is not supported');
    const names = l.node.attributes.find((a) => a.name === 'activations')?.strings?.map((s) => new TextDecoder().decode(s)) ?? [];
    const per = DEFAULT_ACTIVATIONS[cell].length;
    const runs = dir === 'bidirectional' ? [false, true] : [dir === 'reverse'];
    const results = runs.map((reverse, d) => direction(l, e, cell, d, reverse, xs, lengths, names.length ? names.slice(d * per, (d + 1) * per) : DEFAULT_ACTIVATIONS[cell]));
    const dirs = runs.length;
    const stateShape = [1, batch, hidden];
    if (l.node.outputs[0]) {
      // Y: [seq, dirs, batch, hidden], or [batch, seq, dirs, hidden] with layout 1.
      const steps = xs.map((_, t) => e.concat(results.map((r) => e.reshape(r.outputs[t], [1, 1, batch, hidden])), 1));
      const y = e.concat(steps, 0, batchwise ? INTERNAL : 0);
      if (batchwise) l.emit('transpose', [y], 'float32', [batch, seq, dirs, hidden], { ints: [2, 0, 1, 3] });
    }
    const finalState = (output: number, pickState: (r: (typeof results)[number]) => Value) => {
      if (!l.node.outputs[output]) return;
      const stacked = e.concat(results.map((r) => e.reshape(pickState(r), stateShape)), 0, batchwise ? INTERNAL : output);
      if (batchwise) l.emit('transpose', [stacked], 'float32', [batch, dirs, hidden], { ints: [1, 0, 2] }, output);
    };
    finalState(1, (r) => r.h);
    if (cell === 'LSTM') finalState(2, (r) => r.c!);
  };
}

export const RECURRENT_HANDLERS: Record<string, Handler> = { RNN: recurrent('RNN'), GRU: recurrent('GRU'), LSTM: recurrent('LSTM') };
