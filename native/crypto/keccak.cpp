#include "crypto/keccak.h"

#include <cstring>

namespace verinfer {
namespace {

constexpr uint64_t kRoundConstants[24] = {
    0x0000000000000001ULL, 0x0000000000008082ULL, 0x800000000000808aULL, 0x8000000080008000ULL,
    0x000000000000808bULL, 0x0000000080000001ULL, 0x8000000080008081ULL, 0x8000000000008009ULL,
    0x000000000000008aULL, 0x0000000000000088ULL, 0x0000000080008009ULL, 0x000000008000000aULL,
    0x000000008000808bULL, 0x800000000000008bULL, 0x8000000000008089ULL, 0x8000000000008003ULL,
    0x8000000000008002ULL, 0x8000000000000080ULL, 0x000000000000800aULL, 0x800000008000000aULL,
    0x8000000080008081ULL, 0x8000000000008080ULL, 0x0000000080000001ULL, 0x8000000080008008ULL};

// Rho rotation offsets and pi lane order, walked along the pi permutation's single cycle.
constexpr int kRho[24] = {1, 3, 6, 10, 15, 21, 28, 36, 45, 55, 2, 14, 27, 41, 56, 8, 25, 43, 62, 18, 39, 61, 20, 44};
constexpr int kPi[24] = {10, 7, 11, 17, 18, 3, 5, 16, 8, 21, 24, 4, 15, 23, 19, 13, 12, 2, 20, 14, 22, 9, 6, 1};

inline uint64_t rotl(uint64_t x, int n) { return (x << n) | (x >> (64 - n)); }

void keccak_f1600(uint64_t a[25]) {
  for (uint64_t rc : kRoundConstants) {
    uint64_t c[5];
    for (int x = 0; x < 5; ++x) c[x] = a[x] ^ a[x + 5] ^ a[x + 10] ^ a[x + 15] ^ a[x + 20];
    for (int x = 0; x < 5; ++x) {
      const uint64_t d = c[(x + 4) % 5] ^ rotl(c[(x + 1) % 5], 1);
      for (int y = 0; y < 25; y += 5) a[y + x] ^= d;
    }
    uint64_t carried = a[1];
    for (int i = 0; i < 24; ++i) {
      const uint64_t next = a[kPi[i]];
      a[kPi[i]] = rotl(carried, kRho[i]);
      carried = next;
    }
    for (int y = 0; y < 25; y += 5) {
      uint64_t row[5];
      std::memcpy(row, a + y, sizeof row);
      for (int x = 0; x < 5; ++x) a[y + x] = row[x] ^ (~row[(x + 1) % 5] & row[(x + 2) % 5]);
    }
    a[0] ^= rc;
  }
}

// The state is little-endian lanes; bytes are XORed in place (x86 and arm64 hosts are little-endian).
inline void xor_bytes(uint64_t* state, size_t offset, const uint8_t* data, size_t size) {
  auto* bytes = reinterpret_cast<uint8_t*>(state);
  for (size_t i = 0; i < size; ++i) bytes[offset + i] ^= data[i];
}

}  // namespace

void Keccak256::update(const uint8_t* data, size_t size) {
  while (size > 0) {
    const size_t take = size < kRateBytes - filled_ ? size : kRateBytes - filled_;
    xor_bytes(state_, filled_, data, take);
    filled_ += take;
    data += take;
    size -= take;
    if (filled_ == kRateBytes) {
      keccak_f1600(state_);
      filled_ = 0;
    }
  }
}

void Keccak256::finish(uint8_t out[kDigestBytes]) {
  const uint8_t first = 0x01, last = 0x80;
  xor_bytes(state_, filled_, &first, 1);
  xor_bytes(state_, kRateBytes - 1, &last, 1);
  keccak_f1600(state_);
  std::memcpy(out, state_, kDigestBytes);
}

void Keccak256::hash(const uint8_t* data, size_t size, uint8_t out[kDigestBytes]) {
  Keccak256 k;
  k.update(data, size);
  k.finish(out);
}

}  // namespace verinfer
