// VerinferSettlement on a real anvil chain: staking, batch commits, EIP-712 checks and slashing.
// Signatures and trees are built here with ethers and @openzeppelin/merkle-tree directly, not with
// lib/attest, so these tests cross-check the off-chain side independently.
import test, { type ExecutionContext } from 'ava';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import {
  AbiCoder,
  Contract,
  Interface,
  JsonRpcProvider,
  Signature,
  TypedDataEncoder,
  Wallet,
  dataSlice,
  getAddress,
  id,
  parseEther,
  type TransactionReceipt,
  type TypedDataDomain,
} from 'ethers';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { startAnvil, type AnvilNode } from '../lib/chain/anvil';
import { SlashReason, deploySettlement, settlementArtifact, settlementAt } from '../lib/settle/contracts';

const root = path.join(__dirname, '..', '..');
const MIN_STAKE = parseEther('1');
const PERIOD = 7 * 24 * 3600;
const SHARE_BPS = 1000;
const SECP256K1_N = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;

const BATCH_TYPES = {
  Batch: [
    { name: 'operator', type: 'address' },
    { name: 'sequence', type: 'uint64' },
    { name: 'root', type: 'bytes32' },
    { name: 'count', type: 'uint32' },
  ],
};
const LEAF_TYPES = ['bytes32', 'bytes32', 'bytes32', 'bytes32', 'address', 'uint64', 'uint32'];
type Leaf = [requestId: string, modelHash: string, inputHash: string, outputHash: string, operator: string, timestamp: bigint, runtimeVersion: number];

let anvil: AnvilNode;
let provider: JsonRpcProvider;

test.before(async () => {
  anvil = await startAnvil();
  provider = new JsonRpcProvider(anvil.url, anvil.chainId, { staticNetwork: true, pollingInterval: 20, cacheTimeout: -1 });
});

test.after.always(async () => {
  provider?.destroy();
  await anvil?.stop();
});

/** A fresh deployment; `operator`, `reporter` and `other` are dev accounts with their own contract handles. */
async function setup() {
  const [deployer, operator, reporter, other] = anvil.devKeys.map((k) => new Wallet(k, provider));
  const settlement = await deploySettlement(deployer, { minStake: MIN_STAKE, unbondingPeriod: PERIOD, reporterShareBps: SHARE_BPS });
  const address = await settlement.getAddress();
  const as = (w: Wallet) => settlementAt(address, w);
  return { settlement, address, deployer, operator, reporter, other, as };
}

function domain(verifyingContract: string, chainId: number = anvil.chainId): TypedDataDomain {
  return { name: 'verinfer', version: '1', chainId, verifyingContract };
}

function signBatch(signer: Wallet, contract: string, operator: string, sequence: bigint, root: string, count: number, chainId?: number) {
  return signer.signTypedData(domain(contract, chainId), BATCH_TYPES, { operator, sequence, root, count });
}

function leaf(operator: string, i: number, over: Partial<{ model: string; input: string; output: string; runtime: number }> = {}): Leaf {
  return [
    id(`request ${i}`),
    over.model ?? id('model'),
    over.input ?? id(`input ${i}`),
    over.output ?? id(`output ${i}`),
    operator,
    1_764_000_000_000n + BigInt(i),
    over.runtime ?? 1,
  ];
}

function tree(leaves: Leaf[]) {
  return StandardMerkleTree.of(leaves, LEAF_TYPES);
}

async function mined(tx: Promise<{ wait(): Promise<TransactionReceipt | null> }>): Promise<TransactionReceipt> {
  const receipt = await (await tx).wait();
  if (!receipt) throw new Error('no receipt');
  return receipt;
}

/** Registers `wallet` (if needed) and commits a tree of `leaves` as batch `sequence`; returns the tree. */
async function registerAndCommit(contract: string, wallet: Wallet, sequence: bigint, leaves: Leaf[], stake = MIN_STAKE) {
  const c = settlementAt(contract, wallet);
  if (!(await c.stakeOf(wallet.address)).registered) await mined(c.register({ value: stake }));
  const t = tree(leaves);
  const sig = await signBatch(wallet, contract, wallet.address, sequence, t.root, leaves.length);
  await mined(c.commitBatch(sequence, t.root, leaves.length, sig));
  return t;
}

const settlementInterface = new Interface(settlementArtifact().abi);

