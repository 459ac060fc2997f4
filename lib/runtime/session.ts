// Session: an ONNX model ready to run, with the onnxruntime-node shape of API. The model is loaded and
// checked once; a plan is compiled once per input-shape signature and each run is one native call.
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { modelHash } from '../attest';
import { native } from '../native';
import { loadModel, type OnnxModel, type ValueInfo } from '../onnx';
import type { Tensor } from '../tensor';
import { optimizeModel } from './optimize';
import { isValueInput, planModel, unsupportedNodes, valueInputSlots } from './planner';

export interface SessionOptions {
  /** Kernel thread pool size (process-wide; results never depend on it). */
  threads?: number;
  /** Graph rewrites before planning (lib/runtime/optimize.ts); on by default. Off runs the graph as written. */
  optimize?: boolean;
}

const MAX_PLANS = 64;

export class Session {
  private readonly plans = new Map<string, { handle: unknown; arenaBytes: number }>();
  private released = false;
  private byValue: boolean[] | undefined;

  private constructor(private readonly model: OnnxModel, readonly modelHash: string) {}

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
  }

  private checkFeeds(feeds: Record<string, Tensor>): Tensor[] {
    if (this.released) throw new Error('session is released');
    if (typeof feeds !== 'object' || feeds === null) throw new TypeError('run: feeds must be an object of named tensors');
    for (const name of Object.keys(feeds)) if (!this.inputNames.includes(name)) throw new RangeError(`run: '${name}' is not an input of this model (inputs: ${this.inputNames.join(', ')})`);
    return this.model.inputs.map((info) => {
      const t = feeds[info.name];
      if (!t) throw new RangeError(`run: input '${info.name}' is missing`);
      if (t.dtype !== info.dtype) throw new TypeError(`run: input '${info.name}' must be ${info.dtype}, got ${t.dtype}`);
      if (info.shape) {
        const ok = t.shape.length === info.shape.length && info.shape.every((d, i) => typeof d !== 'number' || d === t.shape[i]);
        if (!ok) throw new RangeError(`run: input '${info.name}' has shape [${t.shape}], the model expects [${info.shape.map((d) => d ?? '?')}]`);
      }
      return t;
    });
  }

  private planFor(inputs: Tensor[]): { handle: unknown; arenaBytes: number } {
    // Shapes, plus the values of small inputs that may decide shapes (axes, Reshape targets, scales).
    const byValue = (this.byValue ??= valueInputSlots(this.model));
    const signature = JSON.stringify(inputs.map((t, i) => (isValueInput(t, byValue[i]) ? [t.shape, Array.from(t.data as ArrayLike<number | bigint>, String)] : t.shape)));
    let plan = this.plans.get(signature);
    if (plan) this.plans.delete(signature);
    else {
      const spec = planModel(this.model, inputs);
      plan = { handle: native.compilePlan(spec), arenaBytes: spec.arenaBytes };
      // Clients choose the shapes: keep the most recently used plans, not one per shape ever seen.
      if (this.plans.size >= MAX_PLANS) this.plans.delete(this.plans.keys().next().value!);
    }
    this.plans.set(signature, plan);
    return plan;
  }
}
