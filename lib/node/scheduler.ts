// Per-model dynamic batching. Requests whose inputs agree on every dim but the first are stacked along
// it, run once and split again. Kernels are batch-invariant (docs/determinism.md), so a request's output
// bytes are the same whether it ran alone or inside any batch. One batch runs at a time: the kernel pool
// already uses every core, and while it runs the next batch gathers.
import type { ValueInfo } from '../onnx';
import { tensor, type Tensor } from '../tensor';

export interface BatchingOptions {
  /** Most rows (summed over the requests) in one run; 1 turns batching off. */
  maxBatch: number;
  /** Longest a request waits for others to share its run. */
  maxDelayMs: number;
  /** Batch sizes dispatched as soon as they can be formed (for instance the sizes plans are warm for). */
  preferred: number[];
  /** Requests waiting per model beyond which new ones are refused. */
  maxQueue: number;
}

export interface Runnable {
  run(feeds: Record<string, Tensor>): Promise<Record<string, Tensor>>;
}

export interface SubmitOptions {
  /** Higher runs first; equal priorities run in arrival order. */
  priority?: number;
  /** Aborting it while the request waits removes it from the queue. */
  signal?: AbortSignal;
}

export interface RunResult {
  outputs: Record<string, Tensor>;
  /** Rows and requests in the run this request shared. */
  batchRows: number;
  batchRequests: number;
  queuedMs: number;
  runMs: number;
}

export interface BatchObserver {
  onBatch?(model: string, rows: number, requests: number, runMs: number): void;
  onQueueDepth?(model: string, depth: number): void;
}

export class QueueFullError extends Error {
  constructor(readonly model: string, readonly retryAfterSeconds: number) {
    super(`the queue for model ${model} is full; retry after ${retryAfterSeconds} s`);
  }
}

export class CancelledError extends Error {
  constructor() {
    super('the request was cancelled before it ran');
  }
}

export class ShuttingDownError extends Error {
  constructor() {
    super('the node is shutting down and takes no new requests');
  }
}

/** A model batches when every input and output leads with the same open dim (batch `N`). */
export function isBatchable(inputs: ValueInfo[], outputs: ValueInfo[]): boolean {
  const lead = (v: ValueInfo) => (v.shape && v.shape.length > 0 && typeof v.shape[0] !== 'number' ? v.shape[0] : undefined);
  const first = inputs.length > 0 ? lead(inputs[0]) : undefined;
  return first !== undefined && [...inputs, ...outputs].every((v) => {
    const d = lead(v);
    return d !== undefined && (d === null || first === null || d === first);
  });
}

interface Job {
  model: string;
  runner: Runnable;
  feeds: Record<string, Tensor>;
  rows: number;
  /** Jobs with equal keys can share a run. */
  key: string;
  priority: number;
  order: number;
  enqueuedAt: number;
  resolve(result: RunResult): void;
  reject(error: Error): void;
  detach(): void;
}

export class Scheduler {
  private readonly queues = new Map<string, Job[]>();
  private readonly msPerRow = new Map<string, number>();
  private running: Promise<void> | undefined;
  private timer: NodeJS.Timeout | undefined;
  private order = 0;
  private closed = false;
  private readonly maxPreferred: number;

  constructor(private readonly options: BatchingOptions, private readonly observer: BatchObserver = {}) {
    const { maxBatch, maxDelayMs, preferred, maxQueue } = options;
    if (!Number.isInteger(maxBatch) || maxBatch < 1) throw new RangeError(`batching.maxBatch must be an integer ≥ 1, got ${maxBatch}`);
    if (!(maxDelayMs >= 0)) throw new RangeError(`batching.maxDelayMs must be ≥ 0, got ${maxDelayMs}`);
    if (!Number.isInteger(maxQueue) || maxQueue < 1) throw new RangeError(`batching.maxQueue must be an integer ≥ 1, got ${maxQueue}`);
    for (const p of preferred) if (!Number.isInteger(p) || p < 1 || p > maxBatch) throw new RangeError(`batching.preferred sizes must be integers 1…maxBatch (${maxBatch}), got ${p}`);
    this.maxPreferred = preferred.length > 0 ? Math.max(...preferred) : maxBatch;
  }

