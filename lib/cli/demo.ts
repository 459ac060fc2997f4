// `verinfer demo` (`npm start`): the whole flow on an embedded default, end to end on this machine.
// A local anvil, the settlement contract, a throwaway operator key, a small seeded MLP run on the
// kernels, attestations batched and committed, and one receipt verified against the chain.
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { Wallet } from 'ethers';
import { info, ops, tensor, type Tensor } from '../index';
import { modelHash, namedTensorsHash, receiptToJSON, RUNTIME_VERSION } from '../attest';
import { startDevChain, stakeOperator } from '../chain/dev-chain';
import { Settler, verifyReceipt } from '../settle';

const LAYERS: [number, number][] = [[64, 128], [128, 10]];

/** Deterministic weights in [-0.25, 0.25): the demo model is the same everywhere. */
function seeded(shape: number[], seed: number): Tensor<'float32'> {
  const t = tensor('float32', shape);
  let s = seed;
  for (let i = 0; i < t.data.length; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    t.data[i] = (s / 2 ** 32 - 0.5) / 2;
  }
  return t;
}

async function runDemo(options: { requests: string }): Promise<void> {
  const requests = Number(options.requests);
  if (!Number.isInteger(requests) || requests < 1 || requests > 10_000) throw new Error(`--requests must be an integer 1…10000, got ${options.requests}`);
  const weights = LAYERS.map(([k, n], i) => seeded([k, n], 7 + i));
  const packed = weights.map((w) => ops.packB(w));
  const model = modelHash(Buffer.concat(weights.map((w) => Buffer.from(w.data.buffer))));
  const kernel = info();
  console.log(`verinfer ${kernel.version}: ${kernel.isa}${kernel.vnni ? '+vnni' : ''}, ${kernel.threads} threads; demo MLP ${LAYERS.map(([k]) => k).join('→')}→10, model ${model}`);

  const chain = await startDevChain();
  const { anvil, provider, settlement: address } = chain;
  const dataDir = mkdtempSync(path.join(tmpdir(), 'verinfer-demo-'));
  try {
    const operator = Wallet.createRandom().connect(provider); // throwaway: never printed, gone at exit
    await stakeOperator(chain, operator);
    console.log(`anvil ${anvil.url} (chain ${anvil.chainId}); settlement ${address}; operator ${operator.address} staked 1 ETH`);

    const settler = await Settler.open({ dataDir, wallet: operator, rpcUrl: anvil.url, contract: address, batchSize: 64, batchDelayMs: 200, pollMs: 20 });
    const started = performance.now();
    const ids: string[] = [];
    for (let i = 0; i < requests; i++) {
      const x = seeded([1, LAYERS[0][0]], 1000 + i);
      const hidden = await ops.matmul(x, packed[0], undefined, { activation: 'relu' });
      const y = await ops.softmax(await ops.matmul(hidden, packed[1]));
      const requestId = namedTensorsHash({ request: tensor('int32', [1], [i]), x });
      await settler.attest({
        requestId, modelHash: model, inputHash: namedTensorsHash({ x }), outputHash: namedTensorsHash({ y }),
        operator: operator.address, timestamp: BigInt(Date.now()), runtimeVersion: RUNTIME_VERSION,
      });
      ids.push(requestId);
    }
    await settler.settled();
    const elapsed = performance.now() - started;
    const batches = settler.batches();
    const gas = batches.reduce((sum, b) => sum + Number(b.commit!.gasUsed), 0);
    console.log(`${requests} inferences attested in ${batches.length} batch(es), committed in ${elapsed.toFixed(0)} ms; ${(gas / requests).toFixed(1)} gas per inference`);

    const { receipt } = settler.status(ids[ids.length - 1])!;
    await settler.close();
    const verdict = await verifyReceipt(receipt, { provider, contract: address });
    for (const [name, check] of Object.entries(verdict)) if (typeof check === 'object') console.log(`  ${check.ok ? 'ok  ' : 'FAIL'} ${name}: ${check.detail}`);
    const file = path.join(tmpdir(), `verinfer-demo-receipt-${process.pid}.json`);
    writeFileSync(file, JSON.stringify(receiptToJSON(receipt!), null, 2) + '\n');
    console.log(verdict.ok ? `receipt verified on-chain; saved to ${file} (check it again offline: npx verinfer verify ${file})` : 'receipt NOT verified');
    if (!verdict.ok) process.exitCode = 1;
  } finally {
    await chain.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('run the whole flow locally: anvil, contracts, a throwaway operator, inference, attestation, commit, verification')
    .option('-n, --requests <count>', 'number of inference requests', '100')
    .action(runDemo);
}
