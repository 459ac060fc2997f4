// Plans a model run for concrete input shapes: lowers every node to native steps (folding what is
// known at plan time), drops steps no output needs, and packs intermediates into one arena by
// lifetime. The result is handed to the native side once and executed in one call per run.
import { elementCount, type DType, type Tensor } from '../tensor';
import type { Node, OnnxModel } from '../onnx';
import { native } from '../native';
import { Attributes } from './attributes';
import { fuseResiduals } from './fuse-steps';
import { isSupported, lowerNode } from './lower';
import type { Lowering, Value } from './lowering';

export interface PlanSpec {
  values: { dtype: DType; shape: number[]; kind: 'input' | 'output' | 'constant' | 'arena'; slot: number }[];
  constants: Tensor[];
  /** Per constant, its id in the PlanMemo: the native side shares a constant (and its packed forms) by id. */
  constantKeys?: number[];
  steps: { op: string; inputs: number[]; outputs: number[]; params: Record<string, unknown> }[];
  inputs: number[];
  outputs: number[];
  arenaBytes: number;
}

export interface Step {
  op: string;
  inputs: (Value | undefined)[];
  output: Value;
  params: Record<string, unknown>;
}

/** Folded results kept for later plans, oldest dropped first past these bounds. */
const MAX_FOLDS = 4096;
const MAX_FOLD_BYTES = 256 * 2 ** 20;

/**
 * What one model's plans share (one plan per input-shape signature): an id per constant's data, so the
 * native side holds each weight once (views of it with other shapes included), and the results of
 * plan-time folding, so a transposed weight is computed and stored once rather than once per plan.
 * Constant data is never written after it is planned; by-value feeds are copied (planModel) because
 * callers may reuse their tensors.
 */
export class PlanMemo {
  private readonly ids = new WeakMap<ArrayBufferView, number>();
  private nextId = 0;
  private readonly folds = new Map<string, Tensor>();
  private foldBytes = 0;

  keyOf(t: Tensor): number {
    let id = this.ids.get(t.data);
    if (id === undefined) this.ids.set(t.data, (id = this.nextId++));
    return id;
  }

  /** The folded result of `step`, computed by `fold` the first time its op, params and inputs are seen. */
  folded(step: Step, fold: () => Tensor): Tensor {
    const inputs = step.inputs.map((v) => (v ? this.keyOf(v.constant!) : -1));
    const key = `${step.op} ${exactJson(step.params)} ${inputs} ${step.output.dtype} [${step.output.shape}]`;
    let result = this.folds.get(key);
    if (result) {
      this.folds.delete(key); // most recently used last
    } else {
      result = fold();
      this.foldBytes += result.data.byteLength;
    }
    this.folds.set(key, result);
    for (const [oldest, t] of this.folds) {
      if (this.folds.size <= MAX_FOLDS && this.foldBytes <= MAX_FOLD_BYTES) break;
      this.folds.delete(oldest);
      this.foldBytes -= t.data.byteLength;
    }
    return result;
  }

  clear(): void {
    this.folds.clear();
    this.foldBytes = 0;
  }
}

/** JSON that keeps what plain JSON loses from step params: bigints, -0, NaN and the infinities. */
function exactJson(value: unknown): string {
  return JSON.stringify(value, (_, v: unknown) => {
    if (typeof v === 'bigint') return `${v}n`;
    if (typeof v === 'number' && (!Number.isFinite(v) || Object.is(v, -0))) return `#number ${Object.is(v, -0) ? '-0' : v}`;
    return v;
  });
}

const ALIGN = 64;
const BYTES: Record<DType, number> = { float32: 4, float16: 2, bfloat16: 2, int8: 1, uint8: 1, int32: 4, int64: 8, bool: 1, float64: 8, uint16: 2, uint32: 4, uint64: 8 };

export function unsupportedNodes(model: OnnxModel): Node[] {
  return model.nodes.filter((n) => !isSupported(n.opType, n.domain));
}

/**
 * Small inputs planned by value, not only by shape: integers (axes, shapes, sizes fed at run time) and
 * any input that feeds a slot an op needs at plan time (Resize scales, OneHot depth).
 */
export const VALUE_INPUT_LIMIT = 64;
const PLAN_TIME_SLOTS: Record<string, number[]> = { Resize: [1, 2, 3], Upsample: [1], OneHot: [1], Range: [0, 1, 2], TopK: [1] };

/** Per graph input: whether a small tensor fed there is planned by its values. */
export function valueInputSlots(model: OnnxModel): boolean[] {
  const planTime = new Set<string>();
  for (const node of model.nodes) for (const slot of PLAN_TIME_SLOTS[node.opType] ?? []) if (node.inputs[slot]) planTime.add(node.inputs[slot]);
  return model.inputs.map((info) => info.dtype === 'int64' || info.dtype === 'int32' || planTime.has(info.name));
}

export function isValueInput(t: Tensor, slot: boolean): boolean {
  return slot && elementCount(t.shape) <= VALUE_INPUT_LIMIT;
}

