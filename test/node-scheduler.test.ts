import test from 'ava';
import { setTimeout as sleep } from 'node:timers/promises';
import { Session, tensor, type Tensor } from '../lib';
import { CancelledError, isBatchable, QueueFullError, Scheduler, ShuttingDownError, type Runnable } from '../lib/node';
import { bytesEqual, randomTensor } from './helpers';
import { MLP } from './models';

const DEFAULTS = { maxBatch: 8, maxDelayMs: 20, preferred: [] as number[], maxQueue: 64 };

/** Doubles its input and records the batch sizes it was called with; `gate` holds runs until opened. */
function recorder() {
  const calls: number[] = [];
  let open: () => void = () => undefined;
  let gate: Promise<void> | undefined;
  const runner: Runnable = {
    async run(feeds) {
      calls.push(feeds.x.shape[0]);
      if (gate) await gate;
      const x = feeds.x as Tensor<'float32'>;
      return { y: tensor('float32', x.shape, x.data.map((v) => 2 * v)) };
    },
  };
  return {
    calls, runner,
    hold() {
      gate = new Promise((resolve) => (open = resolve));
    },
    release() {
      gate = undefined;
      open();
    },
  };
}

const row = (value: number, rows = 1) => ({ x: tensor('float32', [rows, 3], new Array(3 * rows).fill(value)) });

test('requests arriving within the delay share one run and each gets its own rows back', async (t) => {
  const scheduler = new Scheduler(DEFAULTS);
  const r = recorder();
  const results = await Promise.all([1, 2, 3].map((v) => scheduler.submit('m', r.runner, row(v, v), true)));
  t.deepEqual(r.calls, [6]);
  results.forEach((res, i) => {
    t.deepEqual(res.outputs.y.shape, [i + 1, 3]);
    t.deepEqual(Array.from(res.outputs.y.data as Float32Array), new Array(3 * (i + 1)).fill(2 * (i + 1)));
    t.is(res.batchRows, 6);
    t.is(res.batchRequests, 3);
  });
});

test('a full batch runs at once without waiting for the delay; the rest forms the next batch', async (t) => {
  const scheduler = new Scheduler({ ...DEFAULTS, maxBatch: 4, maxDelayMs: 10_000 });
  const r = recorder();
  const started = performance.now();
  await Promise.all([1, 2, 3, 4].map((v) => scheduler.submit('m', r.runner, row(v), true)));
  t.true(performance.now() - started < 5_000);
  t.deepEqual(r.calls, [4]);
});

test('with maxBatch 1 (batching off) every request runs alone', async (t) => {
  const scheduler = new Scheduler({ ...DEFAULTS, maxBatch: 1 });
  const r = recorder();
  await Promise.all([1, 2, 3].map((v) => scheduler.submit('m', r.runner, row(v), true)));
  t.deepEqual(r.calls, [1, 1, 1]);
});

test('requests whose inner dims differ, or models without a batch dim, do not share runs', async (t) => {
  const scheduler = new Scheduler(DEFAULTS);
  const r = recorder();
  const wide = { x: tensor('float32', [1, 4]) };
  await Promise.all([scheduler.submit('m', r.runner, row(1), true), scheduler.submit('m', r.runner, wide, true), scheduler.submit('m', r.runner, row(2), true)]);
  t.deepEqual(r.calls.sort(), [1, 2]);
  r.calls.length = 0;
  await Promise.all([scheduler.submit('m', r.runner, row(1), false), scheduler.submit('m', r.runner, row(2), false)]);
  t.deepEqual(r.calls, [1, 1]);
});

test('isBatchable needs the same open leading dim on every input and output', (t) => {
  const v = (shape: (number | string | null)[] | null) => ({ name: 'v', dtype: 'float32' as const, shape });
  t.true(isBatchable([v(['N', 3])], [v(['N', 10])]));
  t.true(isBatchable([v([null, 3])], [v(['N', 10])]));
  t.false(isBatchable([v([1, 3])], [v([1, 10])]));
  t.false(isBatchable([v(['N', 3])], [v(['M', 10])]));
  t.false(isBatchable([v(['N', 3])], [v([10])]));
  t.false(isBatchable([v(null)], [v(['N'])]));
});

