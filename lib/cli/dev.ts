// `verinfer dev` (`npm start`): a whole operator node on this machine. A local anvil, the settlement
// contract and an inference hub, a throwaway staked operator, the demo model that ships with the
// package, the HTTP API on localhost and a request to paste. Ctrl-C stops everything it started.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Command } from 'commander';
import { Wallet } from 'ethers';
import { info } from '../index';
import { startDevChain, stakeOperator } from '../chain/dev-chain';
import { startNode } from '../node/running-node';
import { ModelStore } from '../node/model-store';
import { deployHub } from '../hub/contracts';
import { addConfigOptions, configFrom, stopOnSignals } from './node-options';

export const DEMO_MODEL = path.join(__dirname, '..', '..', '..', 'models', 'demo-mlp.onnx');

async function dev(options: Record<string, unknown>): Promise<void> {
  const config = configFrom(options);
  const chain = await startDevChain();
  const { anvil, funder, settlement: address } = chain;
  const temporary = options.dataDir === undefined && process.env.VERINFER_DATA_DIR === undefined;
  const dataDir = temporary ? mkdtempSync(path.join(tmpdir(), 'verinfer-dev-')) : config.dataDir;
  const cleanup = async () => {
    await chain.stop();
    if (temporary) rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const operator = Wallet.createRandom(); // throwaway: never printed, gone at exit
    await stakeOperator(chain, operator);
    const hub = await deployHub(funder, { settlement: address, challengeWindow: 60, requestTimeout: 3600 });
    const hubAddress = await hub.getAddress();
    const demo = await ModelStore.open(dataDir).add(DEMO_MODEL, { alias: 'demo' });
    const running = await startNode({ ...config, dataDir, rpcUrl: anvil.url, contract: address, hub: hubAddress, hubPollMs: 200 }, operator);
    const kernel = info();
    console.log(`verinfer ${kernel.version} dev node: ${kernel.isa}${kernel.vnni ? '+vnni' : ''}, ${kernel.threads} threads`);
    console.log(`anvil ${anvil.url} (chain ${anvil.chainId}); settlement ${address}; operator ${operator.address} staked 1 ETH`);
    console.log(`inference hub ${hubAddress}: on-chain requests for the demo model are fulfilled by this node`);
    console.log(`model 'demo' ${demo.hash}: x float32 [N, 64] → probs float32 [N, 10]`);
    console.log(`ready: ${running.url}  (OpenAPI: ${running.url}/openapi.json, metrics: ${running.url}/metrics)\n`);
    const x = Array.from({ length: 64 }, (_, i) => Math.round(Math.sin(i) * 100) / 100);
    console.log(`curl -s ${running.url}/v1/infer -H 'content-type: application/json' \\\n  -d '${JSON.stringify({ model: 'demo', inputs: { x: { dtype: 'float32', shape: [1, 64], data: x } } })}'`);
    console.log(`\nthen: curl -s ${running.url}/v1/receipts/<requestId>   (committed within ~${config.settleDelayMs} ms)\nCtrl-C stops the node and anvil.`);
    stopOnSignals(async () => {
      await running.stop();
      await cleanup();
    });
  } catch (error) {
    await cleanup();
    throw error;
  }
}

export function registerDev(program: Command): void {
  addConfigOptions(
    program.command('dev').description('run a complete local node: anvil, contracts, a throwaway operator, the demo model, the HTTP API'),
    ['dataDir', 'host', 'port', 'threads', 'maxBatch', 'maxDelayMs', 'preferredBatch', 'maxQueue', 'settleBatchSize', 'settleDelayMs', 'adminToken'],
  ).action(dev);
}
