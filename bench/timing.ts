export interface BlockTiming {
  /** Rounds; each runs every contender once, in a block. */
  rounds?: number;
  /** A block's warm-up: calls run and are not timed until this much time has passed (at least one call). */
  settleSeconds?: number;
  /** A block's timed calls go on until the block has lasted this long, */
  blockSeconds?: number;
  /** and number at least this many. */
  minCalls?: number;
}

// Median wall time per call of each contender. Machines here are noisy, so contenders run in
// alternating blocks, round after round, and a slow spell falls on all of them alike. A block's first
// calls only warm up: the previous contender's pool may still be spinning on a core (onnxruntime's
// spins for about 30 ms after a run), and that time belongs to neither.
export async function interleavedMedians(runs: readonly (() => unknown)[], timing: BlockTiming = {}): Promise<number[]> {
  const { rounds = 3, settleSeconds = 0.05, blockSeconds = 0.2, minCalls = 1 } = timing;
  const times: number[][] = runs.map(() => []);
  for (let round = 0; round < rounds; round++) {
    for (const [i, run] of runs.entries()) {
      const start = performance.now();
      do await run(); while (performance.now() - start < settleSeconds * 1000);
      for (let calls = 0; calls < 1000 && (calls < minCalls || performance.now() - start < blockSeconds * 1000); calls++) {
        const t0 = performance.now();
        await run();
        times[i].push((performance.now() - t0) / 1000);
      }
    }
  }
  return times.map((t) => t.sort((a, b) => a - b)[Math.floor(t.length / 2)]);
}

export async function medianSeconds(run: () => unknown, minRuns = 5, minSeconds = 0.5): Promise<number> {
  return (await interleavedMedians([run], { rounds: 1, settleSeconds: 0, blockSeconds: minSeconds, minCalls: minRuns }))[0];
}

export function fmt(x: number, digits = 1): string {
  return Number.isFinite(x) ? x.toFixed(digits) : '-';
}
