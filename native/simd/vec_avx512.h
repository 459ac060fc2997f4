// 16-lane AVX-512F wrapper; each function is the lane-wise twin of vec_scalar.h.
#pragma once
#include <immintrin.h>
#include <cstdint>

namespace VI_ISA_NS {

inline __mmask16 tail_mask_avx512(int n) {
  return n >= 16 ? static_cast<__mmask16>(0xffff) : static_cast<__mmask16>((1u << (n < 0 ? 0 : n)) - 1u);
}

struct VecF {
  static constexpr int width = 16;
  using Mask = __mmask16;
  __m512 v;

  static VecF load(const float* p) { return {_mm512_loadu_ps(p)}; }
  static VecF load_partial(const float* p, int n) { return {_mm512_maskz_loadu_ps(tail_mask_avx512(n), p)}; }
  // Lanes [0, n) from p[0], p[2], ... (zeros after), reading nothing past p[2n - 2].
  static VecF load_even(const float* p, int n) {
    __m512 lo, hi;
    load_span(p, 2 * n - 1, lo, hi);
    return {_mm512_permutex2var_ps(lo, every_other(0), hi)};
  }
  // Lanes [0, n) of `even` from p[0], p[2], ... and of `odd` from p[1], p[3], ... (zeros after),
  // reading nothing past p[2n - 1].
  static void load_pairs(const float* p, int n, VecF& even, VecF& odd) {
    __m512 lo, hi;
    load_span(p, 2 * n, lo, hi);
    even = {_mm512_permutex2var_ps(lo, every_other(0), hi)};
    odd = {_mm512_permutex2var_ps(lo, every_other(1), hi)};
  }
  // The inverse of load_pairs over whole vectors: p[2i] = even[i], p[2i + 1] = odd[i].
  static void store_pairs(float* p, VecF even, VecF odd) {
    const __m512i low = _mm512_setr_epi32(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, 22, 7, 23);
    _mm512_storeu_ps(p, _mm512_permutex2var_ps(even.v, low, odd.v));
    _mm512_storeu_ps(p + 16, _mm512_permutex2var_ps(even.v, _mm512_add_epi32(low, _mm512_set1_epi32(8)), odd.v));
  }
  // Lane i from base[offsets[i]] where bit i of `lanes` is set, else zero; nothing else is read.
  static VecF gather(const float* base, const int32_t* offsets, uint32_t lanes) {
    return {_mm512_mask_i32gather_ps(_mm512_setzero_ps(), static_cast<__mmask16>(lanes), _mm512_loadu_si512(offsets), base, 4)};
  }
  static VecF set1(float x) { return {_mm512_set1_ps(x)}; }
  static VecF zero() { return {_mm512_setzero_ps()}; }
  void store(float* p) const { _mm512_storeu_ps(p, v); }
  void store_partial(float* p, int n) const { _mm512_mask_storeu_ps(p, tail_mask_avx512(n), v); }
  float lane(int i) const {
    alignas(64) float t[16];
    _mm512_store_ps(t, v);
    return t[i];
  }

 private:
  // The first `span` floats at p as two vectors (zeros after), reading nothing past p[span - 1].
  static void load_span(const float* p, int span, __m512& lo, __m512& hi) {
    lo = _mm512_maskz_loadu_ps(tail_mask_avx512(span), p);
    hi = span > 16 ? _mm512_maskz_loadu_ps(tail_mask_avx512(span - 16), p + 16) : _mm512_setzero_ps();
  }
  // Lane i picks element 2i + first of a two-vector span (permutex2var indices).
  static __m512i every_other(int first) {
    return _mm512_add_epi32(_mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, 24, 26, 28, 30), _mm512_set1_epi32(first));
  }
};

