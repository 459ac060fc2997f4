// Commits one sealed batch on-chain and does not give up: nonce reserved per batch and stored before
// broadcast, gas estimated, stuck transactions replaced with higher fees, network errors retried with
// backoff, and the chain consulted first so a batch is never committed twice.
import { setTimeout as sleep } from 'node:timers/promises';
import { keccak256, ZeroHash, type Contract, type JsonRpcProvider, type Wallet, type HDNodeWallet } from 'ethers';
import { withSendLock } from '../chain/send-lock';
import type { Outbox, StoredBatch } from './outbox';

export interface SubmitOptions {
  /** A broadcast transaction not mined after this long is replaced with higher fees. */
  stuckAfterMs?: number;
  /** Fee increase of a replacement, in percent (nodes require ≥ 10). */
  feeBumpPercent?: number;
  /** How often to look for the receipt of an in-flight transaction. */
  pollMs?: number;
  /** First and largest wait between retries after an RPC error. */
  retryBaseMs?: number;
  retryMaxMs?: number;
  /** Replacements never bid more than this per gas (wei): a stuck nonce or a dead node is not a price problem. */
  maxFeeCapWei?: bigint;
  /** A commit counts once its block has this many confirmations (1 = mined), so a reorg cannot undo it. */
  confirmations?: number;
}

/** A state the chain is in that retrying cannot fix; the operator must look. */
export class SettlementConflict extends Error {}

export class BatchSubmitter {
  private readonly options: Required<SubmitOptions>;
  private stopped = false;

  constructor(
    private readonly wallet: Wallet | HDNodeWallet,
    private readonly provider: JsonRpcProvider,
    private readonly contract: Contract,
    private readonly outbox: Outbox,
    options: SubmitOptions = {},
  ) {
    this.options = {
      stuckAfterMs: 30_000, feeBumpPercent: 25, pollMs: 100, retryBaseMs: 200, retryMaxMs: 5_000,
      maxFeeCapWei: 500n * 10n ** 9n, confirmations: 1, ...options,
    };
  }

  stop(): void {
    this.stopped = true;
  }

  /** Returns once the batch is committed (or the submitter is stopped). */
  async settle(batch: StoredBatch): Promise<StoredBatch> {
    let failures = 0;
    while (!this.stopped) {
      try {
        if (await this.step(batch)) return batch;
        failures = 0;
        await sleep(this.options.pollMs);
      } catch (error) {
        if (error instanceof SettlementConflict) throw error;
        failures++;
        await sleep(Math.min(this.options.retryMaxMs, this.options.retryBaseMs * 2 ** Math.min(failures, 10)));
      }
    }
    return batch;
  }

  /** One look at the chain and one action; true once the batch is committed. */
  private async step(batch: StoredBatch): Promise<boolean> {
    const operator = this.wallet.address;
    // Read at one block, `confirmations` deep: two reads at `latest` could straddle our own commit and
    // look like a conflict, and a commit seen too early could still be reorganised away.
    const blockTag = (await this.provider.getBlockNumber()) - (this.options.confirmations - 1);
    if (blockTag < 0) return false;
    const [onChain, last]: [string, bigint] = await Promise.all([
      this.contract.rootOf(operator, batch.sequence, { blockTag }),
      this.contract.lastSequence(operator, { blockTag }),
    ]);
    if (onChain === batch.root) {
      await this.recordCommit(batch);
      return true;
    }
    if (onChain !== ZeroHash) {
      throw new SettlementConflict(`sequence ${batch.sequence} is committed on-chain with root ${onChain}, not this batch's ${batch.root}`);
    }
    if (last >= BigInt(batch.sequence)) {
      throw new SettlementConflict(`chain's last sequence for ${operator} is ${last}; batch ${batch.sequence} can no longer be committed`);
    }
    if (batch.sent.length === 0 || batch.nonce === undefined) await this.send(batch, undefined);
    else await this.watch(batch);
    return false;
  }

  private async watch(batch: StoredBatch): Promise<void> {
    // The nonce count is read before the receipts: a transaction of ours mined in between then shows
    // up as a receipt instead of passing for a stranger's use of the nonce.
    const minedNonce = await this.provider.getTransactionCount(this.wallet.address, 'latest');
    for (const sent of batch.sent) {
      const receipt = await this.provider.getTransactionReceipt(sent.hash);
      if (receipt?.status === 1) return; // mined; a later step sees the root once it is deep enough
      if (receipt && sent.nonce === batch.nonce) return this.restart(batch); // reverted: its nonce is spent
    }
    // Our nonce was used by a transaction that is not ours (another process with this key).
    if (batch.nonce !== undefined && minedNonce > batch.nonce) return this.restart(batch);
    const latest = batch.sent[batch.sent.length - 1]; // always of the current nonce: send() appends
    if (Date.now() - latest.sentAt > this.options.stuckAfterMs && BigInt(latest.maxFeePerGas) < this.options.maxFeeCapWei) {
      await this.send(batch, latest);
    } else if ((await this.provider.getTransaction(latest.hash)) === null) {
      await this.broadcast(latest.raw); // the node forgot it (restart, mempool eviction)
    }
  }

