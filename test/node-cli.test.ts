import test from 'ava';
import { execFile, spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { Session, tensor } from '../lib';
import { modelHash, namedTensorsHash } from '../lib/attest';
import { MLP } from './models';
import { until } from './poll';
import { tempDir } from './settle-helpers';

const run = promisify(execFile);
const CLI = path.join(__dirname, '..', 'lib', 'cli', 'main.js');
const ROOT = path.join(__dirname, '..', '..');
const { demoModelBytes, DEMO_MODEL_PATH } = require(path.join(ROOT, 'scripts', 'build-demo-model.js'));

test('the shipped demo model is what scripts/build-demo-model.js writes', (t) => {
  t.deepEqual(Buffer.from(demoModelBytes()), readFileSync(DEMO_MODEL_PATH));
});

test('verinfer dev starts a whole node, its printed request works, its receipt commits, Ctrl-C stops everything', async (t) => {
  const child = spawn(process.execPath, [CLI, 'dev', '--port', '0', '--settle-delay-ms', '100'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d: Buffer) => (out += d));
  child.stderr.on('data', (d: Buffer) => (out += d));
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
  try {
    await until(() => `dev to get ready: ${out}`, async () => {
      if (child.exitCode !== null) throw new Error(`dev exited before it was ready: ${out}`);
      return /Ctrl-C stops/.test(out);
    }, 60_000);
    const url = /ready: (http:\/\/\S+)/.exec(out)![1];
    const body = /-d '(.+)'/.exec(out)![1];
    const reply = await fetch(`${url}/v1/infer`, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    t.is(reply.status, 200);
    const result = await reply.json() as { requestId: string; model: string; outputs: { probs: { data: number[] } }; attestation: { outputHash: string } };
    t.is(result.model, modelHash(readFileSync(DEMO_MODEL_PATH)));
    const session = await Session.create(DEMO_MODEL_PATH);
    const x = JSON.parse(body).inputs.x;
    const want = (await session.run({ x: tensor('float32', x.shape, x.data) })).probs;
    t.is(result.attestation.outputHash, namedTensorsHash({ probs: want }));
    const state = await until('the receipt to commit', async () => {
      const { state: now } = await (await fetch(`${url}/v1/receipts/${result.requestId}`)).json() as { state: string };
      return now === 'committed' && now;
    });
    t.is(state, 'committed');
    child.kill('SIGINT');
    t.is(await exited, 0, out);
    await t.throwsAsync(fetch(`${url}/healthz`));
    const anvilUrl = /anvil (http:\/\/\S+)/.exec(out)![1];
    await t.throwsAsync(fetch(anvilUrl, { method: 'POST', body: '{"jsonrpc":"2.0","id":1,"method":"eth_chainId"}' }), undefined, 'anvil stopped too');
  } finally {
    child.kill('SIGKILL');
  }
});

test('verinfer models add | list | remove and infer work on a data directory', async (t) => {
  const dir = tempDir('cli');
  const file = path.join(dir, 'mlp.onnx');
  writeFileSync(file, MLP);
  const cli = (...args: string[]) => run(process.execPath, [CLI, ...args], { env: { ...process.env, VERINFER_DATA_DIR: dir } });
  const added = await cli('models', 'add', file, '--alias', 'mlp');
  t.is(added.stdout.trim(), `${modelHash(MLP)} (mlp)`);
  t.regex((await cli('models', 'list')).stdout, new RegExp(`${modelHash(MLP)}\\s+mlp\\s+${MLP.length} B\\s+x:float32\\[N,16\\] → probs:float32\\[N,4\\]`));
  const input = path.join(dir, 'input.json');
  const x = tensor('float32', [2, 16], Array.from({ length: 32 }, (_, i) => i / 32 - 0.5));
  writeFileSync(input, JSON.stringify({ x: { dtype: 'float32', shape: [2, 16], data: Array.from(x.data) } }));
  const want = (await (await Session.create(MLP)).run({ x })).probs;
  for (const model of ['mlp', file]) {
    const out = JSON.parse((await cli('infer', model, '--input', input)).stdout);
    t.is(out.model, modelHash(MLP));
    t.is(out.outputHash, namedTensorsHash({ probs: want }));
    t.deepEqual(out.outputs.probs.data, Array.from(want.data as Float32Array));
  }
  const fixed = JSON.parse((await cli('infer', 'mlp', '--input', input, '--encoding', 'fixed')).stdout);
  t.is(fixed.modelOutput.numbers[0].name, 'probs');
  t.is((await cli('models', 'remove', 'mlp')).stdout.trim(), 'removed mlp');
  const missing = await t.throwsAsync(cli('infer', 'mlp', '--input', input)) as Error & { stderr: string; code: number };
  t.regex(missing.stderr, /no model 'mlp' in the store/);
  const bad = await t.throwsAsync(cli('models', 'list', '--data-dir', '')) as Error & { stderr: string };
  t.regex(bad.stderr, /flag --data-dir: dataDir must be a non-empty string/);
});

test('verinfer serve names every missing setting; info reports the build', async (t) => {
  const error = await t.throwsAsync(run(process.execPath, [CLI, 'serve', '--data-dir', tempDir('cli')])) as Error & { stderr: string; code: number };
  t.regex(error.stderr, /missing settings: rpcUrl .*; contract .*; keystore/);
  t.is(error.code, 2);
  const info = JSON.parse((await run(process.execPath, [CLI, 'info'])).stdout);
  t.regex(info.isa, /^(scalar|avx2|avx512)$/);
  t.is(info.version, require(path.join(ROOT, 'package.json')).version);
  t.true(info.threads >= 1);
});
