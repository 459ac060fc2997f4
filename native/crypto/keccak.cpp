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

inline uint64_t rotl(uint64_t x, int n) { return (x << n) | (x >> (64 - n)); }

// One permutation with the 25 lanes in locals, so they stay in registers: the table-driven loop form
// kept the state in memory and ran ~6x slower. Lane (x, y) is a[x + 5y]; rho and pi are fused into
// b[y + 5((2x + 3y) mod 5)] = rotl(a[x + 5y] ^ d[x], r[x][y]) with the standard offsets r.
void keccak_f1600(uint64_t s[25]) {
  uint64_t a0 = s[0], a1 = s[1], a2 = s[2], a3 = s[3], a4 = s[4], a5 = s[5], a6 = s[6], a7 = s[7], a8 = s[8],
           a9 = s[9], a10 = s[10], a11 = s[11], a12 = s[12], a13 = s[13], a14 = s[14], a15 = s[15], a16 = s[16],
           a17 = s[17], a18 = s[18], a19 = s[19], a20 = s[20], a21 = s[21], a22 = s[22], a23 = s[23], a24 = s[24];
  for (uint64_t rc : kRoundConstants) {
    uint64_t c0 = a0 ^ a5 ^ a10 ^ a15 ^ a20, c1 = a1 ^ a6 ^ a11 ^ a16 ^ a21, c2 = a2 ^ a7 ^ a12 ^ a17 ^ a22;
    uint64_t c3 = a3 ^ a8 ^ a13 ^ a18 ^ a23, c4 = a4 ^ a9 ^ a14 ^ a19 ^ a24;
    const uint64_t d0 = c4 ^ rotl(c1, 1), d1 = c0 ^ rotl(c2, 1), d2 = c1 ^ rotl(c3, 1), d3 = c2 ^ rotl(c4, 1), d4 = c3 ^ rotl(c0, 1);
    const uint64_t b0 = (a0 ^ d0), b1 = rotl(a6 ^ d1, 44), b2 = rotl(a12 ^ d2, 43), b3 = rotl(a18 ^ d3, 21), b4 = rotl(a24 ^ d4, 14);
    const uint64_t b5 = rotl(a3 ^ d3, 28), b6 = rotl(a9 ^ d4, 20), b7 = rotl(a10 ^ d0, 3), b8 = rotl(a16 ^ d1, 45), b9 = rotl(a22 ^ d2, 61);
    const uint64_t b10 = rotl(a1 ^ d1, 1), b11 = rotl(a7 ^ d2, 6), b12 = rotl(a13 ^ d3, 25), b13 = rotl(a19 ^ d4, 8), b14 = rotl(a20 ^ d0, 18);
    const uint64_t b15 = rotl(a4 ^ d4, 27), b16 = rotl(a5 ^ d0, 36), b17 = rotl(a11 ^ d1, 10), b18 = rotl(a17 ^ d2, 15), b19 = rotl(a23 ^ d3, 56);
    const uint64_t b20 = rotl(a2 ^ d2, 62), b21 = rotl(a8 ^ d3, 55), b22 = rotl(a14 ^ d4, 39), b23 = rotl(a15 ^ d0, 41), b24 = rotl(a21 ^ d1, 2);
    a0 = b0 ^ (~b1 & b2); a1 = b1 ^ (~b2 & b3); a2 = b2 ^ (~b3 & b4); a3 = b3 ^ (~b4 & b0); a4 = b4 ^ (~b0 & b1);
    a5 = b5 ^ (~b6 & b7); a6 = b6 ^ (~b7 & b8); a7 = b7 ^ (~b8 & b9); a8 = b8 ^ (~b9 & b5); a9 = b9 ^ (~b5 & b6);
    a10 = b10 ^ (~b11 & b12); a11 = b11 ^ (~b12 & b13); a12 = b12 ^ (~b13 & b14); a13 = b13 ^ (~b14 & b10); a14 = b14 ^ (~b10 & b11);
    a15 = b15 ^ (~b16 & b17); a16 = b16 ^ (~b17 & b18); a17 = b17 ^ (~b18 & b19); a18 = b18 ^ (~b19 & b15); a19 = b19 ^ (~b15 & b16);
    a20 = b20 ^ (~b21 & b22); a21 = b21 ^ (~b22 & b23); a22 = b22 ^ (~b23 & b24); a23 = b23 ^ (~b24 & b20); a24 = b24 ^ (~b20 & b21);
    a0 ^= rc;
  }
  const uint64_t out[25] = {a0, a1, a2, a3, a4, a5, a6, a7, a8, a9, a10, a11, a12,
                            a13, a14, a15, a16, a17, a18, a19, a20, a21, a22, a23, a24};
  std::memcpy(s, out, sizeof out);
}

// The state is little-endian lanes; bytes are XORed in place (x86 and arm64 hosts are little-endian).
inline void xor_bytes(uint64_t* state, size_t offset, const uint8_t* data, size_t size) {
  auto* bytes = reinterpret_cast<uint8_t*>(state);
  for (size_t i = 0; i < size; ++i) bytes[offset + i] ^= data[i];
}

}  // namespace

void Keccak256::update(const uint8_t* data, size_t size) {
  for (; filled_ == 0 && size >= kRateBytes; data += kRateBytes, size -= kRateBytes) {
    for (size_t lane = 0; lane < kRateBytes / 8; ++lane) {  // whole blocks: absorb by 64-bit lanes
      uint64_t word;
      std::memcpy(&word, data + 8 * lane, 8);
      state_[lane] ^= word;
    }
    keccak_f1600(state_);
  }
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
