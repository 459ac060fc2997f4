import test from 'ava';
import { setTimeout as sleep } from 'node:timers/promises';
import { Session } from '../lib';
import { namedTensorsHash } from '../lib/attest';
import { Settler, verifyReceipt } from '../lib/settle';
import { committedReceipt, get, post, startTestNode, wire } from './node-helpers';
import { randomTensor } from './helpers';
import { CNN, MLP } from './models';
import { startChain, type Chain } from './settle-helpers';

let chain: Chain;
test.before(async () => {
  chain = await startChain();
});
test.after.always(async () => {
  await chain?.stop();
});

test.serial('end to end: concurrent HTTP clients get the outputs of a plain run and receipts that verify on-chain', async (t) => {
  const node = await startTestNode(chain, 1, { maxDelayMs: 20 });
  try {
    await node.node.store.add(MLP, { alias: 'mlp' });
    const session = await Session.create(MLP);
    const samples = Array.from({ length: 40 }, (_, i) => randomTensor([1, 16], 100 + i));
    const replies = await Promise.all(samples.map((x, i) => post(`${node.url}/v1/infer`, { model: 'mlp', inputs: { x: wire(x, i % 2 ? 'json' : 'base64') } })));
    for (const [i, reply] of replies.entries()) {
      t.is(reply.status, 200, JSON.stringify(reply.body));
      const want = (await session.run({ x: samples[i] })).probs;
      const got = reply.body.outputs.probs;
      const bytes = i % 2 ? Buffer.from(Float32Array.from(got.data).buffer) : Buffer.from(got.data, 'base64');
      t.deepEqual(bytes, Buffer.from(want.data.buffer), `sample ${i}`);
      t.is(reply.body.attestation.outputHash, namedTensorsHash({ probs: want }));
      t.is(reply.body.attestation.inputHash, namedTensorsHash({ x: samples[i] }));
      t.is(reply.body.attestation.operator, node.wallet.address);
      t.is(reply.body.receipt.state, 'pending');
    }
    t.true(replies.some((r) => r.body.batch.requests > 1), 'concurrent requests shared runs');
    for (const reply of replies) {
      const receipt = await committedReceipt(node.url, reply.body.requestId);
      const verdict = await verifyReceipt(receipt, { provider: chain.provider, contract: chain.address });
      t.true(verdict.ok, JSON.stringify(verdict));
    }
    const metrics = (await get(`${node.url}/metrics`)).body as string;
    t.regex(metrics, /verinfer_requests_total\{model="0x[0-9a-f]{64}",outcome="ok"\} 40/);
    t.regex(metrics, /verinfer_attestations_committed_total 40/);
    t.regex(metrics, /verinfer_gas_spent_total [1-9]\d+/);
    t.regex(metrics, /verinfer_batch_rows_count \d+/);
  } finally {
    await node.stop();
  }
});

test.serial('a request gets the same outputs and output hash alone and inside a batch, over HTTP', async (t) => {
  const node = await startTestNode(chain, 2, { maxBatch: 16, maxDelayMs: 50 });
  try {
    await node.node.store.add(CNN, { alias: 'cnn' });
    const probe = randomTensor([1, 3, 16, 16], 7);
    const alone = await post(`${node.url}/v1/infer`, { model: 'cnn', inputs: { image: wire(probe) } });
    t.is(alone.body.batch.requests, 1);
    const others = Array.from({ length: 11 }, (_, i) => randomTensor([1 + (i % 2), 3, 16, 16], 40 + i));
    const burst = await Promise.all([...others.slice(0, 5), probe, ...others.slice(5)].map((x) => post(`${node.url}/v1/infer`, { model: 'cnn', inputs: { image: wire(x) } })));
    const inBatch = burst[5];
    t.true(inBatch.body.batch.requests > 1, `shared a run of ${inBatch.body.batch.rows} rows`);
    t.is(inBatch.body.outputs.logits.data, alone.body.outputs.logits.data);
    t.is(inBatch.body.attestation.outputHash, alone.body.attestation.outputHash);
    t.is(inBatch.body.attestation.inputHash, alone.body.attestation.inputHash);
    t.not(inBatch.body.requestId, alone.body.requestId);
  } finally {
    await node.stop();
  }
});

