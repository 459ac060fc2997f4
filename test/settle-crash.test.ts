import test from 'ava';
import { spawn } from 'node:child_process';
import { createServer, connect, type Server, type Socket } from 'node:net';
import path from 'node:path';
import { verifyProof } from '../lib/attest';
import { Settler } from '../lib/settle';
import { freePort } from '../lib/chain/anvil';
import { streamAttestation } from './fixtures/settle-worker';
import { rng } from './helpers';
import { registeredOperator, startChain, tempDir, type Chain } from './settle-helpers';

const WORKER = path.join(__dirname, 'fixtures', 'settle-worker.js');

let chain: Chain;
test.before(async () => {
  chain = await startChain();
});
test.after.always(async () => {
  await chain?.stop();
});

/** Starts the worker; resolves with its exit code (or signal) once it is gone. */
function runWorker(dataDir: string, rpcUrl: string, key: string, total: number, killAfterMs?: number): Promise<string> {
  const child = spawn(process.execPath, [WORKER, dataDir, rpcUrl, chain.address, String(total)], {
    env: { ...process.env, SETTLE_WORKER_KEY: key },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => (stderr += d));
  const timer = killAfterMs === undefined ? undefined : setTimeout(() => child.kill('SIGKILL'), killAfterMs);
  return new Promise((resolve) => {
    child.on('exit', (code, signal) => {
      clearTimeout(timer);
      resolve(signal ?? `exit ${code}${stderr ? `: ${stderr.trim()}` : ''}`);
    });
  });
}

/** Every one of `total` stream attestations is in exactly one batch committed on-chain, and its receipt checks out. */
async function assertCommittedExactlyOnce(t: import('ava').ExecutionContext, dataDir: string, key: number, total: number): Promise<void> {
  const wallet = await registeredOperator(chain, key);
  const settler = await Settler.open({ dataDir, wallet, rpcUrl: chain.anvil.url, contract: chain.address });
  try {
    const events = await chain.contract.queryFilter(chain.contract.filters.BatchCommitted(wallet.address));
    const sequences = events.map((e) => Number((e as unknown as { args: { sequence: bigint } }).args.sequence));
    t.deepEqual(sequences, sequences.map((_, i) => sequences[0] + i), 'each sequence committed once, in order');
    const batches = settler.batches();
    t.is(batches.length, events.length, 'every stored batch committed, none twice');
    const seen = new Set<string>();
    for (const [i, batch] of batches.entries()) {
      t.is(batch.state, 'committed');
      t.is((events[i] as unknown as { args: { root: string } }).args.root, batch.root);
      for (const id of batch.requestIds) {
        if (seen.has(id)) return t.fail(`${id} is in two batches`);
        seen.add(id);
      }
    }
    t.is(seen.size, total, 'every attestation batched');
    t.is(events.reduce((n, e) => n + Number((e as unknown as { args: { count: bigint } }).args.count), 0), total);
    for (let i = 0; i < total; i++) {
      const status = settler.status(streamAttestation(wallet.address, i).requestId);
      if (status?.state !== 'committed') return t.fail(`attestation ${i} is ${status?.state ?? 'missing'}`);
      const r = status.receipt!;
      if (!verifyProof(r.attestation, r.proof, r.batch.root)) return t.fail(`attestation ${i}: proof fails`);
    }
  } finally {
    await settler.close();
  }
}

test.serial('SIGKILLed at random points and restarted, the settler commits every attestation exactly once', async (t) => {
  const total = 1200;
  const dataDir = tempDir('crash');
  const wallet = await registeredOperator(chain, 1);
  const random = rng(2026);
  const rounds: string[] = [];
  const committedAfter: bigint[] = [];
  for (let round = 0; round < 6; round++) {
    const outcome = await runWorker(dataDir, chain.anvil.url, chain.anvil.devKeys[1], total, 300 + Math.floor(random() * 1500));
    committedAfter.push(BigInt((await chain.contract.queryFilter(chain.contract.filters.BatchCommitted(wallet.address))).length));
    rounds.push(`${outcome} (${committedAfter[round]} batches on-chain)`);
  }
  t.log(`rounds: ${rounds.join(', ')}`);
  t.true(rounds.filter((k) => k.startsWith('SIGKILL')).length >= 4, 'most rounds were killed');
  t.true(committedAfter.filter((n, i) => n > (committedAfter[i - 1] ?? 0n)).length >= 3, 'the kills fell while batches were being committed');
  t.is(await runWorker(dataDir, chain.anvil.url, chain.anvil.devKeys[1], total), 'exit 0');
  await assertCommittedExactlyOnce(t, dataDir, 1, total);
  t.log(`on-chain batches: ${(await chain.contract.queryFilter(chain.contract.filters.BatchCommitted(wallet.address))).length}`);
});

/** A TCP relay to the chain that can be cut and restored on the same port. */
async function relay(targetPort: number): Promise<{ url: string; cut(): Promise<void>; restore(): Promise<void>; close(): Promise<void> }> {
  const port = await freePort();
  const sockets = new Set<Socket>();
  let server: Server | undefined;
  const listen = () =>
    new Promise<void>((resolve) => {
      server = createServer((client) => {
        const upstream = connect(targetPort, '127.0.0.1');
        for (const s of [client, upstream]) {
          sockets.add(s);
          s.on('close', () => sockets.delete(s));
          s.on('error', () => s.destroy());
        }
        client.pipe(upstream).pipe(client);
      });
      server.listen(port, '127.0.0.1', resolve);
    });
  const cut = () =>
    new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server!.close(() => resolve());
    });
  await listen();
  return { url: `http://127.0.0.1:${port}`, cut, restore: listen, close: cut };
}

test.serial('the RPC endpoint going away for a while loses nothing', async (t) => {
  const total = 120;
  const dataDir = tempDir('outage');
  const wallet = await registeredOperator(chain, 2);
  const link = await relay(chain.anvil.port);
  const settler = await Settler.open({ dataDir, wallet, rpcUrl: link.url, contract: chain.address, batchSize: 16, batchDelayMs: 40, pollMs: 10, retryBaseMs: 50, retryMaxMs: 300 });
  for (let i = 0; i < 40; i++) await settler.attest(streamAttestation(wallet.address, i));
  await link.cut();
  for (let i = 40; i < total; i++) await settler.attest(streamAttestation(wallet.address, i));
  await new Promise((r) => setTimeout(r, 1500));
  t.true(settler.batches().some((b) => b.state !== 'committed'), 'batches waited while the endpoint was down');
  await link.restore();
  await settler.settled();
  await settler.close();
  await link.close();
  await assertCommittedExactlyOnce(t, dataDir, 2, total);
});
