import test from 'ava';
import { execFile } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { receiptToJSON, type Receipt } from '../lib/attest';
import { Settler, verifyReceipt } from '../lib/settle';
import { randomAttestation, registeredOperator, startChain, tempDir, type Chain } from './settle-helpers';

const run = promisify(execFile);
const CLI = path.join(__dirname, '..', 'lib', 'cli', 'main.js');

let chain: Chain;
test.before(async () => {
  chain = await startChain();
});
test.after.always(async () => {
  await chain?.stop();
});

async function openSettler(keyIndex: number, batchSize: number, batchDelayMs: number): Promise<Settler> {
  const wallet = await registeredOperator(chain, keyIndex);
  return Settler.open({ dataDir: tempDir('settle'), wallet, rpcUrl: chain.anvil.url, contract: chain.address, batchSize, batchDelayMs, pollMs: 20 });
}

test.serial('attestations settle in batches of N, one commit each, and every receipt verifies on-chain', async (t) => {
  const opened = Date.now();
  const settler = await openSettler(1, 64, 10_000);
  const attestations = Array.from({ length: 300 }, () => randomAttestation(settler.operator));
  await Promise.all(attestations.map((a) => settler.attest(a)));
  await settler.settled();

  const batches = settler.batches();
  const first = batches[0].sequence;
  t.true(first >= opened, 'a fresh outbox starts at the current Unix millisecond, past anything a lost store signed');
  t.deepEqual(batches.map((b) => b.sequence), [first, first + 1, first + 2, first + 3, first + 4]);
  t.deepEqual(batches.map((b) => b.requestIds.length), [64, 64, 64, 64, 44]);
  t.true(batches.every((b) => b.state === 'committed' && b.sent.length === 1));
  t.is(await chain.contract.lastSequence(settler.operator), BigInt(first + 4));
  const txs = new Set(batches.map((b) => b.commit!.txHash));
  t.is(txs.size, 5, 'one transaction per batch');
  t.log('commit gas per batch:', batches.map((b) => b.commit!.gasUsed).join(', '));

  for (const a of attestations) {
    const status = settler.status(a.requestId)!;
    t.is(status.state, 'committed');
    const json = JSON.parse(JSON.stringify(receiptToJSON(status.receipt!)));
    const verdict = await verifyReceipt(json, { provider: chain.provider, contract: chain.address });
    if (!verdict.ok) return t.fail(JSON.stringify(verdict));
  }
  const receipt = settler.status(attestations[7].requestId)!.receipt!;
  t.true(await chain.contract.verifyLeaf(receipt.batch.sequence, Object.values(receipt.attestation), receipt.proof));
  await settler.close();
});

test.serial('a receipt that was tampered with, or that the chain does not hold, fails verification', async (t) => {
  const settler = await openSettler(2, 8, 10_000);
  const attestations = Array.from({ length: 8 }, () => randomAttestation(settler.operator));
  await Promise.all(attestations.map((a) => settler.attest(a)));
  await settler.settled();
  const good = settler.status(attestations[3].requestId)!.receipt!;
  await settler.close();

  const changedOutput: Receipt = { ...good, attestation: { ...good.attestation, outputHash: attestations[4].outputHash } };
  const trusted = { provider: chain.provider, contract: chain.address };
  let verdict = await verifyReceipt(changedOutput, trusted);
  t.false(verdict.ok);
  t.false(verdict.proof.ok);
  t.true(verdict.signature.ok);

  const otherRoot: Receipt = { ...good, batch: { ...good.batch, root: attestations[0].inputHash } };
  verdict = await verifyReceipt(otherRoot, trusted);
  t.false(verdict.signature.ok);
  t.false(verdict.committed!.ok);

  const otherSequence: Receipt = { ...good, batch: { ...good.batch, sequence: good.batch.sequence + 1n } };
  verdict = await verifyReceipt(otherSequence, trusted);
  t.false(verdict.signature.ok);
  t.regex(verdict.committed!.detail, /not committed/);

  const otherChain: Receipt = { ...good, domain: { ...good.domain, chainId: 1n } };
  verdict = await verifyReceipt(otherChain, trusted);
  t.false(verdict.ok);
  t.regex(verdict.chain!.detail, /provider is on chain 31337, the receipt is for chain 1/);

  const otherContract: Receipt = { ...good, domain: { ...good.domain, verifyingContract: '0x0000000000000000000000000000000000000042' } };
  verdict = await verifyReceipt(otherContract, trusted);
  t.false(verdict.ok);
  t.regex(verdict.chain!.detail, /not the trusted/);
  await t.throwsAsync(verifyReceipt(good, { provider: chain.provider }), { message: /needs options.contract/ });
  t.true((await verifyReceipt(good)).ok, 'offline checks alone pass');
  const upperRoot = { ...receiptToJSON(good), batch: { ...(receiptToJSON(good) as { batch: object }).batch, root: '0x' + good.batch.root.slice(2).toUpperCase() } };
  t.true((await verifyReceipt(upperRoot, trusted)).ok, 'hex case does not matter');
  await t.throwsAsync(verifyReceipt({ ...receiptToJSON(good), proof: 'x' }), { message: /receipt.proof: expected an array/ });
});