export function planModel(model: OnnxModel, feeds: Tensor[], byValue = valueInputSlots(model), memo = new PlanMemo()): PlanSpec {
  const values: Value[] = [];
  const byName = new Map<string, Value>();
  const steps: Step[] = [];
  const newValue = (dtype: DType, shape: number[], constant?: Tensor): Value => {
    const v: Value = { id: values.length, dtype, shape, constant };
    values.push(v);
    return v;
  };
  const inputs = model.inputs.map((info, i) => {
    const t = feeds[i];
    // A copy: the caller may write new values into the same tensor for a later run.
    const v = newValue(info.dtype, t.shape, isValueInput(t, byValue[i]) ? ({ ...t, data: t.data.slice() } as Tensor) : undefined);
    byName.set(info.name, v);
    return v;
  });
  const lookup = (name: string): Value | undefined => {
    if (!name) return undefined;
    const known = byName.get(name);
    if (known) return known;
    const init = model.initializers.get(name);
    if (!init) return undefined;
    const v = newValue(init.dtype, init.shape, init);
    byName.set(name, v);
    return v;
  };

  for (const node of model.nodes) {
    const where = `node '${node.name}' (${node.opType}, opset ${model.opset})`;
    const fail = (problem: string): never => {
      throw new Error(`${where}: ${problem}`);
    };
    const l: Lowering = {
      node,
      opset: model.opset,
      attrs: new Attributes(node),
      input: (i) => lookup(node.inputs[i] ?? ''),
      required: (i) => lookup(node.inputs[i] ?? '') ?? fail(`input ${i} is missing`),
      constantInput: (i) => {
        const v = lookup(node.inputs[i] ?? '');
        if (v && !v.constant) fail(`input ${i} ('${node.inputs[i]}') must be known when the model is planned`);
        return v?.constant;
      },
      emit: (op, stepInputs, dtype, shape, params = {}, output = 0) => {
        if (shape.some((d) => !Number.isSafeInteger(d) || d < 0)) fail(`computed an invalid output shape [${shape}]`);
        const v = newValue(dtype, shape);
        const step = { op, inputs: stepInputs, output: v, params };
        if (isFoldable(step)) v.constant = memo.folded(step, () => evaluate(step));
        else steps.push(step);
        if (output >= 0) byName.set(node.outputs[output], v);
        return v;
      },
      constant: (t) => newValue(t.dtype, t.shape, t),
      define: (output, value) => {
        byName.set(node.outputs[output], 'id' in value ? value : newValue(value.dtype, value.shape, value));
      },
      fail,
    };
    if (!isSupported(node.opType, node.domain)) fail('is not supported');
    try {
      lowerNode(l);
    } catch (error) {
      if ((error as Error).message.startsWith(where)) throw error;
      fail((error as Error).message);
    }
  }

  // Graph outputs get their own buffers; one that is an input, a constant or another output is copied.
  const outputs = model.outputs.map((info) => {
    let v = byName.get(info.name) ?? lookup(info.name);
    if (!v) throw new Error(`graph output '${info.name}' was never computed`);
    if (v.constant || inputs.includes(v) || !steps.some((s) => s.output === v)) {
      const copy = newValue(v.dtype, v.shape);
      steps.push({ op: 'copy', inputs: [v], output: copy, params: {} });
      v = copy;
    }
    return v;
  });
  for (let i = 0; i < outputs.length; i++) {
    if (outputs.indexOf(outputs[i]) !== i) {
      const copy = newValue(outputs[i].dtype, outputs[i].shape);
      steps.push({ op: 'copy', inputs: [outputs[i]], output: copy, params: {} });
      outputs[i] = copy;
    }
  }
  return layout(values, fuseResiduals(pruned(steps, outputs), outputs), inputs, outputs, memo);
}

/** Largest result (elements) computed at plan time when every input of a step is a constant. */
const FOLD_LIMIT = 1 << 20;

function isFoldable(step: Step): boolean {
  return step.inputs.some((v) => v) && step.inputs.every((v) => !v || v.constant) && elementCount(step.output.shape) <= FOLD_LIMIT;
}

/**
 * Runs one step whose inputs are all known now, on the same native kernels a run would use, and
 * returns its result as a plan constant: shape arithmetic and weight preprocessing happen once.
 */
function evaluate(step: Step): Tensor {
  const ids = new Map<Value, number>();
  const values: PlanSpec['values'] = [];
  const constants: Tensor[] = [];
  for (const v of step.inputs) {
    if (!v || ids.has(v)) continue;
    ids.set(v, values.length);
    values.push({ dtype: v.dtype, shape: v.shape, kind: 'constant', slot: constants.length });
    constants.push(v.constant!);
  }
  const out = values.length;
  values.push({ dtype: step.output.dtype, shape: step.output.shape, kind: 'output', slot: 0 });
  const spec: PlanSpec = {
    values, constants, inputs: [], outputs: [out], arenaBytes: 0,
    steps: [{ op: step.op, inputs: step.inputs.map((v) => (v ? ids.get(v)! : -1)), outputs: [out], params: step.params }],
  };
  const [result]: Tensor[] = native.runPlan(native.compilePlan(spec), [], { sync: true });
  return result;
}

