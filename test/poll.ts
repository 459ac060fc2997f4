// Waiting on something outside the test (a chain, a child process, a node's HTTP API) by polling it.
import { setTimeout as sleep } from 'node:timers/promises';

/**
 * Polls `probe` until it gives a truthy value and returns it; throws naming `what` past the deadline.
 * A probe that throws (the process it waits on exited, say) ends the wait with its error.
 */
export async function until<T>(what: string | (() => string), probe: () => Promise<T | undefined | false>, timeoutMs = 20_000, everyMs = 50): Promise<T> {
  for (const deadline = Date.now() + timeoutMs; ;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'string' ? what : what()}`);
    await sleep(everyMs);
  }
}