test.serial('overload: far more concurrent requests than the queue holds get 429 with Retry-After, and the node stays up', async (t) => {
  // Batches wait up to a second to fill, so the queue fills long before anything runs.
  const node = await startTestNode(chain, 3, { maxQueue: 8, maxBatch: 64, maxDelayMs: 1_000 });
  try {
    await node.node.store.add(CNN, { alias: 'cnn' });
    const image = wire(randomTensor([1, 3, 16, 16], 3));
    const rssBefore = process.memoryUsage().rss;
    const replies = await Promise.all(Array.from({ length: 400 }, () => post(`${node.url}/v1/infer`, { model: 'cnn', inputs: { image } })));
    const statuses = replies.map((r) => r.status);
    const refused = replies.filter((r) => r.status === 429);
    t.true(refused.length > 0, 'some were refused');
    t.true(statuses.every((s) => s === 200 || s === 429), `statuses: ${[...new Set(statuses)]}`);
    t.true(refused.every((r) => Number(r.headers.get('retry-after')) >= 1));
    t.regex(refused[0].body.message, /queue for model 0x[0-9a-f]{64} is full/);
    t.true(process.memoryUsage().rss - rssBefore < 512 * 2 ** 20, 'memory stayed bounded');
    t.is((await get(`${node.url}/healthz`)).status, 200);
    t.is((await post(`${node.url}/v1/infer`, { model: 'cnn', inputs: { image } })).status, 200);
    t.is(node.node.scheduler.depth(node.node.store.resolve('cnn')!.hash), 0);
  } finally {
    await node.stop();
  }
});

test.serial('malformed requests get a 4xx naming the field, what was expected and what came', async (t) => {
  const node = await startTestNode(chain, 4, { bodyLimitMb: 0.01 });
  try {
    await node.node.store.add(MLP, { alias: 'mlp' });
    const x = { dtype: 'float32', shape: [1, 16], data: new Array(16).fill(0) };
    const cases: [unknown, number, string, RegExp][] = [
      [{ inputs: { x } }, 400, 'body.model', /required/],
      [{ model: 'mlp', inputs: { x }, extra: 1 }, 400, 'body.extra', /no such field/],
      [{ model: 'mlp' }, 400, 'body', /exactly one of/],
      [{ model: 'mlp', inputs: { x: { ...x, dtype: 'double' } } }, 400, 'body.inputs.x.dtype', /equal to one of the allowed values/],
      [{ model: 'mlp', inputs: { x: { ...x, shape: [1, 15] } } }, 400, 'inputs.x.data', /15 elements/],
      [{ model: 'mlp', inputs: { x: { ...x, shape: [2, 8] } } }, 400, 'inputs.x.shape', /\[N,16\]/],
      [{ model: 'mlp', inputs: { x: { ...x, dtype: 'int32' } } }, 400, 'inputs.x.dtype', /float32/],
      [{ model: 'mlp', inputs: { x, y: x } }, 400, 'inputs.y', /an input of model/],
      [{ model: 'mlp', inputs: {} }, 400, 'inputs.x', /float32 tensor/],
      [{ model: 'nope', inputs: { x } }, 404, 'model', /hash or alias/],
      [{ model: 'mlp', inputs: { x }, priority: 10 }, 400, 'body.priority', /<= 9/],
    ];
    for (const [body, status, field, expected] of cases) {
      const reply = await post(`${node.url}/v1/infer`, body);
      t.is(reply.status, status, JSON.stringify(body));
      t.is(reply.body.field, field, JSON.stringify(reply.body));
      t.regex(reply.body.expected, expected, JSON.stringify(reply.body));
      t.is(typeof reply.body.received, 'string');
    }
    t.is((await post(`${node.url}/v1/infer`, '{"model": ')).status, 400);
    const huge = await post(`${node.url}/v1/infer`, { model: 'mlp', inputs: { x: { ...x, data: new Array(4096).fill(0.5) } } });
    t.is(huge.status, 413);
    t.is((await get(`${node.url}/v1/receipts/0x${'ab'.repeat(32)}`)).status, 404);
    t.is((await get(`${node.url}/v1/receipts/nothex`)).status, 400);
  } finally {
    await node.stop();
  }
});

