// Median wall time of repeated runs after a warm-up; machines here are noisy, so peers are timed
// interleaved in the same process and compared by ratio.
export async function medianSeconds(run: () => unknown, minRuns = 5, minSeconds = 0.5): Promise<number> {
  await run();
  const times: number[] = [];
  const start = performance.now();
  while (times.length < minRuns || (performance.now() - start) / 1000 < minSeconds) {
    const t0 = performance.now();
    await run();
    times.push((performance.now() - t0) / 1000);
    if (times.length >= 1000) break;
  }
  times.sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)];
}

export function fmt(x: number, digits = 1): string {
  return Number.isFinite(x) ? x.toFixed(digits) : '-';
}
