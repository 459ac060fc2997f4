import test from 'ava';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { onnx } from 'onnx-proto';
import { modelHash } from '../lib/attest';
import { ModelNotFoundError, ModelStore } from '../lib/node';
import { tensor } from '../lib';
import { CNN, MLP } from './models';
import { tempDir } from './settle-helpers';

function modelFile(bytes: Uint8Array): string {
  const file = path.join(tempDir('store-src'), 'model.onnx');
  writeFileSync(file, bytes);
  return file;
}

/** Serves `bytes` once per request on loopback; `lie` sends a smaller Content-Length than the body. */
async function serveBytes(bytes: Uint8Array) {
  const server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/octet-stream' });
    res.end(Buffer.from(bytes));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/model.onnx`, close: () => server.close() };
}

test('models are stored under their hash with aliases, listed, resolved and removed', async (t) => {
  const store = ModelStore.open(tempDir('store'));
  const added = await store.add(modelFile(MLP), { alias: 'mlp' });
  t.is(added.hash, modelHash(MLP));
  t.deepEqual(added.aliases, ['mlp']);
  t.is(added.inputs[0].name, 'x');
  t.deepEqual(added.inputs[0].shape, ['N', 16]);
  t.true(existsSync(path.join(store.dir, `${added.hash.slice(2)}.onnx`)));
  // Adding the same bytes again only adds an alias.
  t.deepEqual((await store.add(MLP, { alias: 'classifier' })).aliases, ['mlp', 'classifier']);
  t.is(store.list().length, 1);
  t.is(store.resolve('classifier')?.hash, added.hash);
  t.is(store.resolve(added.hash.toUpperCase().replace('0X', '0x'))?.hash, added.hash);
  await t.throwsAsync(store.add(CNN, { alias: 'mlp' }), { message: /alias 'mlp' already names model/ });
  t.true(store.remove('mlp'));
  t.false(store.remove('mlp'));
  t.deepEqual(readdirSync(store.dir).filter((f) => f.endsWith('.onnx')), []);
  await t.throwsAsync(store.acquire('mlp'), { instanceOf: ModelNotFoundError });
});

test('a second store on the same directory (the CLI beside a running node) sees what the first added', async (t) => {
  const dir = tempDir('store');
  const node = ModelStore.open(dir);
  await ModelStore.open(dir).add(MLP, { alias: 'late' });
  const loaded = await node.acquire('late');
  t.deepEqual((await loaded.session.run({ x: tensor('float32', [1, 16]) })).probs.shape, [1, 4]);
  loaded.release();
});

test('hashes are verified; URLs need one; bad aliases and unsupported models are refused', async (t) => {
  const store = ModelStore.open(tempDir('store'));
  await t.throwsAsync(store.add(MLP, { expectedHash: modelHash(CNN) }), { message: /model hash mismatch: expected 0x[0-9a-f]{64}, the bytes hash to/ });
  await t.throwsAsync(store.add('http://127.0.0.1:1/m.onnx'), { message: /needs its expected hash/ });
  await t.throwsAsync(store.add(MLP, { alias: '0xabc' }), { message: /alias must be a letter/ });
  await t.throwsAsync(store.add(MLP, { expectedHash: '0x12' }), { message: /expected hash must be 0x and 64 hex digits/ });
  await t.throwsAsync(store.add('/nonexistent/model.onnx'), { message: /cannot be read \(ENOENT\)/ });
  const unsupported = onnx.ModelProto.encode({
    irVersion: 8, opsetImport: [{ version: 13 }],
    graph: { name: 'g', node: [{ opType: 'NonMaxSuppression', input: ['a', 'b'], output: ['c'] }], input: [], output: [] },
  }).finish();
  await t.throwsAsync(store.add(unsupported), { message: /NonMaxSuppression/ });
  await t.throwsAsync(store.add(Uint8Array.from([1, 2, 3])));
  t.deepEqual(store.list(), []);
});

test('a model from a URL is pinned by its hash and bounded in size while it streams', async (t) => {
  const served = await serveBytes(MLP);
  try {
    const store = ModelStore.open(tempDir('store'), { maxModelBytes: MLP.length });
    const added = await store.add(served.url, { expectedHash: modelHash(MLP), alias: 'remote' });
    t.is(added.source, served.url);
    await t.throwsAsync(store.add(served.url, { expectedHash: modelHash(CNN) }), { message: /hash mismatch/ });
    const small = ModelStore.open(tempDir('store'), { maxModelBytes: MLP.length - 1 });
    await t.throwsAsync(small.add(served.url, { expectedHash: modelHash(MLP) }), { message: /over the \d+-byte limit|more than the \d+-byte limit/ });
  } finally {
    served.close();
  }
});

test('sessions load on first use and the least recently used unpinned ones are evicted past the budget', async (t) => {
  const dir = tempDir('store');
  const setup = ModelStore.open(dir);
  await setup.add(MLP, { alias: 'mlp' });
  await setup.add(CNN, { alias: 'cnn' });
  // Room for one of the two models (each costs twice its file size).
  const store = ModelStore.open(dir, { memoryBudgetBytes: 2 * Math.max(MLP.length, CNN.length) });
  t.deepEqual(store.residentModels(), []);
  const mlp = await store.acquire('mlp');
  const cnn = await store.acquire('cnn');
  // Both pinned: over budget, but nothing in use is evicted.
  t.is(store.residentModels().length, 2);
  mlp.release();
  t.deepEqual(store.residentModels(), [modelHash(CNN)]);
  await new Promise((resolve) => setImmediate(resolve));
  await t.throwsAsync(mlp.session.run({ x: tensor('float32', [1, 16]) }), { message: /released/ });
  cnn.release();
  const again = await store.acquire('mlp');
  t.deepEqual(store.residentModels(), [modelHash(MLP)]);
  t.deepEqual((await again.session.run({ x: tensor('float32', [2, 16]) })).probs.shape, [2, 4]);
  again.release();
});
