// Merkle trees in OpenZeppelin StandardMerkleTree layout: double-hashed leaves sorted by hash, nodes
// keccak256 of the sorted pair, root at 0 and the children of node i at 2i+1 and 2i+2.
#pragma once

#include <cstddef>
#include <cstdint>

namespace verinfer {

// `encoded` holds `count` leaves of `leaf_bytes` each (their abi.encode). Writes (2·count − 1) nodes of
// 32 bytes and, for each input leaf, its node index. count ≥ 1.
void build_standard_merkle_tree(const uint8_t* encoded, size_t count, size_t leaf_bytes, uint8_t* nodes,
                                uint32_t* tree_index);

}  // namespace verinfer
