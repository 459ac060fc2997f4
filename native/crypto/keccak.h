// Keccak-256 (the Ethereum hash: original Keccak padding 0x01, not SHA3's 0x06), streaming.
#pragma once

#include <cstddef>
#include <cstdint>

namespace verinfer {

class Keccak256 {
 public:
  static constexpr size_t kDigestBytes = 32;

  void update(const uint8_t* data, size_t size);
  void finish(uint8_t out[kDigestBytes]);

  static void hash(const uint8_t* data, size_t size, uint8_t out[kDigestBytes]);

 private:
  static constexpr size_t kRateBytes = 136;  // 1600-bit state minus 2 × 256-bit capacity
  uint64_t state_[25] = {};
  size_t filled_ = 0;  // bytes absorbed into the current block
};

}  // namespace verinfer
