// 8-lane AVX2+FMA wrapper; each function is the lane-wise twin of vec_scalar.h.
#pragma once
#include <immintrin.h>
#include <cstdint>

namespace VI_ISA_NS {

inline __m256i tail_mask_avx2(int n) {
  const __m256i idx = _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7);
  return _mm256_cmpgt_epi32(_mm256_set1_epi32(n), idx);
}

struct VecF {
  static constexpr int width = 8;
  using Mask = __m256;
  __m256 v;

  static VecF load(const float* p) { return {_mm256_loadu_ps(p)}; }
  static VecF load_partial(const float* p, int n) { return {_mm256_maskload_ps(p, tail_mask_avx2(n))}; }
  // Lanes [0, n) from p[0], p[2], ... (zeros after), reading nothing past p[2n - 2].
  static VecF load_even(const float* p, int n) {
    __m256 lo, hi;
    load_span(p, 2 * n - 1, lo, hi);
    return {in_order(_mm256_shuffle_ps(lo, hi, _MM_SHUFFLE(2, 0, 2, 0)))};
  }
  // Lanes [0, n) of `even` from p[0], p[2], ... and of `odd` from p[1], p[3], ... (zeros after),
  // reading nothing past p[2n - 1].
  static void load_pairs(const float* p, int n, VecF& even, VecF& odd) {
    __m256 lo, hi;
    load_span(p, 2 * n, lo, hi);
    even = {in_order(_mm256_shuffle_ps(lo, hi, _MM_SHUFFLE(2, 0, 2, 0)))};
    odd = {in_order(_mm256_shuffle_ps(lo, hi, _MM_SHUFFLE(3, 1, 3, 1)))};
  }
  // The inverse of load_pairs over whole vectors: p[2i] = even[i], p[2i + 1] = odd[i].
  static void store_pairs(float* p, VecF even, VecF odd) {
    const __m256 low = _mm256_unpacklo_ps(even.v, odd.v), high = _mm256_unpackhi_ps(even.v, odd.v);  // e0 o0 e1 o1 | e4 o4 e5 o5
    _mm256_storeu_ps(p, _mm256_permute2f128_ps(low, high, 0x20));
    _mm256_storeu_ps(p + 8, _mm256_permute2f128_ps(low, high, 0x31));
  }
  // Lane i from base[offsets[i]] where bit i of `lanes` is set, else zero; nothing else is read.
  static VecF gather(const float* base, const int32_t* offsets, uint32_t lanes) {
    const __m256i bit = _mm256_setr_epi32(1, 2, 4, 8, 16, 32, 64, 128);
    const __m256i on = _mm256_cmpeq_epi32(_mm256_and_si256(_mm256_set1_epi32(static_cast<int>(lanes)), bit), bit);
    const __m256i index = _mm256_loadu_si256(reinterpret_cast<const __m256i*>(offsets));
    return {_mm256_mask_i32gather_ps(_mm256_setzero_ps(), base, index, _mm256_castsi256_ps(on), 4)};
  }
  static VecF set1(float x) { return {_mm256_set1_ps(x)}; }
  static VecF zero() { return {_mm256_setzero_ps()}; }
  void store(float* p) const { _mm256_storeu_ps(p, v); }
  void store_partial(float* p, int n) const { _mm256_maskstore_ps(p, tail_mask_avx2(n), v); }
  float lane(int i) const {
    alignas(32) float t[8];
    _mm256_store_ps(t, v);
    return t[i];
  }

 private:
  // The first `span` floats at p as two vectors (zeros after), reading nothing past p[span - 1].
  static void load_span(const float* p, int span, __m256& lo, __m256& hi) {
    lo = _mm256_maskload_ps(p, tail_mask_avx2(span));
    hi = span > 8 ? _mm256_maskload_ps(p + 8, tail_mask_avx2(span - 8)) : _mm256_setzero_ps();
  }
  // A shuffle of lo and hi's even (or odd) lanes, lo0 lo2 hi0 hi2 | lo4 lo6 hi4 hi6, in lane order.
  static __m256 in_order(__m256 x) {
    return _mm256_castpd_ps(_mm256_permute4x64_pd(_mm256_castps_pd(x), _MM_SHUFFLE(3, 1, 2, 0)));
  }
};

