import test from 'ava';
import { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { Signature, Wallet, hexlify, randomBytes } from 'ethers';
import {
  AttestationTree, LEAF_TYPES, attestationValues, batchDigest, leafHash, recoverBatchSigner, signBatch, verifyProof,
  type Attestation,
} from '../lib/attest';

const operator = Wallet.createRandom();
const domain = { chainId: 31337n, verifyingContract: '0x5FbDB2315678afecb367f032d93F642f64180aa3' };

function randomAttestation(i: number): Attestation {
  return {
    requestId: hexlify(randomBytes(32)),
    modelHash: hexlify(randomBytes(32)),
    inputHash: hexlify(randomBytes(32)),
    outputHash: hexlify(randomBytes(32)),
    operator: operator.address,
    timestamp: 1_764_000_000_000n + BigInt(i),
    runtimeVersion: 1,
  };
}

test('AttestationTree equals OpenZeppelin StandardMerkleTree: root, leaf hashes and proofs', (t) => {
  for (const size of [1, 2, 3, 7, 64, 101]) {
    const leaves = Array.from({ length: size }, (_, i) => randomAttestation(i));
    const ours = AttestationTree.build(leaves);
    const theirs = StandardMerkleTree.of(leaves.map(attestationValues), [...LEAF_TYPES]);
    t.is(ours.root, theirs.root, `root, ${size} leaves`);
    leaves.forEach((leaf, i) => {
      t.is(hexlify(leafHash(leaf)), theirs.leafHash(attestationValues(leaf)));
      t.deepEqual(ours.proof(i), theirs.getProof(i), `proof ${i} of ${size}`);
      t.true(StandardMerkleTree.verify(ours.root, [...LEAF_TYPES], attestationValues(leaf), ours.proof(i)));
      t.true(verifyProof(leaf, ours.proof(i), ours.root));
    });
    t.is(StandardMerkleTree.load(ours.dump()).root, ours.root);
  }
});

test('verifyProof rejects a changed leaf, a changed proof and another root', (t) => {
  const leaves = Array.from({ length: 9 }, (_, i) => randomAttestation(i));
  const tree = AttestationTree.build(leaves);
  const proof = tree.proof(4);
  t.false(verifyProof({ ...leaves[4], outputHash: leaves[3].outputHash }, proof, tree.root));
  t.false(verifyProof({ ...leaves[4], timestamp: leaves[4].timestamp + 1n }, proof, tree.root));
  t.false(verifyProof(leaves[4], [...proof.slice(1)], tree.root));
  t.false(verifyProof(leaves[4], proof, AttestationTree.build(leaves.slice(1)).root));
  t.throws(() => AttestationTree.build([]), { message: /at least one/ });
  t.throws(() => tree.proof(9), { message: /no leaf 9/ });
});

test('batch signatures recover the operator, bind the domain and reject the high-s twin', async (t) => {
  const batch = { operator: operator.address, sequence: 3n, root: hexlify(randomBytes(32)), count: 9 };
  const signature = await signBatch(operator, domain, batch);
  t.is(recoverBatchSigner(domain, batch, signature), operator.address);
  t.not(recoverBatchSigner({ ...domain, chainId: 1n }, batch, signature), operator.address);
  t.not(recoverBatchSigner({ ...domain, verifyingContract: Wallet.createRandom().address }, batch, signature), operator.address);
  t.not(recoverBatchSigner(domain, { ...batch, sequence: 4n }, signature), operator.address);
  t.not(recoverBatchSigner(domain, { ...batch, count: 8 }, signature), operator.address);

  const sig = Signature.from(signature);
  const n = 0xfffffffffffffffffffffffffffffffebaaedce6af48a03bbfd25e8cd0364141n;
  const twin = sig.r + (n - BigInt(sig.s)).toString(16).padStart(64, '0') + (sig.v === 27 ? '1c' : '1b');
  t.throws(() => recoverBatchSigner(domain, batch, twin), { message: /upper half of the curve order/ });
  t.throws(() => recoverBatchSigner(domain, batch, signature.slice(0, 100)), { message: /65 bytes/ });
  t.regex(batchDigest(domain, batch), /^0x[0-9a-f]{64}$/);
});