/** Asserts the promise fails with the contract's custom error `name` (and `args`, if given). */
async function reverts(t: ExecutionContext, promise: Promise<unknown>, name: string, args?: unknown[]) {
  const error = (await t.throwsAsync(promise)) as { data?: string; message: string } | undefined;
  // A sent transaction fails in the signer's estimateGas, which leaves the custom error undecoded.
  const decoded = error?.data ? settlementInterface.parseError(error.data) : null;
  t.is(decoded?.name, name, `expected revert ${name}, got ${error?.message}`);
  if (args) t.deepEqual([...(decoded?.args ?? [])], args);
}

function events(receipt: TransactionReceipt, contract: Contract, name: string) {
  return receipt.logs
    .map((log) => contract.interface.parseLog(log))
    .filter((e) => e?.name === name)
    .map((e) => [...e!.args]);
}

async function increaseTime(seconds: number) {
  await provider.send('evm_increaseTime', [seconds]);
  await provider.send('evm_mine', []);
}

/** The same signature with s → n - s and v flipped: valid for raw ecrecover, high-s. */
function malleate(signature: string): string {
  const sig = Signature.from(signature);
  const highS = SECP256K1_N - BigInt(sig.s);
  const v = sig.v === 27 ? 28 : 27;
  return sig.r + highS.toString(16).padStart(64, '0') + v.toString(16);
}

test.serial('checked-in artifacts match the sources', (t) => {
  const { compileArtifacts } = require(path.join(root, 'scripts', 'build-contracts.js'));
  const all = compileArtifacts();
  t.deepEqual(Object.keys(all).sort(), ['ForecastConsumer', 'InferenceHub', 'VerinferSettlement']);
  for (const [name, compiled] of Object.entries(all)) {
    const file = path.join(root, 'contracts', 'artifacts', `${name}.json`);
    t.is(readFileSync(file, 'utf8'), `${JSON.stringify(compiled, null, 2)}\n`, `${name}: run \`npm run build:contracts\``);
  }
  const compiled = all.VerinferSettlement;
  t.deepEqual(settlementArtifact(), compiled);
  t.is(compiled.compiler, '0.8.28+commit.7893614a.Emscripten.clang');
  t.truthy(compiled.sources['contracts/AttestationLeaf.sol']);
});

test.serial('constructor parameters, EIP-712 domain and bad parameters', async (t) => {
  const { settlement, address, deployer } = await setup();
  t.is(await settlement.minStake(), MIN_STAKE);
  t.is(await settlement.unbondingPeriod(), BigInt(PERIOD));
  t.is(await settlement.reporterShareBps(), BigInt(SHARE_BPS));
  t.is(await settlement.totalBurned(), 0n);
  t.is(await settlement.BATCH_TYPEHASH(), id('Batch(address operator,uint64 sequence,bytes32 root,uint32 count)'));
  t.is(await settlement.REASON_EQUIVOCATION(), BigInt(SlashReason.Equivocation));
  t.is(await settlement.REASON_INCONSISTENCY(), BigInt(SlashReason.Inconsistency));
  const d = await settlement.eip712Domain();
  t.deepEqual([d.name, d.version, d.chainId, d.verifyingContract], ['verinfer', '1', BigInt(anvil.chainId), address]);
  const bad = (minStake: bigint, unbondingPeriod: number, reporterShareBps: number) =>
    deploySettlement(deployer, { minStake, unbondingPeriod, reporterShareBps });
  await reverts(t, bad(MIN_STAKE, PERIOD, 10_001), 'ShareTooHigh', [10_001n]);
  await reverts(t, bad(0n, PERIOD, SHARE_BPS), 'ZeroMinStake');
  await reverts(t, bad(MIN_STAKE, 0, SHARE_BPS), 'ZeroUnbondingPeriod');
});

