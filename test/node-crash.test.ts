import test from 'ava';
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { parseEther, Wallet } from 'ethers';
import { verifyProof } from '../lib/attest';
import { freePort } from '../lib/chain/anvil';
import { ModelStore } from '../lib/node';
import { createKeystore, ensureRegistered, loadKeystore, Settler } from '../lib/settle';
import { rng, randomTensor } from './helpers';
import { MLP } from './models';
import { post, wire } from './node-helpers';
import { until } from './poll';
import { MIN_STAKE, startChain, tempDir, type Chain } from './settle-helpers';

const CLI = path.join(__dirname, '..', 'lib', 'cli', 'main.js');
const PASSWORD = 'crash-test-password';

let chain: Chain;
test.before(async () => {
  chain = await startChain();
});
test.after.always(async () => {
  await chain?.stop();
});

function serve(args: string[]): { child: ChildProcess; exited: Promise<string>; output: () => string } {
  const child = spawn(process.execPath, [CLI, 'serve', ...args], { env: { ...process.env, VERINFER_KEY_PASSWORD: PASSWORD }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d));
  child.stderr!.on('data', (d: Buffer) => (output += d));
  const exited = new Promise<string>((resolve) => child.on('exit', (code, signal) => resolve(signal ?? `exit ${code}`)));
  return { child, exited, output: () => output };
}

async function ready(url: string, exited: Promise<string>, output: () => string): Promise<void> {
  let gone = false;
  void exited.then(() => (gone = true));
  await until(() => `the node to become ready: ${output()}`, async () => {
    if (gone) throw new Error(`node exited before it was ready: ${output()}`);
    return fetch(`${url}/readyz`).then((r) => r.ok, () => false);
  }, 30_000);
}

test('SIGKILL mid-stream and restart: every answered request is committed exactly once; SIGTERM drains and flushes', async (t) => {
  const dir = tempDir('node-crash');
  const keystore = path.join(dir, 'operator.json');
  await createKeystore(keystore, PASSWORD);
  const operator = (await loadKeystore(keystore, PASSWORD)).connect(chain.provider);
  const funder = new Wallet(chain.anvil.devKeys[0], chain.provider);
  await (await funder.sendTransaction({ to: operator.address, value: parseEther('3') })).wait();
  await ensureRegistered(chain.address, operator as Wallet, MIN_STAKE);
  await ModelStore.open(dir).add(MLP, { alias: 'mlp' });
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const args = ['--data-dir', dir, '--port', String(port), '--rpc-url', chain.anvil.url, '--contract', chain.address, '--keystore', keystore, '--settle-batch-size', '16', '--settle-delay-ms', '100', '--max-delay-ms', '1'];

  const answered = new Set<string>();
  const random = rng(77);
  let sent = 0;
  for (let round = 0; round < 4; round++) {
    const node = serve(args);
    await ready(url, node.exited, node.output);
    let running = true;
    // Four clients stream requests until the node goes away under them.
    const clients = Array.from({ length: 4 }, async () => {
      while (running) {
        const x = randomTensor([1, 16], 10_000 + sent++);
        const reply = await post(url + '/v1/infer', { model: 'mlp', inputs: { x: wire(x) } }).catch(() => undefined);
        if (reply?.status === 200) answered.add(reply.body.requestId);
        else if (reply === undefined) break;
      }
    });
    await sleep(400 + Math.floor(random() * 800));
    const last = round === 3;
    node.child.kill(last ? 'SIGTERM' : 'SIGKILL');
    const how = await node.exited;
    running = false;
    await Promise.all(clients);
    t.is(how, last ? 'exit 0' : 'SIGKILL', node.output());
  }
  t.true(answered.size > 50, `${answered.size} answered`);

  // The SIGTERM'd run committed what it held; whatever earlier kills left, the restarts committed.
  const settler = await Settler.open({ dataDir: path.join(dir, 'outbox'), wallet: operator, rpcUrl: chain.anvil.url, contract: chain.address });
  try {
    t.is(settler.uncommittedCount(), 0);
    for (const id of answered) {
      const status = settler.status(id);
      if (status?.state !== 'committed') return t.fail(`answered request ${id} is ${status?.state ?? 'missing'}`);
      if (!verifyProof(status.receipt!.attestation, status.receipt!.proof, status.receipt!.batch.root)) return t.fail(`${id}: proof fails`);
    }
    const events = await chain.contract.queryFilter(chain.contract.filters.BatchCommitted(operator.address));
    const sequences = events.map((e) => (e as unknown as { args: { sequence: bigint } }).args.sequence);
    t.is(new Set(sequences).size, sequences.length, 'no sequence committed twice');
    const batches = settler.batches();
    t.is(batches.length, events.length);
    const ids = batches.flatMap((b) => b.requestIds);
    t.is(new Set(ids).size, ids.length, 'no attestation in two batches');
    t.true(ids.length >= answered.size);
    t.log(`${answered.size} answered over 3 kills and a SIGTERM; ${ids.length} attested, in ${batches.length} committed batches`);
  } finally {
    await settler.close();
  }
});
