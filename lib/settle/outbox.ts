// The durable outbox (LMDB): every attestation is on disk before its receipt is handed out, and every
// batch with its submission state, so a restarted settler resumes exactly where the old one stopped.
import { open, type Database, type RootDatabase } from 'lmdb';
import type { Attestation } from '../attest';

export interface StoredAttestation {
  attestation: Attestation;
  /** Sequence of the batch that holds it; 0 while pending. */
  sequence: number;
}

export type BatchState = 'sealed' | 'submitted' | 'committed';

export interface SentTransaction {
  hash: string;
  /** Signed raw transaction, so it can be rebroadcast after a restart. */
  raw: string;
  nonce: number;
  gasLimit: string;
  maxFeePerGas: string;
  maxPriorityFeePerGas: string;
  sentAt: number;
}

export interface StoredBatch {
  sequence: number;
  root: string;
  signature: string;
  requestIds: string[];
  state: BatchState;
  /** Nonce reserved for this batch's commit; every replacement reuses it. */
  nonce?: number;
  /** Every transaction broadcast for this batch, newest last (replacements included). */
  sent: SentTransaction[];
  /** Chain height before the first broadcast: where to search for the commit event. */
  fromBlock?: number;
  commit?: { txHash: string; blockNumber: number; gasUsed: string };
}

interface SerialAttestation extends Omit<Attestation, 'timestamp'> {
  timestamp: string;
}

export class Outbox {
  private readonly root: RootDatabase;
  private readonly attestations: Database<{ attestation: SerialAttestation; sequence: number }, string>;
  /** Arrival order → requestId of attestations not yet in a batch. */
  private readonly pending: Database<string, number>;
  private readonly batches: Database<StoredBatch, number>;
  private readonly meta: Database<unknown, string>;
  private nextArrival: number;

  private constructor(path: string) {
    // overlappingSync off: a commit resolves only once it is flushed, so what was acknowledged survives
    // power loss too. A sealed batch lost that way would be re-signed over another root: equivocation.
    this.root = open({ path, compression: false, overlappingSync: false });
    this.attestations = this.root.openDB({ name: 'attestations' });
    this.pending = this.root.openDB({ name: 'pending' });
    this.batches = this.root.openDB({ name: 'batches' });
    this.meta = this.root.openDB({ name: 'meta' });
    const [last] = [...this.pending.getKeys({ reverse: true, limit: 1 })];
    this.nextArrival = (last ?? 0) + 1;
  }

  static open(path: string): Outbox {
    return new Outbox(path);
  }

  /**
   * Stores `a` (already checked and normalised by checkAttestation) durably. Storing the same
   * attestation again is a no-op (so producers may replay after a crash); a different attestation
   * under a used request id is an error.
   * @returns true when it was new.
   */
  async add(a: Attestation): Promise<boolean> {
    // Checked inside the write transaction, so two concurrent adds of one id cannot both insert.
    return this.root.transaction(() => {
      const existing = this.attestations.get(a.requestId);
      if (existing) {
        if (!sameAttestation(deserialise(existing.attestation), a)) {
          throw new Error(`outbox: request id ${a.requestId} is already attested with different contents`);
        }
        return false;
      }
      this.attestations.put(a.requestId, { attestation: serialise(a), sequence: 0 });
      this.pending.put(this.nextArrival++, a.requestId);
      return true;
    });
  }

  get(requestId: string): StoredAttestation | undefined {
    const stored = this.attestations.get(requestId);
    return stored && { attestation: deserialise(stored.attestation), sequence: stored.sequence };
  }

  pendingCount(): number {
    return this.pending.getCount();
  }

  /** Up to `limit` pending attestations in arrival order. */
  takePending(limit: number): { arrivals: number[]; attestations: Attestation[] } {
    const arrivals: number[] = [];
    const attestations: Attestation[] = [];
    for (const { key, value } of this.pending.getRange({ limit })) {
      arrivals.push(key);
      attestations.push(deserialise(this.attestations.get(value)!.attestation));
    }
    return { arrivals, attestations };
  }

  /** Atomically records a sealed batch and moves its attestations out of pending. */
  async seal(batch: Omit<StoredBatch, 'state' | 'sent'>, arrivals: number[]): Promise<void> {
    await this.root.transaction(() => {
      if (this.batches.get(batch.sequence)) throw new Error(`outbox: batch ${batch.sequence} already exists`);
      this.batches.put(batch.sequence, { ...batch, state: 'sealed', sent: [] });
      for (const arrival of arrivals) this.pending.remove(arrival);
      for (const id of batch.requestIds) {
        const stored = this.attestations.get(id)!;
        this.attestations.put(id, { ...stored, sequence: batch.sequence });
      }
      this.meta.put('lastSealed', batch.sequence);
    });
  }

  batch(sequence: number): StoredBatch | undefined {
    return this.batches.get(sequence);
  }

  async updateBatch(batch: StoredBatch): Promise<void> {
    await this.root.transaction(() => {
      this.batches.put(batch.sequence, batch);
      // Batches commit in sequence order, so everything up to here is settled.
      if (batch.state === 'committed') this.meta.put('lastCommitted', batch.sequence);
    });
  }

  /** Batches not yet committed, lowest sequence first. */
  unsettled(): StoredBatch[] {
    const start = ((this.meta.get('lastCommitted') as number | undefined) ?? 0) + 1;
    return [...this.batches.getRange({ start })].map(({ value }) => value).filter((b) => b.state !== 'committed');
  }

  allBatches(): StoredBatch[] {
    return [...this.batches.getRange()].map(({ value }) => value);
  }

  lastSealed(): number {
    return (this.meta.get('lastSealed') as number | undefined) ?? 0;
  }

  /** The settlement this outbox belongs to; a store is never reused across chains, contracts or keys. */
  bind(identity: { chainId: string; contract: string; operator: string }): void {
    const stored = this.meta.get('identity') as typeof identity | undefined;
    if (!stored) {
      this.meta.putSync('identity', identity);
      return;
    }
    for (const key of ['chainId', 'contract', 'operator'] as const) {
      if (stored[key].toLowerCase() !== identity[key].toLowerCase()) {
        throw new Error(`outbox: this data directory belongs to ${key} ${stored[key]}, not ${identity[key]}`);
      }
    }
  }

  async close(): Promise<void> {
    await this.root.close();
  }
}

function serialise(a: Attestation): SerialAttestation {
  return { ...a, timestamp: a.timestamp.toString() };
}

// Stored attestations were checked (and normalised) before add(); reading them back only restores
// the timestamp's type instead of re-validating every field on each seal and receipt.
function deserialise(a: SerialAttestation): Attestation {
  return { ...a, timestamp: BigInt(a.timestamp) };
}

function sameAttestation(a: Attestation, b: Attestation): boolean {
  return (Object.keys(a) as (keyof Attestation)[]).every((k) => a[k] === b[k]);
}
