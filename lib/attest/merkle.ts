// Batches as Merkle trees laid out exactly like OpenZeppelin's StandardMerkleTree (sorted leaves,
// sorted-pair nodes), built natively so hashing keeps up with the node (≥ 50k leaves/s).
import type { StandardMerkleTree } from '@openzeppelin/merkle-tree';
import { attestationValues, encodeLeafInto, leafHash, LEAF_BYTES, LEAF_TYPES, type Attestation } from './attestation';
import { bytesToHex, hexToBytes } from './hex';
import { keccak256, merkleTree } from './keccak';

export class AttestationTree {
  private constructor(
    readonly leaves: readonly Attestation[],
    /** Nodes in StandardMerkleTree order: root at 0, children of i at 2i+1 and 2i+2, leaves at the end. */
    private readonly nodes: Uint8Array,
    /** Node index of each attestation, by its position in the input. */
    private readonly treeIndex: Uint32Array,
  ) {}

  static build(leaves: readonly Attestation[]): AttestationTree {
    if (leaves.length === 0) throw new RangeError('AttestationTree: a batch needs at least one attestation');
    const encoded = Buffer.alloc(leaves.length * LEAF_BYTES);
    leaves.forEach((a, i) => encodeLeafInto(a, encoded, i * LEAF_BYTES));
    const { nodes, treeIndex } = merkleTree(encoded, LEAF_BYTES);
    return new AttestationTree(leaves, nodes, treeIndex);
  }

  get root(): string {
    return this.node(0);
  }

  /** Proof for the attestation at `index` in the order given to build(). */
  proof(index: number): string[] {
    let node = this.treeIndex[index];
    if (node === undefined) throw new RangeError(`AttestationTree: no leaf ${index} (tree has ${this.leaves.length})`);
    const proof: string[] = [];
    while (node > 0) {
      proof.push(this.node(node % 2 === 1 ? node + 1 : node - 1));
      node = (node - 1) >> 1;
    }
    return proof;
  }

  /** The tree as StandardMerkleTree.load() reads it, for tools built on @openzeppelin/merkle-tree. */
  dump(): ReturnType<StandardMerkleTree<ReturnType<typeof attestationValues>>['dump']> {
    return {
      format: 'standard-v1',
      leafEncoding: [...LEAF_TYPES],
      tree: Array.from({ length: this.nodes.length / 32 }, (_, i) => this.node(i)),
      values: this.leaves.map((a, i) => ({ value: attestationValues(a), treeIndex: this.treeIndex[i] })),
    };
  }

  private node(i: number): string {
    return bytesToHex(this.nodes.subarray(32 * i, 32 * i + 32));
  }
}

function hashPair(a: Uint8Array, b: Uint8Array): Uint8Array {
  const pair = new Uint8Array(64);
  const [first, second] = Buffer.compare(a, b) <= 0 ? [a, b] : [b, a];
  pair.set(first, 0);
  pair.set(second, 32);
  return keccak256(pair);
}

/** True when `proof` leads from the attestation's leaf to `root` (OpenZeppelin MerkleProof.verify). */
export function verifyProof(attestation: Attestation, proof: readonly string[], root: string): boolean {
  let node = leafHash(attestation);
  for (const [i, sibling] of proof.entries()) node = hashPair(node, hexToBytes(sibling, 32, `proof[${i}]`));
  return Buffer.compare(node, hexToBytes(root, 32, 'root')) === 0;
}