inline VecF operator+(VecF a, VecF b) { return {_mm512_add_ps(a.v, b.v)}; }
inline VecF operator-(VecF a, VecF b) { return {_mm512_sub_ps(a.v, b.v)}; }
inline VecF operator*(VecF a, VecF b) { return {_mm512_mul_ps(a.v, b.v)}; }
inline VecF operator/(VecF a, VecF b) { return {_mm512_div_ps(a.v, b.v)}; }
inline VecF fma(VecF a, VecF b, VecF c) { return {_mm512_fmadd_ps(a.v, b.v, c.v)}; }
inline VecF sqrt(VecF a) { return {_mm512_sqrt_ps(a.v)}; }
inline VecF abs(VecF a) { return {_mm512_abs_ps(a.v)}; }
inline VecF neg(VecF a) {
  return {_mm512_castsi512_ps(_mm512_xor_si512(_mm512_castps_si512(a.v), _mm512_set1_epi32(INT32_MIN)))};
}
inline __mmask16 lt(VecF a, VecF b) { return _mm512_cmp_ps_mask(a.v, b.v, _CMP_LT_OQ); }
inline __mmask16 le(VecF a, VecF b) { return _mm512_cmp_ps_mask(a.v, b.v, _CMP_LE_OQ); }
inline __mmask16 gt(VecF a, VecF b) { return _mm512_cmp_ps_mask(a.v, b.v, _CMP_GT_OQ); }
inline __mmask16 ge(VecF a, VecF b) { return _mm512_cmp_ps_mask(a.v, b.v, _CMP_GE_OQ); }
inline __mmask16 eq(VecF a, VecF b) { return _mm512_cmp_ps_mask(a.v, b.v, _CMP_EQ_OQ); }
inline __mmask16 is_nan(VecF a) { return _mm512_cmp_ps_mask(a.v, a.v, _CMP_UNORD_Q); }
inline __mmask16 mask_and(__mmask16 a, __mmask16 b) { return a & b; }
inline bool all_true(__mmask16 a) { return a == 0xffff; }
inline VecF select(__mmask16 m, VecF a, VecF b) { return {_mm512_mask_blend_ps(m, b.v, a.v)}; }
inline VecF round_even(VecF a) { return {_mm512_roundscale_ps(a.v, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)}; }
inline VecF trunc(VecF a) { return {_mm512_roundscale_ps(a.v, _MM_FROUND_TO_ZERO | _MM_FROUND_NO_EXC)}; }
inline VecF floor(VecF a) { return {_mm512_roundscale_ps(a.v, _MM_FROUND_TO_NEG_INF | _MM_FROUND_NO_EXC)}; }
inline VecF pow2i(VecF n) {
  __m512i e = _mm512_add_epi32(_mm512_cvttps_epi32(n.v), _mm512_set1_epi32(127));
  return {_mm512_castsi512_ps(_mm512_slli_epi32(e, 23))};
}
inline VecF exponent_of(VecF a) {
  __m512i bits = _mm512_srli_epi32(_mm512_castps_si512(a.v), 23);
  bits = _mm512_sub_epi32(_mm512_and_si512(bits, _mm512_set1_epi32(0xff)), _mm512_set1_epi32(127));
  return {_mm512_cvtepi32_ps(bits)};
}
inline VecF mantissa_of(VecF a) {
  __m512i bits = _mm512_and_si512(_mm512_castps_si512(a.v), _mm512_set1_epi32(0x007fffff));
  return {_mm512_castsi512_ps(_mm512_or_si512(bits, _mm512_set1_epi32(0x3f800000)))};
}
// Lane-wise a > b ? a : b, the rule of x86 MAXPS: b when they are equal or either is NaN.
inline VecF max_or_second(VecF a, VecF b) { return {_mm512_max_ps(a.v, b.v)}; }
inline VecF bit_and(VecF a, VecF b) { return {_mm512_and_ps(a.v, b.v)}; }
inline VecF copysign(VecF mag, VecF sgn) {
  const __m512i sign = _mm512_set1_epi32(INT32_MIN);
  __m512i m = _mm512_andnot_si512(sign, _mm512_castps_si512(mag.v));
  return {_mm512_castsi512_ps(_mm512_or_si512(m, _mm512_and_si512(sign, _mm512_castps_si512(sgn.v))))};
}

// table[i] in each lane, for i an integral float in [0, 8).
inline VecF lookup8(const float (&table)[8], VecF i) {
  return {_mm512_permutexvar_ps(_mm512_cvttps_epi32(i.v), _mm512_castps256_ps512(_mm256_loadu_ps(table)))};
}

// Lanes [0, count) from a, the rest from b.
inline VecF blend_first(int count, VecF a, VecF b) { return {_mm512_mask_blend_ps(tail_mask_avx512(count), b.v, a.v)}; }

}  // namespace VI_ISA_NS