inline VecF operator+(VecF a, VecF b) { return {_mm256_add_ps(a.v, b.v)}; }
inline VecF operator-(VecF a, VecF b) { return {_mm256_sub_ps(a.v, b.v)}; }
inline VecF operator*(VecF a, VecF b) { return {_mm256_mul_ps(a.v, b.v)}; }
inline VecF operator/(VecF a, VecF b) { return {_mm256_div_ps(a.v, b.v)}; }
inline VecF fma(VecF a, VecF b, VecF c) { return {_mm256_fmadd_ps(a.v, b.v, c.v)}; }
inline VecF sqrt(VecF a) { return {_mm256_sqrt_ps(a.v)}; }
inline VecF abs(VecF a) { return {_mm256_andnot_ps(_mm256_set1_ps(-0.0f), a.v)}; }
inline VecF neg(VecF a) { return {_mm256_xor_ps(_mm256_set1_ps(-0.0f), a.v)}; }
inline __m256 lt(VecF a, VecF b) { return _mm256_cmp_ps(a.v, b.v, _CMP_LT_OQ); }
inline __m256 le(VecF a, VecF b) { return _mm256_cmp_ps(a.v, b.v, _CMP_LE_OQ); }
inline __m256 gt(VecF a, VecF b) { return _mm256_cmp_ps(a.v, b.v, _CMP_GT_OQ); }
inline __m256 ge(VecF a, VecF b) { return _mm256_cmp_ps(a.v, b.v, _CMP_GE_OQ); }
inline __m256 eq(VecF a, VecF b) { return _mm256_cmp_ps(a.v, b.v, _CMP_EQ_OQ); }
inline __m256 is_nan(VecF a) { return _mm256_cmp_ps(a.v, a.v, _CMP_UNORD_Q); }
inline __m256 mask_and(__m256 a, __m256 b) { return _mm256_and_ps(a, b); }
inline bool all_true(__m256 a) { return _mm256_movemask_ps(a) == 0xff; }
inline VecF select(__m256 m, VecF a, VecF b) { return {_mm256_blendv_ps(b.v, a.v, m)}; }
inline VecF round_even(VecF a) { return {_mm256_round_ps(a.v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)}; }
inline VecF trunc(VecF a) { return {_mm256_round_ps(a.v, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC)}; }
inline VecF floor(VecF a) { return {_mm256_round_ps(a.v, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC)}; }
inline VecF pow2i(VecF n) {
  __m256i e = _mm256_add_epi32(_mm256_cvttps_epi32(n.v), _mm256_set1_epi32(127));
  return {_mm256_castsi256_ps(_mm256_slli_epi32(e, 23))};
}
inline VecF exponent_of(VecF a) {
  __m256i bits = _mm256_srli_epi32(_mm256_castps_si256(a.v), 23);
  bits = _mm256_sub_epi32(_mm256_and_si256(bits, _mm256_set1_epi32(0xff)), _mm256_set1_epi32(127));
  return {_mm256_cvtepi32_ps(bits)};
}
inline VecF mantissa_of(VecF a) {
  __m256i bits = _mm256_and_si256(_mm256_castps_si256(a.v), _mm256_set1_epi32(0x007fffff));
  return {_mm256_castsi256_ps(_mm256_or_si256(bits, _mm256_set1_epi32(0x3f800000)))};
}
// Lane-wise a > b ? a : b, the rule of x86 MAXPS: b when they are equal or either is NaN.
inline VecF max_or_second(VecF a, VecF b) { return {_mm256_max_ps(a.v, b.v)}; }
inline VecF bit_and(VecF a, VecF b) { return {_mm256_and_ps(a.v, b.v)}; }
inline VecF copysign(VecF mag, VecF sgn) {
  const __m256 sign = _mm256_set1_ps(-0.0f);
  return {_mm256_or_ps(_mm256_andnot_ps(sign, mag.v), _mm256_and_ps(sign, sgn.v))};
}

// table[i] in each lane, for i an integral float in [0, 8).
inline VecF lookup8(const float (&table)[8], VecF i) {
  return {_mm256_permutevar8x32_ps(_mm256_loadu_ps(table), _mm256_cvttps_epi32(i.v))};
}

// Lanes [0, count) from a, the rest from b.
inline VecF blend_first(int count, VecF a, VecF b) {
  return {_mm256_blendv_ps(b.v, a.v, _mm256_castsi256_ps(tail_mask_avx2(count)))};
}

}  // namespace VI_ISA_NS
