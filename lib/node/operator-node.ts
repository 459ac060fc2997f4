// The operator node: models from the store, requests through the batcher, every result hashed and
// attested durably before anyone hears of it, attestations settled on-chain in batches.
import { randomBytes } from 'node:crypto';
import path from 'node:path';
import type { HDNodeWallet, Wallet } from 'ethers';
import { namedTensorsHash, RUNTIME_VERSION, type Attestation } from '../attest';
import { native } from '../native';
import { HubWatcher } from '../hub/hub-watcher';
import { Settler, type SettlementStatus } from '../settle';
import type { Tensor } from '../tensor';
import type { NodeConfig } from './config';
import { NodeMetrics } from './metrics';
import { ModelStore } from './model-store';
import { RequestError } from './request-error';
import { isBatchable, Scheduler, type SubmitOptions } from './scheduler';

export interface InferRequest extends SubmitOptions {
  /** Model hash or alias. */
  model: string;
  feeds: Record<string, Tensor>;
  /** Set by on-chain requests, which carry their own id; HTTP requests get a fresh random one. */
  requestId?: string;
}

export interface InferResult {
  requestId: string;
  modelHash: string;
  outputs: Record<string, Tensor>;
  attestation: Attestation;
  batch: { rows: number; requests: number };
  timings: { queueMs: number; runMs: number; attestMs: number; totalMs: number };
}

export class OperatorNode {
  /** Present when the node serves an InferenceHub (config.hub). */
  hubWatcher: HubWatcher | undefined;

  private constructor(
    readonly config: NodeConfig,
    readonly store: ModelStore,
    readonly settler: Settler,
    readonly scheduler: Scheduler,
    readonly metrics: NodeMetrics,
  ) {}

  static async start(config: NodeConfig, wallet: Wallet | HDNodeWallet): Promise<OperatorNode> {
    if (config.threads !== undefined) native.setThreads(config.threads);
    const store = ModelStore.open(config.dataDir, { memoryBudgetBytes: config.memoryBudgetMb * 2 ** 20, maxModelBytes: config.modelLimitMb * 2 ** 20 });
    const settler = await Settler.open({
      dataDir: path.join(config.dataDir, 'outbox'), wallet, rpcUrl: config.rpcUrl!, contract: config.contract!,
      batchSize: config.settleBatchSize, batchDelayMs: config.settleDelayMs, confirmations: config.confirmations,
    });
    const metrics = new NodeMetrics(() => settler.uncommittedCount());
    settler.on('committed', (_sequence: number, commit: { gasUsed: string }, attestations: number) => {
      metrics.attestationsCommitted.inc(attestations);
      metrics.gasSpent.inc(Number(commit.gasUsed));
    });
    const scheduler = new Scheduler(
      { maxBatch: config.maxBatch, maxDelayMs: config.maxDelayMs, preferred: config.preferredBatch, maxQueue: config.maxQueue },
      {
        onBatch: (model, rows, _requests, runMs) => {
          metrics.batchRows.observe(rows);
          metrics.runSeconds.observe({ model }, runMs / 1000);
        },
        onQueueDepth: (model, depth) => metrics.queueDepth.set({ model }, depth),
      },
    );
    const node = new OperatorNode(config, store, settler, scheduler, metrics);
    if (config.hub) {
      node.hubWatcher = HubWatcher.start(node, wallet, config.rpcUrl!, {
        hub: config.hub, workflows: config.workflows, fromBlock: config.hubFromBlock, pollMs: config.hubPollMs, confirmations: config.confirmations,
      });
      node.hubWatcher.on('fulfilled', () => metrics.hubFulfilments.inc());
      node.hubWatcher.on('paid', (_id: string, fee: bigint) => metrics.hubFeesWei.inc(Number(fee)));
      node.hubWatcher.on('error', (error: Error) => console.error(`verinfer hub: ${error.message}`));
    }
    return node;
  }


  get operator(): string {
    return this.settler.operator;
  }

  /** Runs one request and resolves once its attestation is on disk. */
  async infer(request: InferRequest): Promise<InferResult> {
    const started = performance.now();
    const loaded = await this.store.acquire(request.model);
    const model = loaded.model.hash;
    try {
      const { session } = loaded;
      // Checked here, before batching, so one bad request never fails the batch it would have joined.
      const problem = session.feedProblem(request.feeds);
      if (problem?.kind === 'unknown') throw new RequestError(`inputs.${problem.input}`, `an input of model ${model} (${problem.expected})`, 'an unknown name');
      if (problem) {
        const part = problem.kind === 'missing' ? '' : `.${problem.kind}`;
        throw new RequestError(`inputs.${problem.input}${part}`, problem.expected, problem.received);
      }
      const batchable = isBatchable(loaded.model.inputs, loaded.model.outputs);
      const ran = await this.scheduler.submit(model, session, request.feeds, batchable, request);
      const attestStarted = performance.now();
      const attestation = await this.attest(request, model, ran.outputs);
      const attestMs = performance.now() - attestStarted;
      const totalMs = performance.now() - started;
      this.metrics.attestSeconds.observe(attestMs / 1000);
      this.metrics.requestSeconds.observe({ model }, totalMs / 1000);
      this.metrics.requests.inc({ model, outcome: 'ok' });
      return {
        requestId: attestation.requestId, modelHash: model, outputs: ran.outputs, attestation,
        batch: { rows: ran.batchRows, requests: ran.batchRequests },
        timings: { queueMs: ran.queuedMs, runMs: ran.runMs, attestMs, totalMs },
      };
    } catch (error) {
      this.metrics.requests.inc({ model, outcome: (error as Error).constructor.name });
      throw error;
    } finally {
      loaded.release();
    }
  }

  /**
   * Attests a result durably. A request id seen before (an on-chain request re-run after a restart)
   * keeps its stored attestation, provided the recomputed hashes agree with it, as they must.
   */
  private async attest(request: InferRequest, modelHash: string, outputs: Record<string, Tensor>): Promise<Attestation> {
    const inputHash = namedTensorsHash(request.feeds);
    const outputHash = namedTensorsHash(outputs);
    const earlier = request.requestId === undefined ? undefined : this.settler.status(request.requestId)?.attestation;
    if (earlier) {
      if (earlier.modelHash !== modelHash || earlier.inputHash !== inputHash || earlier.outputHash !== outputHash) {
        throw new Error(`request ${request.requestId} was attested before with other hashes; refusing to sign a second, different result`);
      }
      return earlier;
    }
    const attestation: Attestation = {
      requestId: request.requestId ?? '0x' + randomBytes(32).toString('hex'),
      modelHash, inputHash, outputHash,
      operator: this.operator,
      timestamp: BigInt(Date.now()),
      runtimeVersion: RUNTIME_VERSION,
    };
    await this.settler.attest(attestation);
    return attestation;
  }

  receipt(requestId: string): SettlementStatus | undefined {
    return this.settler.status(requestId);
  }

  /** Graceful stop: no new requests, everything queued runs and is attested, pending batches are committed. */
  async stop(options: { settleTimeoutMs?: number } = {}): Promise<void> {
    await this.hubWatcher?.stop();
    await this.scheduler.drain();
    const timeout = options.settleTimeoutMs ?? 30_000;
    let timer: NodeJS.Timeout | undefined;
    // Whatever does not commit in time stays in the outbox and is committed by the next start.
    await Promise.race([this.settler.settled().catch(() => undefined), new Promise((resolve) => (timer = setTimeout(resolve, timeout)))]);
    clearTimeout(timer);
    await this.settler.close();
  }
}
