// One transaction at a time per account in this process, from choosing its nonce to broadcasting it:
// the settler and the hub watcher share the operator key, and two senders reading the same pending
// nonce would replace each other's transactions.
const tails = new Map<string, Promise<unknown>>();

export function withSendLock<T>(address: string, send: () => Promise<T>): Promise<T> {
  const key = address.toLowerCase();
  const run = (tails.get(key) ?? Promise.resolve()).then(send, send);
  tails.set(key, run.catch(() => undefined));
  return run;
}