test.serial('register, add stake, unbond and withdraw around the unbonding period', async (t) => {
  const { settlement, address, operator, as } = await setup();
  const op = as(operator);
  await reverts(t, op.register({ value: MIN_STAKE - 1n }), 'StakeBelowMinimum', [MIN_STAKE - 1n, MIN_STAKE]);
  await reverts(t, op.addStake({ value: 1n }), 'NotRegistered', [operator.address]);
  t.false(await settlement.isActive(operator.address));

  const reg = await mined(op.register({ value: MIN_STAKE }));
  t.deepEqual(events(reg, settlement, 'Registered'), [[operator.address, MIN_STAKE]]);
  t.true(await settlement.isActive(operator.address));
  await reverts(t, op.register({ value: MIN_STAKE }), 'AlreadyRegistered', [operator.address]);
  const add = await mined(op.addStake({ value: parseEther('0.5') }));
  t.deepEqual(events(add, settlement, 'StakeAdded'), [[operator.address, parseEther('0.5'), parseEther('1.5')]]);
  await reverts(t, op.addStake({ value: 0n }), 'ZeroAmount');

  await reverts(t, op.unbond(parseEther('2')), 'InsufficientBonded', [parseEther('1.5'), parseEther('2')]);
  await reverts(t, op.withdraw(), 'NothingToWithdraw');
  await mined(op.unbond(parseEther('0.5')));
  t.true(await settlement.isActive(operator.address), 'bonded still equals minStake');
  await increaseTime(1000);
  // A second unbond restarts the release time for the whole unbonding balance.
  const second = await mined(op.unbond(parseEther('0.25')));
  const block = await provider.getBlock(second.blockNumber);
  const releaseAt = BigInt(block!.timestamp + PERIOD);
  t.deepEqual(events(second, settlement, 'Unbonding'), [[operator.address, parseEther('0.25'), parseEther('0.75'), releaseAt]]);
  t.deepEqual([...(await settlement.stakeOf(operator.address))], [parseEther('0.75'), parseEther('0.75'), releaseAt, true, false]);
  t.false(await settlement.isActive(operator.address), 'bonded below minStake');
  const t1 = tree([leaf(operator.address, 0)]);
  const sig = await signBatch(operator, address, operator.address, 1n, t1.root, 1);
  await reverts(t, op.commitBatch(1n, t1.root, 1, sig), 'NotActive', [operator.address]);

  await increaseTime(PERIOD - 100);
  await reverts(t, op.withdraw(), 'StillUnbonding', [releaseAt]);
  await increaseTime(200);
  const before = await provider.getBalance(operator.address);
  const w = await mined(op.withdraw());
  t.deepEqual(events(w, settlement, 'Withdrawn'), [[operator.address, parseEther('0.75')]]);
  t.is(await provider.getBalance(operator.address), before + parseEther('0.75') - w.fee);
  t.is(await provider.getBalance(address), parseEther('0.75'));
  t.deepEqual([...(await settlement.stakeOf(operator.address))], [parseEther('0.75'), 0n, 0n, true, false]);
  await reverts(t, op.withdraw(), 'NothingToWithdraw');

  // Topping back up to minStake makes the operator active again.
  await mined(op.addStake({ value: parseEther('0.25') }));
  t.true(await settlement.isActive(operator.address));
});

test.serial('commitBatch stores the root, emits BatchCommitted and verifies leaves', async (t) => {
  const { settlement, address, operator, as } = await setup();
  const op = as(operator);
  await mined(op.register({ value: MIN_STAKE }));
  const leaves = Array.from({ length: 7 }, (_, i) => leaf(operator.address, i));
  const mt = tree(leaves);
  const sig = await signBatch(operator, address, operator.address, 1n, mt.root, leaves.length);
  t.is(await settlement.batchDigest(operator.address, 1n, mt.root, 7), TypedDataEncoder.hash(domain(address), BATCH_TYPES, { operator: operator.address, sequence: 1n, root: mt.root, count: 7 }));

  const receipt = await mined(op.commitBatch(1n, mt.root, 7, sig));
  t.deepEqual(events(receipt, settlement, 'BatchCommitted'), [[operator.address, 1n, mt.root, 7n]]);
  t.is(await settlement.rootOf(operator.address, 1n), mt.root);
  t.is(await settlement.rootOf(operator.address, 2n), `0x${'0'.repeat(64)}`);
  t.true(await settlement.isCommitted(operator.address, 1n, mt.root));
  t.false(await settlement.isCommitted(operator.address, 1n, id('other root')));
  t.false(await settlement.isCommitted(operator.address, 2n, mt.root));
  t.is(await settlement.lastSequence(operator.address), 1n);

  for (const [i, value] of mt.entries()) t.true(await settlement.verifyLeaf(1n, value, mt.getProof(i)), `leaf ${i}`);
  const tampered: Leaf = [...leaves[2]];
  tampered[3] = id('forged output');
  t.false(await settlement.verifyLeaf(1n, tampered, mt.getProof(2)), 'changed output');
  t.false(await settlement.verifyLeaf(1n, leaves[2], mt.getProof(3)), 'proof of another leaf');
  t.false(await settlement.verifyLeaf(2n, leaves[2], mt.getProof(2)), 'uncommitted sequence');

  // A one-leaf batch: the root is the leaf hash and the proof is empty.
  const single = tree([leaf(operator.address, 99)]);
  await mined(op.commitBatch(2n, single.root, 1, await signBatch(operator, address, operator.address, 2n, single.root, 1)));
  t.true(await settlement.verifyLeaf(2n, single.at(0)!, []));
});

