// Settlement costs: gas per attested inference (anvil), attestations hashed and batched per second on
// one core, and result → committed receipt latency through the real Settler (bench/settle-latency.ts).
import { randomBytes } from 'node:crypto';
import { Wallet, type Contract } from 'ethers';
import { setThreads, tensor, type Tensor } from '../lib';
import { AttestationTree, batchDigest, namedTensorsHash, RUNTIME_VERSION, type Attestation, type SettlementDomain } from '../lib/attest';
import { DEV_STAKE, startDevChain } from '../lib/chain/dev-chain';
import { ensureRegistered, settlementAt } from '../lib/settle';
import { benchSettleLatency, randomAttestation, type BenchChain } from './settle-latency';
import { fmt, medianSeconds } from './timing';

const TX_BASE_GAS = 21_000; // the floor of a one-transaction-per-result design
const GAS_TARGET = 100; // gas per inference at 4096
const RATE_TARGET = 50_000; // attestations/s on one core
const TREE_SIZE = 4096;

const hex32 = () => '0x' + randomBytes(32).toString('hex');

export async function benchSettle(): Promise<void> {
  const dev = await startDevChain();
  const { anvil, provider, settlement: address } = dev;
  try {
    const chain: BenchChain = {
      anvil, address,
      async operator(keyIndex) {
        const wallet = new Wallet(anvil.devKeys[keyIndex], provider);
        await ensureRegistered(address, wallet, DEV_STAKE);
        return wallet;
      },
    };
    await benchGas(chain);
    await benchThroughput();
    await benchSettleLatency(chain);
  } finally {
    await dev.stop();
  }
}

async function benchGas(chain: BenchChain): Promise<void> {
  const wallet = await chain.operator(1);
  const contract: Contract = settlementAt(chain.address, wallet);
  const domain: SettlementDomain = { chainId: BigInt(chain.anvil.chainId), verifyingContract: chain.address };
  console.log(`gas per attested inference: commitBatch on anvil, vs one tx per result (≥ ${TX_BASE_GAS} gas each)`);
  console.log('batch size   gas/commit   gas/inference   1-tx/result ÷ this   target');
  let sequence = 0n;
  for (const count of [1, 16, 256, TREE_SIZE]) {
    const tree = AttestationTree.build(Array.from({ length: count }, () => randomAttestation(wallet.address)));
    sequence++;
    const digest = batchDigest(domain, { operator: wallet.address, sequence, root: tree.root, count });
    const signature = wallet.signingKey.sign(digest).serialized;
    const receipt = await (await contract.commitBatch(sequence, tree.root, count, signature)).wait();
    const gas = Number(receipt.gasUsed);
    const perInference = gas / count;
    const target = count === TREE_SIZE ? `≤ ${GAS_TARGET} gas/inference: ${perInference <= GAS_TARGET ? 'met' : 'missed'}` : '';
    console.log(
      `${String(count).padStart(10)} ${String(gas).padStart(12)} ${fmt(perInference).padStart(15)} ` +
        `${`${fmt(TX_BASE_GAS / perInference, 1)}×`.padStart(20)}   ${target}`,
    );
  }
}

/** Deterministic float32 values in [-1, 1). */
function randomTensor(shape: number[], seed: number): Tensor<'float32'> {
  const t = tensor('float32', shape);
  let s = seed;
  for (let i = 0; i < t.data.length; i++) {
    s = (s * 1103515245 + 12345) >>> 0;
    t.data[i] = (s / 4294967296) * 2 - 1;
  }
  return t;
}

async function benchThroughput(): Promise<void> {
  setThreads(1);
  const operator = Wallet.createRandom().address;
  const modelHash = hex32();
  // A pool of distinct requests; per result the input [1,784] and output [1,10] are hashed afresh.
  const inputs = Array.from({ length: 64 }, (_, i) => randomTensor([1, 784], 2 * i + 1));
  const outputs = Array.from({ length: 64 }, (_, i) => randomTensor([1, 10], 2 * i + 2));
  const attestations: Attestation[] = new Array(TREE_SIZE);
  const hashAndAttest = () => {
    for (let i = 0; i < TREE_SIZE; i++) {
      attestations[i] = {
        requestId: hex32(),
        modelHash,
        inputHash: namedTensorsHash({ input: inputs[i % 64] }),
        outputHash: namedTensorsHash({ output: outputs[i % 64] }),
        operator,
        timestamp: BigInt(Date.now()),
        runtimeVersion: RUNTIME_VERSION,
      };
    }
  };
  const treeAndProofs = () => {
    const tree = AttestationTree.build(attestations);
    for (let i = 0; i < TREE_SIZE; i++) tree.proof(i);
  };
  // All synchronous on this thread (the addon's keccak does not fan out): one core's rate.
  const full = (await medianSeconds(() => (hashAndAttest(), treeAndProofs()), 9, 1)) / TREE_SIZE;
  const hashOnly = (await medianSeconds(hashAndAttest, 9, 1)) / TREE_SIZE;
  const treeOnly = (await medianSeconds(treeAndProofs, 9, 1)) / TREE_SIZE;
  console.log(`\nattestations per second on one core (median of ≥ 9 runs of ${TREE_SIZE} = one batch)`);
  console.log('stage                                             attestations/s  µs each  ÷ target (≥ 50000/s)');
  for (const [name, seconds] of [
    ['hash input+output, attest, tree, every proof', full],
    ['  of which hash input+output, attest', hashOnly],
    ['  of which tree + every proof', treeOnly],
  ] as const) {
    console.log(`${name.padEnd(48)} ${fmt(1 / seconds, 0).padStart(15)} ${fmt(seconds * 1e6, 2).padStart(8)} ${fmt(1 / seconds / RATE_TARGET, 2).padStart(9)}`);
  }
}
