// The operator side of settlement: stores each attestation durably, seals batches at N results or
// T ms, signs each batch once (EIP-712), commits the roots in sequence order and hands out receipts.
import { EventEmitter } from 'node:events';
import { setTimeout as sleep } from 'node:timers/promises';
import { getAddress, JsonRpcProvider, type HDNodeWallet, type Wallet } from 'ethers';
import { AttestationTree, batchDigest, checkAttestation, type Attestation, type Receipt, type SettlementDomain } from '../attest';
import { settlementAt } from './contracts';
import { Outbox, type StoredBatch } from './outbox';
import { BatchSubmitter, type SubmitOptions } from './submitter';

export interface SettlerOptions extends SubmitOptions {
  /** Directory of the LMDB outbox. */
  dataDir: string;
  /** The operator key (registered with the settlement contract). */
  wallet: Wallet | HDNodeWallet;
  rpcUrl: string;
  /** Address of the VerinferSettlement contract. */
  contract: string;
  /** A batch seals when it holds this many results… */
  batchSize?: number;
  /** …or this long after its first result, whichever comes first. */
  batchDelayMs?: number;
}

export type SettlementState = 'pending' | 'sealed' | 'committed';

export interface SettlementStatus {
  state: SettlementState;
  attestation: Attestation;
  /** Present once the batch is sealed and signed; its `commit` is set once the root is on-chain. */
  receipt: Receipt | null;
}

const TREE_CACHE_SIZE = 8;

export class Settler extends EventEmitter {
  private readonly submitter: BatchSubmitter;
  private sealTimer: NodeJS.Timeout | undefined;
  private sealing: Promise<void> = Promise.resolve();
  private submitting: Promise<void> | undefined;
  private closed = false;
  /** A settlement conflict or storage error that stopped the settler; retrying cannot clear it. */
  failure: Error | undefined;
  private readonly trees = new Map<number, { tree: AttestationTree; index: Map<string, number> }>();

  private constructor(
    private readonly outbox: Outbox,
    private readonly wallet: Wallet | HDNodeWallet,
    private readonly provider: JsonRpcProvider,
    readonly domain: SettlementDomain,
    private readonly batchSize: number,
    private readonly batchDelayMs: number,
    submitOptions: SubmitOptions,
  ) {
    super();
    const contract = settlementAt(domain.verifyingContract, provider);
    this.submitter = new BatchSubmitter(wallet.connect(provider) as Wallet, provider, contract, outbox, submitOptions);
  }

  /** Opens (or resumes) the outbox and starts committing whatever an earlier run left unsettled. */
  static async open(options: SettlerOptions): Promise<Settler> {
    const batchSize = options.batchSize ?? 256;
    const batchDelayMs = options.batchDelayMs ?? 2_000;
    if (!Number.isInteger(batchSize) || batchSize < 1 || batchSize > 65_536) throw new RangeError(`batchSize must be an integer 1…65536, got ${batchSize}`);
    if (!(batchDelayMs >= 0)) throw new RangeError(`batchDelayMs must be ≥ 0, got ${batchDelayMs}`);
    const provider = new JsonRpcProvider(options.rpcUrl, undefined, { staticNetwork: true, batchMaxCount: 1, cacheTimeout: -1 });
    const chainId = await retry(() => provider.send('eth_chainId', []).then((id: string) => BigInt(id)));
    const domain = { chainId, verifyingContract: getAddress(options.contract) };
    const outbox = Outbox.open(options.dataDir);
    outbox.bind({ chainId: chainId.toString(), contract: domain.verifyingContract, operator: options.wallet.address });
    const settler = new Settler(outbox, options.wallet, provider, domain, batchSize, batchDelayMs, options);
    if (outbox.lastSealed() === 0) {
      // A fresh store cannot know what a lost earlier store signed but never committed; signing one of
      // those sequences again over another root would be equivocation. So it starts past the chain's
      // last and at the current Unix millisecond, beyond anything an earlier store could have reached.
      const last: bigint = await retry(() => settlementAt(domain.verifyingContract, provider).lastSequence(options.wallet.address));
      settler.firstSequence = Math.max(Number(last) + 1, Date.now());
    }
    settler.scheduleSeal();
    settler.kickSubmitter();
    return settler;
  }

  private firstSequence = 1;

  get operator(): string {
    return this.wallet.address;
  }

  /**
   * Stores the attestation durably; once this resolves it survives a crash and will be committed.
   * Re-attesting an identical attestation is a no-op.
   */
  async attest(attestation: Attestation): Promise<void> {
    if (this.closed) throw new Error('settler is closed');
    const a = checkAttestation(attestation);
    if (a.operator !== this.operator) throw new Error(`attestation.operator ${a.operator} is not this settler's operator ${this.operator}`);
    // Stored is stored: a close() racing this call only means the next run seals it.
    if ((await this.outbox.add(a)) && !this.closed) this.scheduleSeal();
  }

  status(requestId: string): SettlementStatus | undefined {
    const stored = this.outbox.get(requestId);
    if (!stored) return undefined;
    if (stored.sequence === 0) return { state: 'pending', attestation: stored.attestation, receipt: null };
    const batch = this.outbox.batch(stored.sequence)!;
    const { tree, index } = this.treeOf(batch);
    const receipt: Receipt = {
      version: 1,
      attestation: stored.attestation,
      proof: tree.proof(index.get(requestId)!),
      batch: { sequence: BigInt(batch.sequence), root: batch.root, count: batch.requestIds.length, signature: batch.signature },
      domain: this.domain,
      commit: batch.commit ? { txHash: batch.commit.txHash, blockNumber: batch.commit.blockNumber } : null,
    };
    return { state: batch.state === 'committed' ? 'committed' : 'sealed', attestation: stored.attestation, receipt };
  }