/** Steps whose result some output needs, in order. */
function pruned(steps: Step[], outputs: Value[]): Step[] {
  const needed = new Set<Value>(outputs);
  const kept: Step[] = [];
  for (let i = steps.length - 1; i >= 0; i--) {
    if (!needed.has(steps[i].output)) continue;
    kept.push(steps[i]);
    for (const v of steps[i].inputs) if (v) needed.add(v);
  }
  return kept.reverse();
}

/** Assigns storage: inputs, outputs, constants, and arena offsets reused once a value's last reader ran. */
function layout(values: Value[], steps: Step[], inputs: Value[], outputs: Value[], memo: PlanMemo): PlanSpec {
  const kind = new Map<Value, PlanSpec['values'][number]>();
  inputs.forEach((v, i) => kind.set(v, { dtype: v.dtype, shape: v.shape, kind: 'input', slot: i }));
  outputs.forEach((v, i) => kind.set(v, { dtype: v.dtype, shape: v.shape, kind: 'output', slot: i }));
  const constants: Tensor[] = [];
  const lastUse = new Map<Value, number>();
  steps.forEach((s, i) => {
    for (const v of s.inputs) {
      if (!v) continue;
      lastUse.set(v, i);
      if (v.constant && !kind.has(v)) {
        kind.set(v, { dtype: v.dtype, shape: v.shape, kind: 'constant', slot: constants.length });
        constants.push(v.constant);
      }
    }
  });
  // Greedy first fit over live ranges: a value takes the lowest gap among blocks still live.
  const live: { start: number; end: number; value: Value }[] = [];
  let arenaBytes = 0;
  // A copy of an arena value into the arena (a Reshape, a Flatten) views the same bytes instead: its
  // result takes the block of the value it copies, which lives until the last reader of either, and
  // the step is dropped. A value's bytes never change after its step, except a dying skip connection
  // that a conv writes over, which no view may then share (below).
  const blockOf = new Map<Value, Value>();  // a view -> the value that owns its block
  const ownerOf = (u: Value) => blockOf.get(u) ?? u;
  const dropped = new Set<Step>();
  steps.forEach((s, i) => {
    for (let k = live.length - 1; k >= 0; k--) if ((lastUse.get(live[k].value) ?? -1) < i) live.splice(k, 1);
    const v = s.output;
    if (kind.has(v)) return;
    const size = Math.ceil((elementCount(v.shape) * BYTES[v.dtype]) / ALIGN) * ALIGN;
    const source = s.op === 'copy' ? s.inputs[0] : undefined;
    const viewed = source && kind.get(source)?.kind === 'arena' ? kind.get(source)! : undefined;
    if (source && viewed && source.dtype === v.dtype && elementCount(source.shape) === elementCount(v.shape)) {
      const owner = ownerOf(source);
      blockOf.set(v, owner);
      lastUse.set(owner, Math.max(lastUse.get(owner) ?? i, lastUse.get(v) ?? i));
      kind.set(v, { dtype: v.dtype, shape: v.shape, kind: 'arena', slot: viewed.slot });
      dropped.add(s);
      return;
    }
    // A conv whose residual dies here writes over it (conv2d allows that): the block's output lines are
    // then the ones its epilogue reads anyway, and the arena holds one map fewer.
    // Not when the skip or a view of it is also the conv's input (y = conv(x) + x), which it reads
    // throughout, nor when the skip views another value's block.
    const skip = s.op === 'conv' ? s.inputs[3] : undefined;
    const dies = skip && !blockOf.has(skip) && lastUse.get(skip) === i && s.inputs.every((u, j) => j === 3 || !u || ownerOf(u) !== skip);
    const reused = dies ? live.find((b) => b.value === skip && b.end - b.start === size) : undefined;
    if (reused) {
      reused.value = v;
      kind.set(v, { dtype: v.dtype, shape: v.shape, kind: 'arena', slot: reused.start });
      return;
    }
    live.sort((a, b) => a.start - b.start);
    let offset = 0;
    for (const block of live) {
      if (block.start - offset >= size) break;
      offset = Math.max(offset, block.end);
    }
    live.push({ start: offset, end: offset + size, value: v });
    arenaBytes = Math.max(arenaBytes, offset + size);
    kind.set(v, { dtype: v.dtype, shape: v.shape, kind: 'arena', slot: offset });
  });
  // Values no kept step touches still need an entry (ids are positions); give them empty arena slots.
  const specValues = values.map((v) => kind.get(v) ?? { dtype: v.dtype, shape: [0], kind: 'arena' as const, slot: 0 });
  return {
    values: specValues,
    constants,
    constantKeys: constants.map((t) => memo.keyOf(t)),
    steps: steps.filter((s) => !dropped.has(s)).map((s) => ({ op: s.op, inputs: s.inputs.map((v) => v?.id ?? -1), outputs: [s.output.id], params: s.params })),
    inputs: inputs.map((v) => v.id),
    outputs: outputs.map((v) => v.id),
    arenaBytes,
  };
}