test.serial('operator routes need the bearer token; models are uploaded by bytes or fetched by URL and hash', async (t) => {
  const token = 'operator-secret-token';
  const node = await startTestNode(chain, 5, { adminToken: token });
  try {
    const upload = (headers: Record<string, string>) => post(`${node.url}/v1/models?alias=uploaded`, MLP, { 'content-type': 'application/octet-stream', ...headers });
    const none = await upload({});
    t.is(none.status, 401);
    t.is(none.body.received, 'no bearer token');
    const wrong = await upload({ authorization: 'Bearer nope' });
    t.is(wrong.status, 401);
    t.false(JSON.stringify(wrong.body).includes(token));
    const ok = await upload({ authorization: `Bearer ${token}` });
    t.is(ok.status, 200, JSON.stringify(ok.body));
    t.deepEqual(ok.body.aliases, ['uploaded']);
    const listed = await get(`${node.url}/v1/models`);
    t.deepEqual(listed.body.map((m: { hash: string }) => m.hash), [ok.body.hash]);
    const broken = await post(`${node.url}/v1/models`, Uint8Array.from([8, 1, 2]), { 'content-type': 'application/octet-stream', authorization: `Bearer ${token}` });
    t.is(broken.status, 422);
    const byUrl = await post(`${node.url}/v1/models`, { url: 'http://127.0.0.1:1/x.onnx' }, { authorization: `Bearer ${token}` });
    t.is(byUrl.status, 400);
    t.is(byUrl.body.field, 'body.hash');
    t.is((await post(`${node.url}/v1/infer`, { model: 'uploaded', inputs: { x: wire(randomTensor([1, 16], 1)) } })).status, 200);
  } finally {
    await node.stop();
  }
  const closed = await startTestNode(chain, 6);
  try {
    const reply = await post(`${closed.url}/v1/models`, MLP, { 'content-type': 'application/octet-stream', authorization: `Bearer ${token}` });
    t.is(reply.status, 403);
  } finally {
    await closed.stop();
  }
});

test.serial('a client that goes away while its request waits takes it out of the queue', async (t) => {
  const node = await startTestNode(chain, 7, { maxDelayMs: 3_000 });
  try {
    await node.node.store.add(MLP, { alias: 'mlp' });
    const hash = node.node.store.resolve('mlp')!.hash;
    const controller = new AbortController();
    const request = post(`${node.url}/v1/infer`, { model: 'mlp', inputs: { x: wire(randomTensor([1, 16], 1)) } }, {}, controller.signal);
    while (node.node.scheduler.depth(hash) === 0) await sleep(5);
    controller.abort();
    t.is((await request.catch((error: Error) => error) as Error).name, 'AbortError');
    const started = Date.now();
    while (node.node.scheduler.depth(hash) > 0) await sleep(5);
    t.true(Date.now() - started < 2_000, 'left the queue before its batching delay ran out');
    t.regex((await get(`${node.url}/metrics`)).body, /outcome="CancelledError"\} 1/);
    t.is(node.node.settler.uncommittedCount(), 0, 'nothing was attested for it');
  } finally {
    await node.stop();
  }
});

test.serial('graceful stop answers requests in flight, commits every attestation, then refuses connections', async (t) => {
  const node = await startTestNode(chain, 8, { maxDelayMs: 200, settleDelayMs: 60_000, settleBatchSize: 1000 });
  const dataDir = node.node.config.dataDir;
  await node.node.store.add(MLP, { alias: 'mlp' });
  const inFlight = Array.from({ length: 20 }, (_, i) => post(`${node.url}/v1/infer`, { model: 'mlp', inputs: { x: wire(randomTensor([1, 16], 300 + i)) } }));
  await sleep(50);
  await node.stop();
  const replies = await Promise.all(inFlight);
  t.true(replies.every((r) => r.status === 200));
  await t.throwsAsync(fetch(`${node.url}/healthz`));
  // The settle delay (60 s) never ran out: stop() itself sealed and committed the batch.
  const settler = await Settler.open({ dataDir: `${dataDir}/outbox`, wallet: node.wallet, rpcUrl: chain.anvil.url, contract: chain.address });
  try {
    for (const r of replies) t.is(settler.status(r.body.requestId)?.state, 'committed');
  } finally {
    await settler.close();
  }
});

test.serial('the OpenAPI document describes every route', async (t) => {
  const node = await startTestNode(chain, 9);
  try {
    const doc = (await get(`${node.url}/openapi.json`)).body;
    t.is(doc.openapi, '3.0.3');
    for (const route of ['/v1/infer', '/v1/receipts/{id}', '/v1/models', '/healthz', '/readyz', '/metrics']) t.truthy(doc.paths[route], route);
    t.truthy(doc.paths['/v1/infer'].post.requestBody.content['application/json'].schema.properties.inputs);
    t.deepEqual((await get(`${node.url}/readyz`)).body.ready, true);
  } finally {
    await node.stop();
  }
});
