import test from 'ava';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { hexlify, keccak256, parseEther, Wallet, ZeroAddress, ZeroHash, type Contract, type EventLog } from 'ethers';
import { Session, tensor } from '../lib';
import { fixedToFloat32, leafHash, modelHash } from '../lib/attest';
import { deployForecastConsumer, deployHub, hubAt, RequestStatus, revertName } from '../lib/hub/contracts';
import { modelInputFromAbi, modelInputToAbi, modelOutputToAbi } from '../lib/hub/model-tensors';
import { startTestNode } from './node-helpers';
import { until } from './poll';
import { registeredOperator, startChain, type Chain } from './settle-helpers';

const DEMO = readFileSync(path.join(__dirname, '..', '..', 'models', 'demo-mlp.onnx'));
const DEMO_HASH = modelHash(DEMO);
const WINDOW = 60;
const TIMEOUT = 3600;
const FEE = parseEther('0.01');

let chain: Chain;
test.before(async () => {
  chain = await startChain();
});
test.after.always(async () => {
  await chain?.stop();
});

async function timeTravel(seconds: number): Promise<void> {
  await chain.provider.send('evm_increaseTime', [seconds]);
  await chain.provider.send('evm_mine', []);
}

/** A hub and a forecast consumer holding 64 recorded prices; `owner` (dev key 0) owns the consumer. */
async function deployAll(): Promise<{ hub: Contract; consumer: Contract; owner: Wallet }> {
  const owner = new Wallet(chain.anvil.devKeys[0], chain.provider);
  const hub = await deployHub(owner, { settlement: chain.address, challengeWindow: WINDOW, requestTimeout: TIMEOUT });
  const consumer = await deployForecastConsumer(owner, await hub.getAddress(), DEMO_HASH, 2);
  for (let i = 0; i < 64; i++) await (await consumer.recordPrice(10_000 + 37 * i - (i % 7) * 50)).wait();
  return { hub, consumer, owner };
}

/** What the demo model gives for the consumer's current input, in the hub's fixed-point form. */
async function expectedOutput(consumer: Contract) {
  const input = await consumer.workflowInput(ZeroHash);
  const values = [...input[0][0][1]].map((v) => fixedToFloat32({ value: v[0], decimals: v[1] }));
  const session = await Session.create(DEMO);
  const outputs = await session.run({ x: tensor('float32', [1, 64], values) });
  return modelOutputToAbi(outputs).numbers[0].values;
}

/** The consumer's last delivered forecast, as fixed-point numbers. */
async function latestOutput(consumer: Contract) {
  return [...(await consumer.latest())].map((v) => ({ value: v[0], decimals: v[1] }));
}

/** Creates a workflow of the demo model for `consumer` every `interval` seconds (or blocks), prepaid for `runs` runs. */
async function createWorkflow(hub: Contract, consumer: Contract, interval: number, inBlocks: boolean, runs: bigint): Promise<string> {
  const created = await (await hub.createWorkflow(DEMO_HASH, await consumer.getAddress(), interval, inBlocks, 400_000, FEE, { value: FEE * runs })).wait();
  return events(created, hub, 'WorkflowCreated')[0]!.args.id as string;
}

/** Resolves to the name of the custom error `sending` reverted with. */
async function reverted(sending: Promise<unknown>, hub: Contract): Promise<string | undefined> {
  try {
    await sending;
  } catch (error) {
    return revertName(error, hub.interface);
  }
  return undefined;
}

function events(receipt: { logs: unknown[] }, hub: Contract, name: string) {
  return receipt.logs.map((l) => hub.interface.parseLog(l as never)).filter((e) => e?.name === name);
}