test('preferred sizes dispatch as soon as they can be formed and cut larger gatherings', async (t) => {
  const scheduler = new Scheduler({ ...DEFAULTS, maxBatch: 16, maxDelayMs: 30, preferred: [2, 4] });
  const r = recorder();
  r.hold();
  const first = scheduler.submit('m', r.runner, row(0), true); // runs alone once its delay passes, then holds
  await sleep(60);
  const rest = [1, 2, 3, 4, 5].map((v) => scheduler.submit('m', r.runner, row(v), true));
  r.release();
  await Promise.all([first, ...rest]);
  t.deepEqual(r.calls, [1, 4, 1]);
});

test('higher priority runs first; equal priorities keep arrival order', async (t) => {
  const scheduler = new Scheduler({ ...DEFAULTS, maxBatch: 1, maxDelayMs: 0 });
  const order: number[] = [];
  const r = recorder();
  r.hold();
  const blocker = scheduler.submit('m', r.runner, row(0), true);
  await new Promise((resolve) => setImmediate(resolve));
  const queued = [[1, 0], [2, 5], [3, 0], [4, 9], [5, 5]].map(([v, priority]) =>
    scheduler.submit('m', r.runner, row(v), true, { priority }).then((res) => order.push(res.outputs.y.data[0] as number / 2)));
  r.release();
  await Promise.all([blocker, ...queued]);
  t.deepEqual(order, [4, 2, 5, 1, 3]);
});

test('a full queue refuses with a retry-after; a cancelled request leaves the queue without running', async (t) => {
  const scheduler = new Scheduler({ ...DEFAULTS, maxBatch: 1, maxDelayMs: 0, maxQueue: 2 });
  const r = recorder();
  r.hold();
  const running = scheduler.submit('m', r.runner, row(0), true);
  await new Promise((resolve) => setImmediate(resolve));
  const cancel = new AbortController();
  const waiting = scheduler.submit('m', r.runner, row(1), true, { signal: cancel.signal });
  const second = scheduler.submit('m', r.runner, row(2), true);
  const refused = await t.throwsAsync(scheduler.submit('m', r.runner, row(3), true), { instanceOf: QueueFullError });
  t.true(refused!.retryAfterSeconds >= 1);
  t.is(scheduler.depth('m'), 2);
  cancel.abort();
  await t.throwsAsync(waiting, { instanceOf: CancelledError });
  t.is(scheduler.depth('m'), 1);
  r.release();
  await Promise.all([running, second]);
  t.deepEqual(r.calls, [1, 1]);
});

test('drain runs everything queued, then refuses new requests', async (t) => {
  const scheduler = new Scheduler({ ...DEFAULTS, maxDelayMs: 10_000 });
  const r = recorder();
  const queued = [1, 2, 3].map((v) => scheduler.submit('m', r.runner, row(v), true));
  await scheduler.drain();
  t.deepEqual(r.calls, [3]);
  t.is((await Promise.all(queued)).length, 3);
  await t.throwsAsync(scheduler.submit('m', r.runner, row(1), true), { instanceOf: ShuttingDownError });
});

test('a failing run rejects every request in its batch and the scheduler goes on', async (t) => {
  const scheduler = new Scheduler(DEFAULTS);
  let fail = true;
  const runner: Runnable = {
    async run(feeds) {
      if (fail) throw new RangeError('shapes disagree');
      return { y: feeds.x };
    },
  };
  const both = [scheduler.submit('m', runner, row(1), true), scheduler.submit('m', runner, row(2), true)];
  for (const p of both) await t.throwsAsync(p, { message: 'shapes disagree' });
  fail = false;
  t.deepEqual((await scheduler.submit('m', runner, row(3), true)).outputs.y.shape, [1, 3]);
});

test('a real model gives every request the same bytes inside a batch as alone', async (t) => {
  const session = await Session.create(MLP);
  const samples = Array.from({ length: 7 }, (_, i) => randomTensor([1 + (i % 3), 16], 900 + i));
  const alone: Tensor[] = [];
  for (const x of samples) alone.push((await session.run({ x })).probs);
  const scheduler = new Scheduler({ ...DEFAULTS, maxBatch: 64 });
  const batched = await Promise.all(samples.map((x) => scheduler.submit('mlp', session, { x }, true)));
  t.is(batched[0].batchRequests, samples.length);
  batched.forEach((res, i) => t.true(bytesEqual(res.outputs.probs.data, alone[i].data), `sample ${i}`));
});