  /** Queues one request; `batchable` says whether its model may share runs (see isBatchable). */
  submit(model: string, runner: Runnable, feeds: Record<string, Tensor>, batchable: boolean, options: SubmitOptions = {}): Promise<RunResult> {
    if (this.closed) return Promise.reject(new ShuttingDownError());
    const queue = this.queues.get(model) ?? [];
    if (queue.length >= this.options.maxQueue) return Promise.reject(new QueueFullError(model, this.retryAfter(model, queue)));
    const { signal, priority = 0 } = options;
    if (signal?.aborted) return Promise.reject(new CancelledError());
    const order = this.order++;
    const rows = batchRows(feeds, batchable);
    return new Promise<RunResult>((resolve, reject) => {
      const key = rows === undefined ? `alone:${order}` : batchKey(feeds);
      const onAbort = () => this.cancel(job);
      const job: Job = {
        model, runner, feeds, rows: rows ?? 1, key, priority, order, enqueuedAt: performance.now(), resolve, reject,
        detach: () => signal?.removeEventListener('abort', onAbort),
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      // Sorted by priority, then arrival: a binary search keeps inserts cheap on long queues.
      let lo = 0;
      let hi = queue.length;
      while (lo < hi) {
        const mid = (lo + hi) >> 1;
        if (queue[mid].priority >= priority) lo = mid + 1;
        else hi = mid;
      }
      queue.splice(lo, 0, job);
      this.queues.set(model, queue);
      this.observer.onQueueDepth?.(model, queue.length);
      this.pump();
    });
  }

  depth(model: string): number {
    return this.queues.get(model)?.length ?? 0;
  }

  /** Takes no new requests and resolves once everything queued has run. */
  async drain(): Promise<void> {
    this.closed = true;
    while (this.running || [...this.queues.values()].some((q) => q.length > 0)) {
      this.pump(true);
      await this.running;
    }
  }

  private cancel(job: Job): void {
    const queue = this.queues.get(job.model);
    const at = queue ? queue.indexOf(job) : -1;
    if (at < 0) return; // already running: it completes and is attested like any other
    queue!.splice(at, 1);
    this.observer.onQueueDepth?.(job.model, queue!.length);
    job.reject(new CancelledError());
  }

  /** Starts the most urgent ready batch, or sleeps until the next queue's delay runs out. */
  private pump(flush = false): void {
    if (this.running) return;
    clearTimeout(this.timer);
    const now = performance.now();
    let best: { batch: Job[]; oldest: number } | undefined;
    let wake = Infinity;
    for (const queue of this.queues.values()) {
      if (queue.length === 0) continue;
      const batch = this.formBatch(queue);
      const rows = batch.reduce((n, j) => n + j.rows, 0);
      const oldest = Math.min(...batch.map((j) => j.enqueuedAt));
      const alone = batch.length === 1 && batch[0].key.startsWith('alone:');
      const ready = flush || alone || rows >= this.maxPreferred || now - oldest >= this.options.maxDelayMs;
      if (!ready) wake = Math.min(wake, oldest + this.options.maxDelayMs);
      else if (!best || batch[0].priority > best.batch[0].priority || (batch[0].priority === best.batch[0].priority && oldest < best.oldest)) best = { batch, oldest };
    }
    if (best) this.running = this.execute(best.batch);
    else if (wake < Infinity) this.timer = setTimeout(() => this.pump(), Math.max(0, wake - now));
  }

  /** The head request plus the compatible ones behind it, cut to a preferred size when one fits. */
  private formBatch(queue: Job[]): Job[] {
    const head = queue[0];
    const batch = [head];
    let rows = head.rows;
    for (let i = 1; i < queue.length && rows < this.options.maxBatch; i++) {
      const job = queue[i];
      if (job.key === head.key && rows + job.rows <= this.options.maxBatch) {
        batch.push(job);
        rows += job.rows;
      }
    }
    const fit = this.options.preferred.filter((p) => p <= rows).sort((a, b) => b - a)[0];
    if (fit === undefined || fit === rows || rows >= this.options.maxBatch) return batch;
    const cut: Job[] = [];
    let taken = 0;
    for (const job of batch) {
      if (taken + job.rows > fit) continue;
      cut.push(job);
      taken += job.rows;
    }
    return cut.length > 0 ? cut : [head];
  }

  private async execute(jobs: Job[]): Promise<void> {
    const model = jobs[0].model;
    const queue = this.queues.get(model)!;
    for (const job of jobs) {
      queue.splice(queue.indexOf(job), 1);
      job.detach();
    }
    this.observer.onQueueDepth?.(model, queue.length);
    const started = performance.now();
    const rows = jobs.reduce((n, j) => n + j.rows, 0);
    try {
      const feeds = jobs.length === 1 ? jobs[0].feeds : stack(jobs.map((j) => j.feeds));
      const outputs = await jobs[0].runner.run(feeds);
      const runMs = performance.now() - started;
      this.msPerRow.set(model, runMs / rows);
      this.observer.onBatch?.(model, rows, jobs.length, runMs);
      const parts = jobs.length === 1 ? [outputs] : unstack(outputs, jobs.map((j) => j.rows));
      jobs.forEach((job, i) => job.resolve({ outputs: parts[i], batchRows: rows, batchRequests: jobs.length, queuedMs: started - job.enqueuedAt, runMs }));
    } catch (error) {
      for (const job of jobs) job.reject(error as Error);
    } finally {
      this.running = undefined;
      this.pump(this.closed);
    }
  }

  private retryAfter(model: string, queue: Job[]): number {
    const rows = queue.reduce((n, j) => n + j.rows, 0);
    return Math.max(1, Math.ceil(((this.msPerRow.get(model) ?? 10) * rows) / 1000));
  }
}

/** Rows along the batch dim when every input leads with the same size; undefined runs the request alone. */
function batchRows(feeds: Record<string, Tensor>, batchable: boolean): number | undefined {
  if (!batchable) return undefined;
  const leads = Object.values(feeds).map((t) => (t.shape.length > 0 ? t.shape[0] : -1));
  return leads.length > 0 && leads.every((d) => d === leads[0] && d > 0) ? leads[0] : undefined;
}

function batchKey(feeds: Record<string, Tensor>): string {
  return Object.entries(feeds).sort(([a], [b]) => (a < b ? -1 : 1)).map(([name, t]) => `${name}:${t.dtype}:${t.shape.slice(1).join('x')}`).join('|');
}

function stack(parts: Record<string, Tensor>[]): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const name of Object.keys(parts[0])) {
    const first = parts[0][name];
    const rows = parts.reduce((n, p) => n + p[name].shape[0], 0);
    const t = tensor(first.dtype, [rows, ...first.shape.slice(1)]);
    let offset = 0;
    for (const p of parts) {
      (t.data as Float32Array).set(p[name].data as Float32Array, offset);
      offset += p[name].data.length;
    }
    out[name] = t;
  }
  return out;
}

function unstack(outputs: Record<string, Tensor>, rows: number[]): Record<string, Tensor>[] {
  const total = rows.reduce((a, b) => a + b, 0);
  const parts: Record<string, Tensor>[] = rows.map(() => ({}));
  for (const [name, t] of Object.entries(outputs)) {
    if (t.shape[0] !== total) throw new Error(`output '${name}' has ${t.shape[0]} rows for a batch of ${total}; this model cannot be batched`);
    const rowSize = total === 0 ? 0 : t.data.length / total;
    let start = 0;
    rows.forEach((r, i) => {
      parts[i][name] = { dtype: t.dtype, shape: [r, ...t.shape.slice(1)], data: t.data.slice(start * rowSize, (start + r) * rowSize) } as Tensor;
      start += r;
    });
  }
  return parts;
}
