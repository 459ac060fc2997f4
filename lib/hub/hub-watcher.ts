// The node's side of the InferenceHub: it scans the hub's requests `confirmations` blocks deep from
// where it left off, runs each one for a model it serves, fulfils it on-chain, runs the workflows it
// was told to serve when they are due, and claims each fee once the challenge window has passed and
// the attestation is in a committed batch. Every step checks the chain first, so a restart (or a
// rescan after a reorg) repeats nothing that already happened.
import { EventEmitter } from 'node:events';
import path from 'node:path';
import { AbiCoder, JsonRpcProvider, keccak256, type Contract, type EventLog, type HDNodeWallet, type Result, type Wallet } from 'ethers';
import { attestationValues, leafHash } from '../attest';
import { withSendLock } from '../chain/send-lock';
import type { OperatorNode } from '../node/operator-node';
import { hubAt, RequestStatus, revertName } from './contracts';
import { HubState } from './hub-state';
import { feedsFromAbi, modelInputFromAbi, modelOutputToAbi, WORKFLOW_SOURCE } from './model-tensors';

export interface HubWatcherOptions {
  hub: string;
  /** Workflow ids (0x…32 bytes) this node runs when due. */
  workflows: string[];
  /** First block to scan when there is no cursor yet. */
  fromBlock: number;
  pollMs: number;
  /** Blocks on top of a request's block before it is acted on (1 = mined). */
  confirmations: number;
}

/** Blocks per eth_getLogs call: public RPCs cap the range. */
const LOG_RANGE = 2_000;

export class HubWatcher extends EventEmitter {
  private readonly hub: Contract;
  private timer: NodeJS.Timeout | undefined;
  private ticking: Promise<void> | undefined;
  private stopped = false;
  private readonly skipped = new Set<string>();
  private challengeWindow: bigint | undefined;

  private constructor(
    private readonly node: OperatorNode,
    private readonly wallet: Wallet | HDNodeWallet,
    private readonly provider: JsonRpcProvider,
    private readonly state: HubState,
    private readonly options: HubWatcherOptions,
  ) {
    super();
    this.hub = hubAt(options.hub, wallet.connect(provider));
  }

  static start(node: OperatorNode, wallet: Wallet | HDNodeWallet, rpcUrl: string, options: HubWatcherOptions): HubWatcher {
    const provider = new JsonRpcProvider(rpcUrl, undefined, { staticNetwork: true, cacheTimeout: -1 });
    const state = HubState.open(path.join(node.config.dataDir, 'hub'));
    const watcher = new HubWatcher(node, wallet, provider, state, options);
    watcher.schedule(0);
    return watcher;
  }

  /** One pass now (tests and `stop` use it); resolves when it is done. */
  async poll(): Promise<void> {
    while (this.ticking) await this.ticking;
    this.ticking = this.tick().finally(() => (this.ticking = undefined));
    await this.ticking;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    while (this.ticking) await this.ticking;
    this.provider.destroy();
    await this.state.close();
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    this.timer = setTimeout(() => {
      this.poll().catch((error) => this.emit('error', error)).finally(() => this.schedule(this.options.pollMs));
    }, delayMs);
  }

  private async tick(): Promise<void> {
    const head = await this.provider.getBlockNumber();
    const safe = head - (this.options.confirmations - 1);
    await this.scanRequests(safe);
    for (const id of this.options.workflows) await this.runWorkflowIfDue(id).catch((error) => this.emit('error', error));
    await this.claimFees();
  }

  private async scanRequests(safe: number): Promise<void> {
    let from = this.state.cursor() ?? this.options.fromBlock;
    while (from <= safe && !this.stopped) {
      const to = Math.min(from + LOG_RANGE - 1, safe);
      const logs = (await this.hub.queryFilter(this.hub.filters.InferenceRequested(), from, to)) as EventLog[];
      // All at once, so requests for one model share batched runs; transactions queue on the send lock.
      const handled = await Promise.allSettled(logs.map((log) => this.handleRequest(log.args)));
      const failed = handled.find((h): h is PromiseRejectedResult => h.status === 'rejected');
      if (failed) throw failed.reason; // the cursor stays: the range is scanned again next tick
      await this.state.setCursor(to + 1);
      from = to + 1;
    }
  }