test.serial('commitBatch rejects bad signatures, sequences, senders and empty batches', async (t) => {
  const { address, operator, other, deployer, as } = await setup();
  const op = as(operator);
  await mined(op.register({ value: MIN_STAKE }));
  const r = tree([leaf(operator.address, 0), leaf(operator.address, 1)]).root;
  const sign = (seq: bigint, by = operator, contract = address, chainId?: number) => signBatch(by, contract, operator.address, seq, r, 2, chainId);

  await reverts(t, op.commitBatch(1n, r, 2, await sign(1n, other)), 'BadSignature');
  await reverts(t, op.commitBatch(1n, r, 2, await sign(1n, operator, address, 1)), 'BadSignature');
  const elsewhere = await deploySettlement(deployer, { minStake: MIN_STAKE, unbondingPeriod: PERIOD, reporterShareBps: SHARE_BPS });
  const elsewhereSig = await sign(1n, operator, await elsewhere.getAddress());
  await reverts(t, op.commitBatch(1n, r, 2, elsewhereSig), 'BadSignature');
  await reverts(t, op.commitBatch(1n, r, 3, await sign(1n)), 'BadSignature', []);
  const good = await sign(1n);
  // The malleated form still recovers the operator through the raw ecrecover precompile,
  // so its rejection is the contract's low-s rule, not a broken signature.
  const m = malleate(good);
  t.true(BigInt(`0x${m.slice(66, 130)}`) > SECP256K1_N / 2n);
  const digest = await as(operator).batchDigest(operator.address, 1n, r, 2);
  const input = AbiCoder.defaultAbiCoder().encode(
    ['bytes32', 'uint8', 'bytes32', 'bytes32'],
    [digest, Number.parseInt(m.slice(130), 16), m.slice(0, 66), `0x${m.slice(66, 130)}`],
  );
  const recovered = await provider.call({ to: '0x0000000000000000000000000000000000000001', data: input });
  t.is(getAddress(dataSlice(recovered, 12)), operator.address);
  await reverts(t, op.commitBatch(1n, r, 2, m), 'BadSignature');
  await reverts(t, op.commitBatch(1n, r, 2, good.slice(0, 130)), 'BadSignature');
  // The operator's own signature sent by someone else (active or not) binds msg.sender, not the signer.
  await reverts(t, as(other).commitBatch(1n, r, 2, good), 'NotActive', [other.address]);
  await mined(as(other).register({ value: MIN_STAKE }));
  await reverts(t, as(other).commitBatch(1n, r, 2, good), 'BadSignature');
  await reverts(t, op.commitBatch(1n, r, 0, await signBatch(operator, address, operator.address, 1n, r, 0)), 'EmptyBatch');
  const zero = `0x${'0'.repeat(64)}`;
  await reverts(t, op.commitBatch(1n, zero, 2, await signBatch(operator, address, operator.address, 1n, zero, 2)), 'ZeroRoot');
  await reverts(t, op.commitBatch(0n, r, 2, await sign(0n)), 'SequenceNotIncreasing', [0n, 0n]);

  await mined(op.commitBatch(1n, r, 2, good));
  await reverts(t, op.commitBatch(1n, r, 2, good), 'SequenceNotIncreasing', [1n, 1n]);
  // Sequences need only increase; a gap (an abandoned batch) is allowed.
  await mined(op.commitBatch(3n, r, 2, await sign(3n)));
  await reverts(t, op.commitBatch(2n, r, 2, await sign(2n)), 'SequenceNotIncreasing', [3n, 2n]);
  t.is(await as(operator).lastSequence(operator.address), 3n);
});

