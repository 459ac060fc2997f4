// Result → committed receipt latency through the real Settler on anvil (automine: a block per commit),
// and the chain handle and random attestations bench/settle.ts shares with it.
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Wallet } from 'ethers';
import { RUNTIME_VERSION, type Attestation } from '../lib/attest';
import type { AnvilNode } from '../lib/chain/anvil';
import { Settler } from '../lib/settle';
import { fmt } from './timing';

export interface BenchChain {
  anvil: AnvilNode;
  address: string;
  /** A dev key (never a real one), registered as an operator if it is not yet. */
  operator(keyIndex: number): Promise<Wallet>;
}

const hex32 = () => '0x' + randomBytes(32).toString('hex');

export function randomAttestation(operator: string): Attestation {
  return { requestId: hex32(), modelHash: hex32(), inputHash: hex32(), outputHash: hex32(), operator, timestamp: BigInt(Date.now()), runtimeVersion: RUNTIME_VERSION };
}

/** Nearest-rank percentile of ascending `sorted`. */
function percentile(sorted: number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1))];
}

async function withSettler<T>(chain: BenchChain, keyIndex: number, batchSize: number, batchDelayMs: number, run: (s: Settler) => Promise<T>): Promise<T> {
  const wallet = await chain.operator(keyIndex);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'verinfer-bench-settle-'));
  const settler = await Settler.open({ dataDir, wallet, rpcUrl: chain.anvil.url, contract: chain.address, batchSize, batchDelayMs, pollMs: 20 });
  try {
    return await run(settler);
  } finally {
    await settler.close();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

/**
 * Attests `count` results at a steady `ratePerSec` and returns each one's milliseconds from the
 * attest() call (the result) to status(id).state === 'committed'. Batches seal and commit in arrival
 * order, so the client polls the oldest uncommitted result, on each 'committed' event and every 5 ms.
 */
async function latencies(settler: Settler, count: number, ratePerSec: number): Promise<number[]> {
  const ids: string[] = [], sent: number[] = [], done: number[] = [], adds: Promise<void>[] = [];
  let cursor = 0;
  const poll = () => {
    const now = performance.now();
    while (cursor < ids.length && settler.status(ids[cursor])?.state === 'committed') done[cursor++] = now;
  };
  settler.on('committed', poll);
  const timer = setInterval(poll, 5);
  try {
    const start = performance.now();
    while (ids.length < count) {
      const due = Math.min(count, Math.floor(((performance.now() - start) * ratePerSec) / 1000) + 1);
      while (ids.length < due) {
        const a = randomAttestation(settler.operator);
        ids.push(a.requestId);
        sent.push(performance.now());
        adds.push(settler.attest(a));
      }
      if (ids.length < count) await sleep(1);
    }
    await Promise.all(adds);
    while (cursor < count) {
      if (settler.failure) throw settler.failure;
      await sleep(5);
    }
  } finally {
    clearInterval(timer);
    settler.off('committed', poll);
  }
  return done.map((t, i) => t - sent[i]);
}

function row(name: string, ms: number[], extra: string): void {
  const sorted = [...ms].sort((a, b) => a - b);
  const cells = [percentile(sorted, 0.5), percentile(sorted, 0.99), sorted[sorted.length - 1]].map((x) => fmt(x, 0).padStart(7));
  console.log(`${name.padEnd(44)} ${cells.join(' ')}   ${extra}`);
}

export async function benchSettleLatency(chain: BenchChain): Promise<void> {
  const [count, batchSize, delay, singles] = [2000, 256, 200, 5];
  console.log(`\nresult → committed receipt, real Settler on anvil (a block per tx, pollMs 20)`);
  console.log('workload                                      p50 ms  p99 ms  max ms   batches');
  // 2000/s fills 256 in 128 ms (< the delay: batches seal on size); 1000/s reaches the 200 ms delay first.
  for (const rate of [2000, 1000]) {
    await withSettler(chain, 2, batchSize, delay, async (settler) => {
      const ms = await latencies(settler, count, rate);
      const sizes = settler.batches().map((b) => b.requestIds.length);
      row(`${count} at ${rate}/s, batchSize ${batchSize}, delay ${delay} ms`, ms, `${sizes.length}, mean ${fmt(count / sizes.length, 1)} results, max ${Math.max(...sizes)}`);
    });
  }
  await withSettler(chain, 3, batchSize, delay, async (settler) => {
    const ms: number[] = [];
    for (let i = 0; i < singles; i++) ms.push(...(await latencies(settler, 1, 1)));
    row(`1 alone (×${singles}), delay ${delay} ms`, ms, `${fmt(Math.min(...ms) - delay, 0)}–${fmt(Math.max(...ms) - delay, 0)} ms beyond the delay`);
  });
}