  private async handleRequest(args: Result): Promise<void> {
    const [id, , modelHash, , , , input] = args as unknown as [string, string, string, bigint, string, bigint, Result];
    const request = await this.hub.requestOf(id);
    if (request.status !== RequestStatus.Open) return;
    if (!this.node.store.resolve(modelHash)) return this.skip(id, `model ${modelHash} is not in this node's store`);
    let feeds;
    try {
      feeds = feedsFromAbi(input);
    } catch (error) {
      return this.skip(id, (error as Error).message);
    }
    const result = await this.node.infer({ model: modelHash, feeds, requestId: id });
    await this.send('fulfil', [id, modelOutputToAbi(result.outputs), leafHash(result.attestation)], id);
  }

  private async runWorkflowIfDue(id: string): Promise<void> {
    const w = await this.hub.workflowOf(id);
    if (w.owner === '0x0000000000000000000000000000000000000000' || w.cancelled || w.balance < w.feePerRun) return;
    const block = await this.provider.getBlock('latest');
    const clock = w.inBlocks ? BigInt(block!.number) : BigInt(block!.timestamp);
    // The block being built comes one later (and no earlier in time) than the latest.
    if (w.runs > 0n && clock + 1n < w.lastRun + w.interval) return;
    if (!this.node.store.resolve(w.modelHash)) return this.skip(id, `workflow model ${w.modelHash} is not in this node's store`);
    const returned = await this.provider.call({ to: w.consumer, data: WORKFLOW_SOURCE.encodeFunctionData('workflowInput', [id]) });
    const [input] = WORKFLOW_SOURCE.decodeFunctionResult('workflowInput', returned);
    // The return data is abi.encode(input): its hash is the hub's inputHash (InferenceHub.workflowRequestId).
    const requestId = keccak256(AbiCoder.defaultAbiCoder().encode(['bytes32', 'uint64', 'bytes32'], [id, w.runs + 1n, keccak256(returned)]));
    const result = await this.node.infer({ model: w.modelHash, feeds: feedsFromAbi(input), requestId });
    // Sent as plain values: ethers' Result is frozen and cannot be passed back as an argument.
    await this.send('runWorkflow', [id, modelInputFromAbi(input), modelOutputToAbi(result.outputs), leafHash(result.attestation)], requestId);
  }

  /** Calls a hub method from the operator's key, its nonce taken under the send lock; waits for `confirmations`. */
  private async transact(method: 'fulfil' | 'runWorkflow' | 'claimFee', args: unknown[]) {
    const tx = await withSendLock(this.wallet.address, async () => {
      const nonce = await this.provider.getTransactionCount(this.wallet.address, 'pending');
      return this.hub[method](...args, { nonce });
    });
    return tx.wait(this.options.confirmations);
  }

  /** Sends a fulfilment; a revert because another operator (or an earlier run) got there first is not an error. */
  private async send(method: 'fulfil' | 'runWorkflow', args: unknown[], requestId: string): Promise<void> {
    let receipt;
    try {
      receipt = await this.transact(method, args);
    } catch (error) {
      const reason = revertName(error, this.hub.interface);
      if (reason === 'NotOpen' || reason === 'WorkflowNotDue' || reason === 'InputChanged') return;
      throw error;
    }
    await this.state.record({ requestId, state: 'fulfilled', txHash: receipt.hash });
    this.emit('fulfilled', requestId, receipt.hash);
  }

  private async claimFees(): Promise<void> {
    const now = BigInt((await this.provider.getBlock('latest'))!.timestamp);
    // Immutable in the contract: read once.
    const window: bigint = (this.challengeWindow ??= await this.hub.challengeWindow());
    for (const f of this.state.unpaid()) {
      const request = await this.hub.requestOf(f.requestId);
      if (request.status === RequestStatus.Paid || request.status === RequestStatus.Refunded) {
        await this.state.record({ ...f, state: request.status === RequestStatus.Paid ? 'paid' : 'refunded' });
        continue;
      }
      const status = this.node.receipt(f.requestId);
      if (now < request.fulfilledAt + window || status?.state !== 'committed') continue;
      const { receipt } = status;
      await this.transact('claimFee', [f.requestId, receipt!.batch.sequence, attestationValues(receipt!.attestation), receipt!.proof]);
      await this.state.record({ ...f, state: 'paid' });
      this.emit('paid', f.requestId, request.fee);
    }
  }

  private skip(id: string, why: string): void {
    if (this.skipped.has(id)) return;
    this.skipped.add(id);
    this.emit('skipped', id, why);
  }
}