test.serial('a partial batch seals after T ms; the same attestation twice is stored once', async (t) => {
  const settler = await openSettler(3, 1000, 300);
  const a = randomAttestation(settler.operator);
  const started = Date.now();
  await settler.attest(a);
  await settler.attest({ ...a });
  t.is(settler.status(a.requestId)!.state, 'pending');
  await t.throwsAsync(settler.attest({ ...a, outputHash: a.inputHash }), { message: /already attested with different contents/ });
  await t.throwsAsync(settler.attest({ ...a, requestId: a.modelHash, operator: '0x0000000000000000000000000000000000000001' }), { message: /not this settler's operator/ });

  while (settler.status(a.requestId)!.state !== 'committed') await new Promise((r) => setTimeout(r, 20));
  const elapsed = Date.now() - started;
  t.true(elapsed >= 300, `sealed after ${elapsed} ms, not before T`);
  t.log(`result → committed receipt: ${elapsed} ms (T = 300 ms, anvil automine)`);
  t.deepEqual(settler.batches().map((b) => b.requestIds.length), [1]);
  await settler.close();
});

test.serial('verinfer verify checks a receipt file from the command line', async (t) => {
  const lastBefore: bigint = await chain.contract.lastSequence((await registeredOperator(chain, 1)).address);
  const settler = await openSettler(1, 4, 10_000);
  const attestations = Array.from({ length: 4 }, () => randomAttestation(settler.operator));
  await Promise.all(attestations.map((a) => settler.attest(a)));
  await settler.settled();
  const receipt = receiptToJSON(settler.status(attestations[1].requestId)!.receipt!) as { batch: { sequence: string } };
  await settler.close();
  t.true(BigInt(receipt.batch.sequence) > lastBefore, 'a fresh outbox continues past the chain\'s last sequence for this operator');
  const dir = tempDir('cli');
  const good = path.join(dir, 'receipt.json');
  writeFileSync(good, JSON.stringify(receipt));
  const ok = await run(process.execPath, [CLI, 'verify', good, '--rpc', chain.anvil.url, '--contract', chain.address]);
  t.regex(ok.stdout, /receipt verified/);
  t.regex(ok.stdout, /ok {3}committed: root committed by/);

  const bad = path.join(dir, 'bad.json');
  writeFileSync(bad, JSON.stringify({ ...receipt, proof: [] }));
  const failed = await t.throwsAsync(run(process.execPath, [CLI, 'verify', bad]));
  t.is((failed as unknown as { code: number }).code, 1);
  t.regex((failed as unknown as { stdout: string }).stdout, /FAIL proof/);
});

test.serial('a commit stuck in the mempool is replaced with higher fees under the same nonce, and lands once', async (t) => {
  const wallet = await registeredOperator(chain, 3);
  const settler = await Settler.open({ dataDir: tempDir('stuck'), wallet, rpcUrl: chain.anvil.url, contract: chain.address, batchSize: 4, batchDelayMs: 10_000, pollMs: 20, stuckAfterMs: 200 });
  const before = await chain.contract.lastSequence(wallet.address);
  await chain.provider.send('evm_setAutomine', [false]);
  try {
    const attestations = Array.from({ length: 4 }, () => randomAttestation(settler.operator));
    await Promise.all(attestations.map((a) => settler.attest(a)));
    while ((settler.batches().at(-1)?.sent.length ?? 0) < 3) await new Promise((r) => setTimeout(r, 20));
    const { sent, nonce } = settler.batches().at(-1)!;
    const fees = sent.map((s) => BigInt(s.maxFeePerGas));
    t.true(fees.every((fee, i) => i === 0 || fee > (fees[i - 1] * 125n) / 100n), `each replacement bids ≥ 25% more: ${fees.join(' → ')}`);
    t.is(new Set(sent.map((s) => s.hash)).size, sent.length);
    t.is(nonce, await chain.provider.getTransactionCount(wallet.address, 'latest'), 'one nonce for all of them');
  } finally {
    await chain.provider.send('evm_setAutomine', [true]);
  }
  await chain.provider.send('evm_mine', []);
  await settler.settled();
  const batch = settler.batches().at(-1)!;
  t.true(before < BigInt(batch.sequence));
  t.is(await chain.contract.lastSequence(wallet.address), BigInt(batch.sequence));
  t.true(batch.sent.some((s) => s.hash === batch.commit!.txHash), 'the landed transaction is one of ours');
  t.is(await chain.provider.getTransactionCount(wallet.address, 'latest'), batch.nonce! + 1, 'exactly one of the replacements was mined');
  await settler.close();
});
