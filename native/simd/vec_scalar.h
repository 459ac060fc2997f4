// One-lane "vector" for the portable path. Every operation is a single IEEE operation, so the
// SIMD wrappers beside this file compute exactly the same bits lane by lane.
#pragma once
#include <cmath>
#include <cstdint>
#include <cstring>

namespace VI_ISA_NS {

struct VecF {
  static constexpr int width = 1;
  using Mask = bool;
  float v;

  static VecF load(const float* p) { return {*p}; }
  static VecF load_partial(const float* p, int n) { return {n > 0 ? *p : 0.0f}; }
  static VecF load_even(const float* p, int n) { return {n > 0 ? *p : 0.0f}; }
  static void load_pairs(const float* p, int n, VecF& even, VecF& odd) {
    even = {n > 0 ? p[0] : 0.0f};
    odd = {n > 0 ? p[1] : 0.0f};
  }
  static void store_pairs(float* p, VecF even, VecF odd) { p[0] = even.v, p[1] = odd.v; }
  static VecF gather(const float* base, const int32_t* offsets, uint32_t lanes) { return {lanes & 1u ? base[offsets[0]] : 0.0f}; }
  static VecF set1(float x) { return {x}; }
  static VecF zero() { return {0.0f}; }
  void store(float* p) const { *p = v; }
  void store_partial(float* p, int n) const { if (n > 0) *p = v; }
  float lane(int) const { return v; }
};

inline VecF operator+(VecF a, VecF b) { return {a.v + b.v}; }
inline VecF operator-(VecF a, VecF b) { return {a.v - b.v}; }
inline VecF operator*(VecF a, VecF b) { return {a.v * b.v}; }
inline VecF operator/(VecF a, VecF b) { return {a.v / b.v}; }
inline VecF fma(VecF a, VecF b, VecF c) { return {__builtin_fmaf(a.v, b.v, c.v)}; }
inline VecF sqrt(VecF a) { return {__builtin_sqrtf(a.v)}; }
inline VecF abs(VecF a) { return {__builtin_fabsf(a.v)}; }
inline VecF neg(VecF a) { return {-a.v}; }
inline bool lt(VecF a, VecF b) { return a.v < b.v; }
inline bool le(VecF a, VecF b) { return a.v <= b.v; }
inline bool gt(VecF a, VecF b) { return a.v > b.v; }
inline bool ge(VecF a, VecF b) { return a.v >= b.v; }
inline bool eq(VecF a, VecF b) { return a.v == b.v; }
inline bool is_nan(VecF a) { return a.v != a.v; }
inline bool mask_and(bool a, bool b) { return a && b; }
inline bool all_true(bool a) { return a; }
inline VecF select(bool m, VecF a, VecF b) { return m ? a : b; }
// Round to nearest integer, ties to even (the default rounding mode; MXCSR is pinned).
inline VecF round_even(VecF a) { return {__builtin_nearbyintf(a.v)}; }
inline VecF trunc(VecF a) { return {__builtin_truncf(a.v)}; }
inline VecF floor(VecF a) { return {__builtin_floorf(a.v)}; }
// 2^n for integral n in [-126, 127], built from the exponent bits.
inline VecF pow2i(VecF n) {
  uint32_t bits = static_cast<uint32_t>(static_cast<int32_t>(n.v) + 127) << 23;
  float r;
  std::memcpy(&r, &bits, 4);
  return {r};
}
// Exponent field (unbiased, as float) and the mantissa rescaled into [1, 2).
inline VecF exponent_of(VecF a) {
  uint32_t bits;
  std::memcpy(&bits, &a.v, 4);
  return {static_cast<float>(static_cast<int32_t>((bits >> 23) & 0xff) - 127)};
}
inline VecF mantissa_of(VecF a) {
  uint32_t bits;
  std::memcpy(&bits, &a.v, 4);
  bits = (bits & 0x007fffffu) | 0x3f800000u;
  float r;
  std::memcpy(&r, &bits, 4);
  return {r};
}
// Lane-wise a > b ? a : b, the rule of x86 MAXPS: b when they are equal or either is NaN.
inline VecF max_or_second(VecF a, VecF b) { return {a.v > b.v ? a.v : b.v}; }
inline VecF bit_and(VecF a, VecF b) {
  uint32_t x, y;
  std::memcpy(&x, &a.v, 4);
  std::memcpy(&y, &b.v, 4);
  x &= y;
  float r;
  std::memcpy(&r, &x, 4);
  return {r};
}
inline VecF copysign(VecF mag, VecF sgn) { return {__builtin_copysignf(mag.v, sgn.v)}; }

// table[i], for i an integral float in [0, 8).
inline VecF lookup8(const float (&table)[8], VecF i) { return {table[static_cast<int>(i.v)]}; }

// Lanes [0, count) from a, the rest from b.
inline VecF blend_first(int count, VecF a, VecF b) { return count > 0 ? a : b; }

}  // namespace VI_ISA_NS