  /** Drops the spent nonce; the transactions stay on record so a late commit can still be found. */
  private async restart(batch: StoredBatch): Promise<void> {
    batch.nonce = undefined;
    batch.state = 'sealed';
    await this.outbox.updateBatch(batch);
  }

  /** Signs a commit (a replacement of `previous` when given), stores it, then broadcasts it. */
  private send(batch: StoredBatch, previous: StoredBatch['sent'][number] | undefined): Promise<void> {
    return withSendLock(this.wallet.address, () => this.signAndBroadcast(batch, previous));
  }

  private async signAndBroadcast(batch: StoredBatch, previous: StoredBatch['sent'][number] | undefined): Promise<void> {
    const data = this.contract.interface.encodeFunctionData('commitBatch', [batch.sequence, batch.root, batch.requestIds.length, batch.signature]);
    const to = await this.contract.getAddress();
    const nonce = batch.nonce ?? (await this.provider.getTransactionCount(this.wallet.address, 'pending'));
    // A replacement keeps its gas limit: estimating now would run against the pending state, where the
    // stuck original has already taken this sequence.
    const gasLimit = previous ? BigInt(previous.gasLimit) : ((await this.provider.estimateGas({ from: this.wallet.address, to, data })) * 12n) / 10n;
    const fees = await this.provider.getFeeData();
    let maxFeePerGas = fees.maxFeePerGas ?? fees.gasPrice ?? 1n;
    let maxPriorityFeePerGas = fees.maxPriorityFeePerGas ?? 0n;
    if (previous) {
      const bump = (fee: string) => (BigInt(fee) * BigInt(100 + this.options.feeBumpPercent)) / 100n + 1n;
      maxFeePerGas = max(maxFeePerGas, bump(previous.maxFeePerGas));
      maxPriorityFeePerGas = max(maxPriorityFeePerGas, bump(previous.maxPriorityFeePerGas));
    }
    maxFeePerGas = min(maxFeePerGas, this.options.maxFeeCapWei);
    maxPriorityFeePerGas = min(maxPriorityFeePerGas, maxFeePerGas);
    batch.fromBlock ??= await this.provider.getBlockNumber();
    const { chainId } = await this.provider.getNetwork();
    const raw = await this.wallet.signTransaction({ type: 2, chainId, to, data, nonce, gasLimit, maxFeePerGas, maxPriorityFeePerGas });
    batch.nonce = nonce;
    batch.state = 'submitted';
    batch.sent.push({ hash: keccak256(raw), raw, nonce, gasLimit: gasLimit.toString(), maxFeePerGas: maxFeePerGas.toString(), maxPriorityFeePerGas: maxPriorityFeePerGas.toString(), sentAt: Date.now() });
    await this.outbox.updateBatch(batch); // on disk before the network sees it
    await this.broadcast(raw);
  }

  private async broadcast(raw: string): Promise<void> {
    try {
      await this.provider.broadcastTransaction(raw);
    } catch (error) {
      // Already known / nonce consumed by its own earlier copy: the next step finds out from the chain.
      if (!/already known|nonce too low|replacement transaction underpriced/i.test(String((error as Error).message))) throw error;
    }
  }

  private async recordCommit(batch: StoredBatch): Promise<void> {
    let commit: StoredBatch['commit'];
    for (const sent of batch.sent) {
      const receipt = await this.provider.getTransactionReceipt(sent.hash);
      if (receipt?.status === 1) commit = { txHash: receipt.hash, blockNumber: receipt.blockNumber, gasUsed: receipt.gasUsed.toString() };
    }
    if (!commit) {
      // Committed by a transaction we have no record of broadcasting: find it from the event.
      const [event] = await this.contract.queryFilter(this.contract.filters.BatchCommitted(this.wallet.address, batch.sequence), batch.fromBlock ?? 0);
      if (!event) throw new Error(`batch ${batch.sequence}: root is committed but its BatchCommitted event is not found yet`);
      const receipt = await this.provider.getTransactionReceipt(event.transactionHash);
      commit = { txHash: event.transactionHash, blockNumber: event.blockNumber, gasUsed: (receipt?.gasUsed ?? 0n).toString() };
    }
    batch.state = 'committed';
    batch.commit = commit;
    await this.outbox.updateBatch(batch);
  }
}

function max(a: bigint, b: bigint): bigint {
  return a > b ? a : b;
}

function min(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}