test.serial('equivocation slashes bonded and unbonding stake, pays the reporter and burns the rest', async (t) => {
  const { settlement, address, operator, reporter, as } = await setup();
  const op = as(operator);
  await mined(op.register({ value: parseEther('2') }));
  await mined(op.unbond(parseEther('0.5')));
  const a = tree([leaf(operator.address, 1)]).root;
  const b = tree([leaf(operator.address, 2)]).root;
  const sigA = await signBatch(operator, address, operator.address, 5n, a, 1);
  const sigB = await signBatch(operator, address, operator.address, 5n, b, 1);
  await mined(op.commitBatch(5n, a, 1, sigA)); // one of the two committed, the other only signed

  const before = await provider.getBalance(reporter.address);
  const receipt = await mined(as(reporter).reportEquivocation(operator.address, 5n, a, 1, sigA, b, 1, sigB));
  const amount = parseEther('2');
  const reward = (amount * BigInt(SHARE_BPS)) / 10_000n;
  t.deepEqual(events(receipt, settlement, 'Slashed'), [[operator.address, reporter.address, BigInt(SlashReason.Equivocation), amount, reward]]);
  t.is(await provider.getBalance(reporter.address), before + reward - receipt.fee);
  t.is(await settlement.totalBurned(), amount - reward);
  t.is(await provider.getBalance(address), amount - reward, 'burned stake stays locked in the contract');
  t.deepEqual([...(await settlement.stakeOf(operator.address))], [0n, 0n, 0n, true, true]);
  t.false(await settlement.isActive(operator.address));

  const c = tree([leaf(operator.address, 3)]).root;
  await reverts(t, op.commitBatch(6n, c, 1, await signBatch(operator, address, operator.address, 6n, c, 1)), 'NotActive');
  await increaseTime(PERIOD + 1);
  await reverts(t, op.withdraw(), 'NothingToWithdraw');
  await reverts(t, op.addStake({ value: MIN_STAKE }), 'OperatorSlashed', [operator.address]);
  await reverts(t, op.register({ value: MIN_STAKE }), 'OperatorSlashed', [operator.address]);
  await reverts(t, as(reporter).reportEquivocation(operator.address, 5n, a, 1, sigA, b, 1, sigB), 'OperatorSlashed', [operator.address]);
});

test.serial('equivocation needs two different roots signed by the operator, and stake to take', async (t) => {
  const { address, operator, reporter, other, as } = await setup();
  await mined(as(operator).register({ value: MIN_STAKE }));
  const a = id('root a');
  const b = id('root b');
  const sig = (by: Wallet, root: string, count: number, who = operator.address) => signBatch(by, address, who, 1n, root, count);
  const rep = as(reporter);
  // Same root is not equivocation, even with different counts.
  await reverts(t, rep.reportEquivocation(operator.address, 1n, a, 1, await sig(operator, a, 1), a, 1, await sig(operator, a, 1)), 'NotEquivocation');
  await reverts(t, rep.reportEquivocation(operator.address, 1n, a, 1, await sig(operator, a, 1), a, 2, await sig(operator, a, 2)), 'NotEquivocation');
  await reverts(t, rep.reportEquivocation(operator.address, 1n, a, 1, await sig(operator, a, 1), b, 1, await sig(other, b, 1)), 'BadSignature');
  // Signatures for different sequences do not conflict.
  const sigSeq2 = await signBatch(operator, address, operator.address, 2n, b, 1);
  await reverts(t, rep.reportEquivocation(operator.address, 1n, a, 1, await sig(operator, a, 1), b, 1, sigSeq2), 'BadSignature');
  // An address that never staked has nothing to slash.
  await reverts(
    t,
    rep.reportEquivocation(other.address, 1n, a, 1, await sig(other, a, 1, other.address), b, 1, await sig(other, b, 1, other.address)),
    'NothingToSlash',
    [other.address],
  );
  t.true(await as(operator).isActive(operator.address));
});

