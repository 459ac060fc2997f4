// Median wall times of contenders timed in rounds that run each of them once, after a warm-up round:
// machines here are noisy, and interleaving lets a slow spell fall on every contender alike, so
// their ratios hold even when the absolute times drift.
export async function interleavedMedians(runs: readonly (() => unknown)[], minRounds = 5, minSeconds = 0.5 * runs.length): Promise<number[]> {
  for (const run of runs) await run();
  const times: number[][] = runs.map(() => []);
  const start = performance.now();
  for (let round = 0; round < 1000 && (round < minRounds || (performance.now() - start) / 1000 < minSeconds); round++) {
    for (const [i, run] of runs.entries()) {
      const t0 = performance.now();
      await run();
      times[i].push((performance.now() - t0) / 1000);
    }
  }
  return times.map((t) => t.sort((a, b) => a - b)[Math.floor(t.length / 2)]);
}

export async function medianSeconds(run: () => unknown, minRuns = 5, minSeconds = 0.5): Promise<number> {
  return (await interleavedMedians([run], minRuns, minSeconds))[0];
}

export function fmt(x: number, digits = 1): string {
  return Number.isFinite(x) ? x.toFixed(digits) : '-';
}
