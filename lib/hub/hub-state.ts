// What the hub watcher must not forget across restarts: the block it has scanned up to, and the
// requests it fulfilled whose fees it has yet to claim. LMDB, flushed before a write resolves.
import { open, type Database, type RootDatabase } from 'lmdb';

export type FulfilmentState = 'fulfilled' | 'paid' | 'refunded';

export interface Fulfilment {
  requestId: string;
  state: FulfilmentState;
  txHash: string;
}

export class HubState {
  private readonly root: RootDatabase;
  private readonly meta: Database<number, string>;
  private readonly fulfilments: Database<Fulfilment, string>;

  private constructor(path: string) {
    this.root = open({ path, compression: false, overlappingSync: false });
    this.meta = this.root.openDB({ name: 'meta' });
    this.fulfilments = this.root.openDB({ name: 'fulfilments' });
  }

  static open(path: string): HubState {
    return new HubState(path);
  }

  /** The next block to scan, or undefined before the first scan. */
  cursor(): number | undefined {
    return this.meta.get('cursor');
  }

  async setCursor(block: number): Promise<void> {
    await this.meta.put('cursor', block);
  }

  async record(f: Fulfilment): Promise<void> {
    await this.fulfilments.put(f.requestId, f);
  }

  /** Fulfilments whose fee is not yet settled either way. */
  unpaid(): Fulfilment[] {
    return [...this.fulfilments.getRange()].map(({ value }) => value).filter((f) => f.state === 'fulfilled');
  }

  get(requestId: string): Fulfilment | undefined {
    return this.fulfilments.get(requestId);
  }

  async close(): Promise<void> {
    await this.root.close();
  }
}
