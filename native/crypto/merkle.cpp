#include "crypto/merkle.h"

#include <algorithm>
#include <cstring>
#include <numeric>
#include <vector>

#include "crypto/keccak.h"

namespace verinfer {
namespace {

constexpr size_t kNode = Keccak256::kDigestBytes;

void hash_sorted_pair(const uint8_t* a, const uint8_t* b, uint8_t* out) {
  uint8_t pair[2 * kNode];
  const bool a_first = std::memcmp(a, b, kNode) <= 0;
  std::memcpy(pair, a_first ? a : b, kNode);
  std::memcpy(pair + kNode, a_first ? b : a, kNode);
  Keccak256::hash(pair, sizeof pair, out);
}

}  // namespace

void build_standard_merkle_tree(const uint8_t* encoded, size_t count, size_t leaf_bytes, uint8_t* nodes,
                                uint32_t* tree_index) {
  std::vector<uint8_t> leaf_hashes(count * kNode);
  for (size_t i = 0; i < count; ++i) {
    uint8_t inner[kNode];
    Keccak256::hash(encoded + i * leaf_bytes, leaf_bytes, inner);
    Keccak256::hash(inner, kNode, &leaf_hashes[i * kNode]);
  }
  std::vector<uint32_t> order(count);
  std::iota(order.begin(), order.end(), 0u);
  std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
    return std::memcmp(&leaf_hashes[a * kNode], &leaf_hashes[b * kNode], kNode) < 0;
  });
  const size_t total = 2 * count - 1;
  for (size_t rank = 0; rank < count; ++rank) {
    const size_t node = total - 1 - rank;
    std::memcpy(nodes + node * kNode, &leaf_hashes[order[rank] * kNode], kNode);
    tree_index[order[rank]] = static_cast<uint32_t>(node);
  }
  for (size_t i = total - count; i-- > 0;) {
    hash_sorted_pair(nodes + (2 * i + 1) * kNode, nodes + (2 * i + 2) * kNode, nodes + i * kNode);
  }
}

}  // namespace verinfer