test.serial('an on-chain request is run by the node, delivered to the consumer, and its fee paid after the window', async (t) => {
  const { hub, consumer } = await deployAll();
  const node = await startTestNode(chain, 1, { hub: await hub.getAddress(), hubPollMs: 50, settleDelayMs: 50 });
  try {
    await node.node.store.add(DEMO, { alias: 'demo' });
    const sent = await (await consumer.requestForecast(400_000, { value: FEE })).wait();
    const id = (sent.logs.map((l: never) => hub.interface.parseLog(l)).find((e: { name: string } | null) => e?.name === 'InferenceRequested')).args.id;
    await until('the forecast', async () => (await consumer.latestRequest()) === id);
    t.deepEqual(await latestOutput(consumer), await expectedOutput(consumer));

    const request = await hub.requestOf(id);
    t.is(request.status, RequestStatus.Fulfilled);
    t.is(request.operator, node.wallet.address);
    const attested = node.node.receipt(id)!.attestation;
    t.is(request.leaf, hexlify(leafHash(attested)));
    const [fulfilled] = (await hub.queryFilter(hub.filters.InferenceFulfilled(id))) as EventLog[];
    t.true(fulfilled.args.callbackOk);

    // Not before the window; then the watcher claims it once the attestation's batch is committed.
    await until('the attestation committed', async () => node.node.receipt(id)?.state === 'committed');
    const before = await chain.provider.getBalance(node.wallet.address);
    await timeTravel(WINDOW + 1);
    await until('the fee paid', async () => (await hub.requestOf(id)).status === RequestStatus.Paid);
    const after = await chain.provider.getBalance(node.wallet.address);
    t.true(after > before + FEE - parseEther('0.001'), 'fee received, less the claim gas');
    t.regex((await (await fetch(`${node.url}/metrics`)).text()), /verinfer_hub_fulfilments_total 1/);
  } finally {
    await node.stop();
  }
});

test.serial('a recurring workflow delivers a run per interval on the input the consumer shows at the time', async (t) => {
  const { hub, consumer } = await deployAll();
  const workflowId = await createWorkflow(hub, consumer, 30, false, 3n);
  const node = await startTestNode(chain, 2, { hub: await hub.getAddress(), hubPollMs: 50, workflows: [workflowId] });
  try {
    await node.node.store.add(DEMO, { alias: 'demo' });
    const inputHash = async () => keccak256(await chain.provider.call({ to: await consumer.getAddress(), data: consumer.interface.encodeFunctionData('workflowInput', [workflowId]) }));
    const firstInput = await inputHash();
    await until('run 1', async () => (await hub.workflowOf(workflowId)).runs === 1n);
    const run1 = await hub.workflowRequestId(workflowId, 1, firstInput);
    t.is(await consumer.latestRequest(), run1);
    t.deepEqual(await latestOutput(consumer), await expectedOutput(consumer));

    // Not due again before the interval, whatever the node polls.
    await sleep(300);
    t.is((await hub.workflowOf(workflowId)).runs, 1n);
    await (await consumer.recordPrice(12_345)).wait();
    await timeTravel(31);
    await until('run 2', async () => (await hub.workflowOf(workflowId)).runs === 2n);
    t.is(await consumer.latestRequest(), await hub.workflowRequestId(workflowId, 2, await inputHash()));
    t.deepEqual(await latestOutput(consumer), await expectedOutput(consumer));
    t.is((await hub.workflowOf(workflowId)).balance, FEE);
  } finally {
    await node.stop();
  }
});

test.serial('a workflow counted in blocks runs again only once its interval of blocks has been mined', async (t) => {
  const { hub, consumer } = await deployAll();
  const workflowId = await createWorkflow(hub, consumer, 5, true, 3n);
  const node = await startTestNode(chain, 6, { hub: await hub.getAddress(), hubPollMs: 50, workflows: [workflowId] });
  try {
    await node.node.store.add(DEMO, { alias: 'demo' });
    await until('run 1', async () => (await hub.workflowOf(workflowId)).runs === 1n);
    const lastRun = (await hub.workflowOf(workflowId)).lastRun;
    // lastRun is a block number (the settler's own commits may have mined a block or two since).
    t.true(lastRun > 0n && lastRun <= BigInt(await chain.provider.getBlockNumber()));
    await sleep(300);
    t.is((await hub.workflowOf(workflowId)).runs, 1n, 'not due before 5 blocks');
    for (let i = 0; i < 5; i++) await chain.provider.send('evm_mine', []);
    await until('run 2', async () => (await hub.workflowOf(workflowId)).runs === 2n);
    t.true((await hub.workflowOf(workflowId)).lastRun >= lastRun + 5n);
  } finally {
    await node.stop();
  }
});

