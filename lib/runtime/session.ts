// Session: an ONNX model ready to run, with the onnxruntime-node shape of API. The model is loaded and
// checked once; a plan is compiled once per input-shape signature and each run is one native call.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { modelHash } from '../attest';
import { native } from '../native';
import { loadModel, type OnnxModel, type ValueInfo } from '../onnx';
import type { Tensor } from '../tensor';
import { optimizeModel } from './optimize';
import { isValueInput, PlanMemo, planModel, unsupportedNodes, valueInputSlots } from './planner';

export interface SessionOptions {
  /** Kernel thread pool size (process-wide; results never depend on it). */
  threads?: number;
  /** Graph rewrites before planning (lib/runtime/optimize.ts); on by default. Off runs the graph as written. */
  optimize?: boolean;
}

const MAX_PLANS = 64;

/** How feeds fail to fit a model: an input it does not have, one missing, or a wrong dtype or shape. */
export interface FeedProblem {
  kind: 'unknown' | 'missing' | 'dtype' | 'shape';
  input: string;
  expected: string;
  received: string;
}

export class Session {
  private readonly plans = new Map<string, { handle: unknown; arenaBytes: number }>();
  private released = false;
  /** Per input: whether small tensors fed there are planned by value (see valueInputSlots). */
  private readonly byValue: boolean[];
  /** Shared by this model's plans: constants are copied, packed and folded once, not once per plan. */
  private readonly memo = new PlanMemo();
  private readonly constantCache: unknown = native.constantCache();

  private constructor(private readonly model: OnnxModel, readonly modelHash: string) {
    this.byValue = valueInputSlots(model);
  }

  static async create(source: string | Uint8Array, options: SessionOptions = {}): Promise<Session> {
    const bytes = typeof source === 'string' ? await readFile(source).catch((error: NodeJS.ErrnoException) => {
      throw new Error(`model ${source} cannot be read (${error.code ?? 'error'})`);
    }) : source;
    // Read once: the same bytes give the hash and the model; external data resolves beside the file.
    const loaded = loadModel(bytes, typeof source === 'string' ? path.dirname(path.resolve(source)) : undefined);
    const model = options.optimize === false ? loaded : optimizeModel(loaded);
    const unsupported = unsupportedNodes(model);
    if (unsupported.length > 0) {
      const ops = [...new Set(unsupported.map((n) => `${n.domain ? n.domain + '.' : ''}${n.opType}`))];
      throw new Error(`model uses ops this runtime does not support at opset ${model.opset}: ${ops.join(', ')} (first: node '${unsupported[0].name}')`);
    }
    if (options.threads !== undefined) native.setThreads(options.threads);
    return new Session(model, modelHash(bytes));
  }

  get inputNames(): string[] {
    return this.model.inputs.map((v) => v.name);
  }

  get outputNames(): string[] {
    return this.model.outputs.map((v) => v.name);
  }

  get inputMetadata(): ValueInfo[] {
    return this.model.inputs.map((v) => ({ ...v, shape: v.shape && [...v.shape] }));
  }

  get outputMetadata(): ValueInfo[] {
    return this.model.outputs.map((v) => ({ ...v, shape: v.shape && [...v.shape] }));
  }

  /** Native bytes of the model's constants and packed weights, held once for all of its plans. */
  get constantBytes(): number {
    return native.constantCacheBytes(this.constantCache);
  }

  /** Peak arena bytes of the plan compiled for these input shapes (compiling it if needed). */
  arenaBytes(feeds: Record<string, Tensor>): number {
    return this.planFor(this.checkFeeds(feeds)).arenaBytes;
  }

  async run(feeds: Record<string, Tensor>): Promise<Record<string, Tensor>> {
    const ordered = this.checkFeeds(feeds);
    const { handle } = this.planFor(ordered);
    const outputs: Tensor[] = await native.runPlan(handle, ordered, {});
    return Object.fromEntries(this.outputNames.map((name, i) => [name, outputs[i]]));
  }

  release(): void {
    this.released = true;
    this.plans.clear();
    this.memo.clear();
  }

  /** The first way `feeds` do not fit the model's inputs (names, dtypes, fixed dims), or undefined. */
  feedProblem(feeds: Record<string, Tensor>): FeedProblem | undefined {
    const names = this.model.inputs.map((v) => v.name);
    for (const name of Object.keys(feeds)) if (!names.includes(name)) return { kind: 'unknown', input: name, expected: names.join(', '), received: name };
    for (const info of this.model.inputs) {
      const t = feeds[info.name];
      const declared = `[${info.shape?.map((d) => d ?? '?') ?? '…'}]`;
      if (!t) return { kind: 'missing', input: info.name, expected: `a ${info.dtype} tensor of shape ${declared}`, received: 'nothing' };
      if (t.dtype !== info.dtype) return { kind: 'dtype', input: info.name, expected: info.dtype, received: t.dtype };
      const fits = !info.shape || (t.shape.length === info.shape.length && info.shape.every((d, i) => typeof d !== 'number' || d === t.shape[i]));
      if (!fits) return { kind: 'shape', input: info.name, expected: declared, received: `[${t.shape}]` };
    }
    return undefined;
  }

  private checkFeeds(feeds: Record<string, Tensor>): Tensor[] {
    if (this.released) throw new Error('session is released');
    if (typeof feeds !== 'object' || feeds === null) throw new TypeError('run: feeds must be an object of named tensors');
    const p = this.feedProblem(feeds);
    if (p?.kind === 'unknown') throw new RangeError(`run: '${p.input}' is not an input of this model (inputs: ${p.expected})`);
    if (p?.kind === 'missing') throw new RangeError(`run: input '${p.input}' is missing`);
    if (p?.kind === 'dtype') throw new TypeError(`run: input '${p.input}' must be ${p.expected}, got ${p.received}`);
    if (p?.kind === 'shape') throw new RangeError(`run: input '${p.input}' has shape ${p.received}, the model expects ${p.expected}`);
    return this.model.inputs.map((info) => feeds[info.name]);
  }

  private planFor(inputs: Tensor[]): { handle: unknown; arenaBytes: number } {
    // Shapes, plus the values of small inputs that may decide shapes (axes, Reshape targets, scales).
    const signature = JSON.stringify(inputs.map((t, i) => (isValueInput(t, this.byValue[i]) ? [t.shape, Array.from(t.data as ArrayLike<number | bigint>, String)] : t.shape)));
    let plan = this.plans.get(signature);
    if (plan) this.plans.delete(signature);
    else {
      const spec = planModel(this.model, inputs, this.byValue, this.memo);
      plan = { handle: native.compilePlan(spec, this.constantCache), arenaBytes: spec.arenaBytes };
      // Clients choose the shapes: keep the most recently used plans, not one per shape ever seen.
      if (this.plans.size >= MAX_PLANS) this.plans.delete(this.plans.keys().next().value!);
    }
    this.plans.set(signature, plan);
    return plan;
  }
}