  /** Attestations stored but not yet in a committed batch. */
  uncommittedCount(): number {
    return this.outbox.pendingCount() + this.outbox.unsettled().reduce((n, b) => n + b.requestIds.length, 0);
  }

  batches(): StoredBatch[] {
    return this.outbox.allBatches();
  }

  /** Seals everything pending now, without waiting for N or T. */
  async flush(): Promise<void> {
    await this.enqueueSeal(true);
  }

  /** Resolves when every attestation stored so far is sealed and committed. */
  async settled(): Promise<void> {
    await this.flush();
    while (!this.closed && this.outbox.unsettled().length > 0) {
      if (this.failure) throw this.failure;
      this.kickSubmitter();
      await this.submitting;
    }
    if (this.failure) throw this.failure;
  }

  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.sealTimer);
    this.submitter.stop();
    await this.sealing;
    await this.submitting;
    this.provider.destroy();
    await this.outbox.close();
  }

  private scheduleSeal(): void {
    if (this.closed) return;
    const pending = this.outbox.pendingCount();
    if (pending >= this.batchSize) void this.enqueueSeal(false);
    else if (pending > 0 && !this.sealTimer) {
      this.sealTimer = setTimeout(() => void this.enqueueSeal(true), this.batchDelayMs);
    }
  }

  /**
   * Seals full batches, and when the timer fired (`timedOut`) also what was pending at that moment, in
   * arrival order. Results arriving meanwhile wait for N or a fresh T instead of trickling into a
   * stream of tiny batches that the one-at-a-time commits could never catch up with.
   */
  private enqueueSeal(timedOut: boolean): Promise<void> {
    this.sealing = this.sealing.then(async () => {
      clearTimeout(this.sealTimer);
      this.sealTimer = undefined;
      const pending = this.outbox.pendingCount();
      let due = timedOut ? pending : pending - (pending % this.batchSize);
      while (due > 0 && !this.closed) {
        const sealed = await this.sealOne(Math.min(due, this.batchSize));
        if (sealed === 0) break;
        due -= sealed;
      }
      this.scheduleSeal();
      this.kickSubmitter();
    }).catch((error) => this.fail(error));
    return this.sealing;
  }

  /** Seals the oldest `limit` pending attestations as the next batch; returns how many. */
  private async sealOne(limit: number): Promise<number> {
    const { arrivals, attestations } = this.outbox.takePending(limit);
    const tree = AttestationTree.build(attestations);
    const sequence = Math.max(this.outbox.lastSealed() + 1, this.firstSequence);
    const header = { operator: this.operator, sequence: BigInt(sequence), root: tree.root, count: attestations.length };
    const signature = this.wallet.signingKey.sign(batchDigest(this.domain, header)).serialized;
    const requestIds = attestations.map((a) => a.requestId);
    await this.outbox.seal({ sequence, root: tree.root, signature, requestIds }, arrivals);
    this.cacheTree(sequence, tree, requestIds);
    this.emit('sealed', sequence, attestations.length);
    return attestations.length;
  }

  private kickSubmitter(): void {
    if (this.submitting || this.closed || this.failure) return;
    // Cleared in a callback, so it runs after the assignment even when the loop finds nothing to do.
    this.submitting = this.submitUnsettled().finally(() => (this.submitting = undefined));
  }

  private async submitUnsettled(): Promise<void> {
    try {
      for (let batch = this.outbox.unsettled()[0]; batch && !this.closed; batch = this.outbox.unsettled()[0]) {
        const settled = await this.submitter.settle(batch);
        if (settled.state === 'committed') this.emit('committed', settled.sequence, settled.commit, settled.requestIds.length);
      }
    } catch (error) {
      this.fail(error as Error);
    }
  }

  private fail(error: Error): void {
    this.failure ??= error;
    if (this.listenerCount('error') > 0) this.emit('error', error);
  }

  private treeOf(batch: StoredBatch): { tree: AttestationTree; index: Map<string, number> } {
    const cached = this.trees.get(batch.sequence);
    if (cached) return cached;
    const attestations = batch.requestIds.map((id) => this.outbox.get(id)!.attestation);
    return this.cacheTree(batch.sequence, AttestationTree.build(attestations), batch.requestIds);
  }

  private cacheTree(sequence: number, tree: AttestationTree, requestIds: string[]) {
    const entry = { tree, index: new Map(requestIds.map((id, i) => [id, i])) };
    this.trees.set(sequence, entry);
    if (this.trees.size > TREE_CACHE_SIZE) this.trees.delete(this.trees.keys().next().value!);
    return entry;
  }
}

/** Retries `fn` on failure with backoff, for start-up calls that must not give up on a flaky RPC. */
async function retry<T>(fn: () => Promise<T>, attempts = 20): Promise<T> {
  for (let i = 1; ; i++) {
    try {
      return await fn();
    } catch (error) {
      if (i >= attempts) throw error;
      await sleep(Math.min(5_000, 100 * 2 ** i));
    }
  }
}