test.serial('requests posted while the node is down are fulfilled after restart, each exactly once', async (t) => {
  const { hub, consumer } = await deployAll();
  const config = { hub: await hub.getAddress(), hubPollMs: 50 };
  const first = await startTestNode(chain, 3, config);
  await first.node.store.add(DEMO, { alias: 'demo' });
  const ask = async () => {
    const receipt = await (await consumer.requestForecast(400_000, { value: FEE })).wait();
    return events(receipt, hub, 'InferenceRequested')[0]!.args.id as string;
  };
  const early = await ask();
  await until('the first request', async () => (await hub.requestOf(early)).status === RequestStatus.Fulfilled);
  await first.stop();
  const whileDown = [await ask(), await ask()];
  const second = await startTestNode(chain, 3, { ...config, dataDir: first.node.config.dataDir });
  try {
    for (const id of whileDown) await until(`request ${id}`, async () => (await hub.requestOf(id)).status === RequestStatus.Fulfilled);
    await second.node.hubWatcher!.poll();
    for (const id of [early, ...whileDown]) t.is((await hub.queryFilter(hub.filters.InferenceFulfilled(id))).length, 1, id);
  } finally {
    await second.stop();
  }
});

test.serial('the hub refuses what it must: strangers, double fulfilment, early or unproven claims, stale workflow input', async (t) => {
  const { hub, consumer } = await deployAll();
  const operator = await registeredOperator(chain, 4);
  const stranger = new Wallet(chain.anvil.devKeys[5], chain.provider);
  const x = { x: tensor('float32', [1, 64]) };
  const output = modelOutputToAbi({ y: tensor('float32', [1, 2], [0.5, -1]) });
  const post = await (await hub.request(DEMO_HASH, modelInputToAbi(x), ZeroAddress, 0, { value: FEE })).wait();
  const id = events(post, hub, 'InferenceRequested')[0]!.args.id as string;
  const as = (w: Wallet) => hubAt(hub.target as string, w);

  t.is(await reverted(as(stranger).fulfil(id, output, ZeroHash), hub), 'NotActiveOperator');
  await (await as(operator).fulfil(id, output, keccak256('0x01'))).wait();
  t.is(await reverted(as(operator).fulfil(id, output, ZeroHash), hub), 'NotOpen');
  const leaf = [id, DEMO_HASH, ZeroHash, ZeroHash, operator.address, 1n, 1];
  t.is(await reverted(hub.claimFee(id, 1, leaf, []), hub), 'ChallengeWindowOpen');
  await timeTravel(WINDOW + 1);
  t.is(await reverted(hub.claimFee(id, 1, leaf, []), hub), 'LeafMismatch');
  t.is(await reverted(hub.refund(id), hub), 'NotRefundable');

  // Unfulfilled past the timeout: the requester gets the fee back, once.
  const late = events(await (await hub.request(DEMO_HASH, modelInputToAbi(x), ZeroAddress, 0, { value: FEE })).wait(), hub, 'InferenceRequested')[0]!.args.id;
  t.is(await reverted(hub.refund(late), hub), 'NotRefundable');
  await timeTravel(TIMEOUT);
  await (await hub.refund(late)).wait();
  t.is((await hub.requestOf(late)).status, RequestStatus.Refunded);
  t.is(await reverted(hub.refund(late), hub), 'NotRefundable');

  // A workflow run must carry the input the consumer shows now, and wait for its interval.
  const wid = await createWorkflow(hub, consumer, 3600, false, 2n);
  const current = modelInputFromAbi(await consumer.workflowInput(wid));
  t.is(await reverted(as(operator).runWorkflow(wid, modelInputToAbi(x), output, ZeroHash), hub), 'InputChanged');
  await (await as(operator).runWorkflow(wid, current, output, ZeroHash)).wait();
  t.is(await reverted(as(operator).runWorkflow(wid, current, output, ZeroHash), hub), 'WorkflowNotDue');
  t.is(await reverted(as(stranger).cancelWorkflow(wid), hub), 'NotWorkflowOwner');
  await (await hub.cancelWorkflow(wid)).wait();
  t.is(await reverted(as(operator).runWorkflow(wid, current, output, ZeroHash), hub), 'UnknownWorkflow');
  t.is(await chain.provider.getBalance(await hub.getAddress()), FEE * 2n, 'the paid-out and refunded fees left; the first request and one run remain escrowed');

  // A callback that reverts does not undo the fulfilment.
  const reverting = events(await (await hub.request(DEMO_HASH, modelInputToAbi(x), chain.address, 50_000, { value: 0 })).wait(), hub, 'InferenceRequested')[0]!.args.id;
  const fulfilled = events(await (await as(operator).fulfil(reverting, output, ZeroHash)).wait(), hub, 'InferenceFulfilled')[0]!;
  t.false(fulfilled.args.callbackOk);
  t.is((await hub.requestOf(reverting)).status, RequestStatus.Fulfilled);
});