test.serial('inconsistency across two committed batches slashes the operator', async (t) => {
  const { settlement, address, operator, reporter, as } = await setup();
  const same = { model: id('model x'), input: id('input x') };
  const leavesA = [leaf(operator.address, 1), leaf(operator.address, 2, { ...same, output: id('output 1') })];
  const leavesB = [leaf(operator.address, 3, { ...same, output: id('output 2') }), leaf(operator.address, 4), leaf(operator.address, 5)];
  const ta = await registerAndCommit(address, operator, 1n, leavesA);
  const tb = await registerAndCommit(address, operator, 2n, leavesB);

  const before = await provider.getBalance(reporter.address);
  const receipt = await mined(as(reporter).reportInconsistency(1n, leavesA[1], ta.getProof(1), 2n, leavesB[0], tb.getProof(0)));
  const reward = (MIN_STAKE * BigInt(SHARE_BPS)) / 10_000n;
  t.deepEqual(events(receipt, settlement, 'Slashed'), [[operator.address, reporter.address, BigInt(SlashReason.Inconsistency), MIN_STAKE, reward]]);
  t.is(await provider.getBalance(reporter.address), before + reward - receipt.fee);
  t.is(await settlement.totalBurned(), MIN_STAKE - reward);
  t.false(await settlement.isActive(operator.address));
  await reverts(t, as(reporter).reportInconsistency(1n, leavesA[1], ta.getProof(1), 2n, leavesB[0], tb.getProof(0)), 'OperatorSlashed');
});

test.serial('inconsistency reports that prove nothing are rejected', async (t) => {
  const { address, operator, other, reporter, as } = await setup();
  const same = { model: id('model x'), input: id('input x') };
  const leavesA = [
    leaf(operator.address, 1, { ...same, output: id('out') }),
    leaf(operator.address, 2, { ...same, output: id('out') }),
    leaf(operator.address, 3, { ...same, output: id('out other'), model: id('model y') }),
    leaf(operator.address, 4, { ...same, output: id('out other'), runtime: 2 }),
    leaf(operator.address, 5, { ...same, output: id('out other') }),
  ];
  const ta = await registerAndCommit(address, operator, 1n, leavesA);
  const p = (i: number) => ta.getProof(i);
  const rep = as(reporter);
  await reverts(t, rep.reportInconsistency(1n, leavesA[0], p(0), 1n, leavesA[1], p(1)), 'OutputsAgree');
  await reverts(t, rep.reportInconsistency(1n, leavesA[0], p(0), 1n, leavesA[2], p(2)), 'NotComparable');
  await reverts(t, rep.reportInconsistency(1n, leavesA[0], p(0), 1n, leavesA[3], p(3)), 'NotComparable');
  // A conflicting leaf the operator never committed.
  const uncommitted = leaf(operator.address, 6, { ...same, output: id('never committed') });
  await reverts(t, rep.reportInconsistency(1n, leavesA[0], p(0), 2n, uncommitted, p(4)), 'LeafNotCommitted', [2n]);
  await reverts(t, rep.reportInconsistency(1n, leavesA[0], p(0), 1n, uncommitted, p(4)), 'LeafNotCommitted', [1n]);
  // Another operator's conflicting leaf proves nothing about this one.
  const theirs = [leaf(other.address, 7, { ...same, output: id('their output') }), leaf(other.address, 8)];
  const tt = await registerAndCommit(address, other, 1n, theirs);
  await reverts(t, rep.reportInconsistency(1n, leavesA[0], p(0), 1n, theirs[0], tt.getProof(0)), 'DifferentOperators', [operator.address, other.address]);
  t.true(await rep.isActive(operator.address));
  // Within one batch the genuine conflict (leaves 0 and 4) is slashable.
  await mined(rep.reportInconsistency(1n, leavesA[0], p(0), 1n, leavesA[4], p(4)));
  t.false(await rep.isActive(operator.address));
  t.true(await rep.isActive(other.address));
});

test.serial('commitBatch gas stays flat in the batch size', async (t) => {
  const { address, operator, as } = await setup();
  const op = as(operator);
  await mined(op.register({ value: MIN_STAKE }));
  const gas: Record<string, bigint> = {};
  let sequence = 0n;
  for (const count of [1, 256, 65_536, 4_294_967_295]) {
    sequence += 1n;
    const r = id(`root ${count}`);
    const receipt = await mined(op.commitBatch(sequence, r, count, await signBatch(operator, address, operator.address, sequence, r, count)));
    gas[count] = receipt.gasUsed;
  }
  t.log(`commitBatch gasUsed by batch size: ${Object.entries(gas).map(([n, g]) => `${n}: ${g}`).join(', ')}`);
  const values = Object.values(gas);
  for (const g of values) t.true(g < 100_000n, `${g} gas`);
  const spread = values.reduce((m, g) => (g > m ? g : m)) - values.reduce((m, g) => (g < m ? g : m));
  t.true(spread < 200n, `gas differs by ${spread} only through calldata bytes`);
});
