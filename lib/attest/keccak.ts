// Keccak-256 through the addon: the pure-JS hash manages ~10 MB/s here, the native one ~50× that.
import { native } from '../native';

/** keccak256 of the concatenation of `parts`. */
export function keccak256(...parts: Uint8Array[]): Uint8Array {
  return native.keccak256(parts);
}

/** Nodes and leaf positions of a StandardMerkleTree-layout tree over `count` encoded leaves. */
export function merkleTree(encodedLeaves: Uint8Array, leafBytes: number): { nodes: Uint8Array; treeIndex: Uint32Array } {
  return native.merkleTree(encodedLeaves, leafBytes);
}
