// The operator node under HTTP load (autocannon): throughput and p50/p99 latency for the MLP and the
// CNN with dynamic batching on and off at several concurrency levels, against a real `verinfer serve`
// process settling on a local anvil. Also the share of request time spent attesting (hashing inputs
// and outputs, storing the attestation durably), read from the node's own metrics.
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { freePort } from '../lib/chain/anvil';
import { startDevChain, stakeOperator } from '../lib/chain/dev-chain';
import { ModelStore } from '../lib/node';
import { createKeystore, loadKeystore } from '../lib/settle';
import { until } from '../test/poll';
import { CNN, MLP, seeded } from './bench-models';
import { fmt } from './timing';

const CLI = path.join(__dirname, '..', 'lib', 'cli', 'main.js');
const PASSWORD = 'bench-only-password';
const CONCURRENCY = [1, 8, 32, 64];
const SECONDS = Number(process.env.BENCH_NODE_SECONDS ?? 5);
const MODES = { off: ['--max-batch', '1'], on: ['--max-batch', '64'] } as const;
const MODELS = { mlp: { bytes: MLP, sample: [784] }, cnn: { bytes: CNN, sample: [3, 32, 32] } };

interface Row {
  model: string;
  mode: string;
  connections: number;
  rps: number;
  p50: number;
  p99: number;
  failed: number;
}

export async function benchNode(): Promise<void> {
  const chain = await startDevChain();
  const { anvil, settlement: address } = chain;
  const dir = mkdtempSync(path.join(tmpdir(), 'verinfer-bench-node-'));
  try {
    const keystore = path.join(dir, 'operator.json');
    await createKeystore(keystore, PASSWORD);
    await stakeOperator(chain, await loadKeystore(keystore, PASSWORD));
    const store = ModelStore.open(dir);
    for (const [alias, m] of Object.entries(MODELS)) await store.add(m.bytes, { alias });

    console.log(`autocannon, ${SECONDS} s per point, client and node on the same machine; settlement on anvil (N=256, T=2 s)`);
    console.log('model  batching  conns    req/s    p50 ms   p99 ms  non-2xx');
    const rows: Row[] = [];
    for (const [mode, flags] of Object.entries(MODES)) {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      const node = spawn(process.execPath, [CLI, 'serve', '--data-dir', dir, '--port', String(port), '--rpc-url', anvil.url, '--contract', address, '--keystore', keystore, ...flags], {
        env: { ...process.env, VERINFER_KEY_PASSWORD: PASSWORD }, stdio: ['ignore', 'ignore', 'inherit'],
      });
      let clientSeconds = 0;
      try {
        await waitReady(url);
        for (const [name, m] of Object.entries(MODELS)) {
          const x = seeded([1, ...m.sample], 5, 1);
          const body = JSON.stringify({ model: name, inputs: { x: { dtype: 'float32', shape: x.shape, data: Buffer.from(x.data.buffer).toString('base64') } } });
          const load = (connections: number, duration: number) =>
            autocannon({ url: `${url}/v1/infer`, method: 'POST', body, headers: { 'content-type': 'application/json' }, connections, duration });
          await load(8, 1); // warm: plans compiled for the batch sizes this mode forms
          for (const connections of CONCURRENCY) {
            const r = await load(connections, SECONDS);
            const row = { model: name, mode, connections, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, failed: r.non2xx + r.errors + r.timeouts };
            rows.push(row);
            clientSeconds += (r.latency.average / 1000) * r.requests.total;
            console.log(`${name.padEnd(6)} ${mode.padEnd(8)} ${String(connections).padStart(6)} ${fmt(row.rps, 0).padStart(8)} ${fmt(row.p50, 1).padStart(9)} ${fmt(row.p99, 1).padStart(8)} ${String(row.failed).padStart(8)}`);
          }
        }
        const metrics = await (await fetch(`${url}/metrics`)).text();
        const sum = (metric: string) => [...metrics.matchAll(new RegExp(`^${metric}(?:\\{[^}]*\\})? ([\\d.e+-]+)$`, 'gm'))].reduce((n, m) => n + Number(m[1]), 0);
        const attest = sum('verinfer_attest_seconds_sum');
        const count = sum('verinfer_attest_seconds_count');
        console.log(`  batching ${mode}: attesting (hash + durable store) takes ${fmt((1e3 * attest) / count, 2)} ms per request: ` +
          `${fmt((100 * attest) / sum('verinfer_request_seconds_sum'), 1)}% of the time inside the node, ${fmt((100 * attest) / clientSeconds, 1)}% of the latency clients saw`);
      } finally {
        node.kill('SIGTERM');
        await new Promise((resolve) => node.on('exit', resolve));
      }
    }
    for (const name of Object.keys(MODELS)) {
      const best = (mode: string, p99Limit = Infinity) => Math.max(0, ...rows.filter((r) => r.model === name && r.mode === mode && r.p99 <= p99Limit && r.failed === 0).map((r) => r.rps));
      console.log(`${name}: best throughput with batching at p99 ≤ 50 ms ${fmt(best('on', 50), 0)} req/s; without batching (any p99) ${fmt(best('off'), 0)} req/s; ratio ${fmt(best('on', 50) / best('off'), 2)}×`);
    }
  } finally {
    await chain.stop();
    rmSync(dir, { recursive: true, force: true });
  }
}

async function waitReady(url: string): Promise<void> {
  await until(`the node at ${url} to become ready`, () => fetch(`${url}/readyz`).then((r) => r.ok, () => false), 30_000, 100);
}
