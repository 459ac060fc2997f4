// int8 tile with AVX-512 VNNI: vpdpbusd (non-saturating) accumulates 4 u8 x s8 products per lane.
#include <immintrin.h>

#include <cstdint>
#include <utility>

#include "core/kernel_table.h"

namespace verinfer_isa_avx512_vnni {

template <int R>
void igemm_tile(const verinfer::IgemmTile& t) {
  __m512i acc[R][2];
  for (int r = 0; r < R; ++r) acc[r][0] = acc[r][1] = _mm512_setzero_si512();
  for (int64_t g = 0; g < t.kgroups; ++g) {
    const __m512i b0 = _mm512_loadu_si512(t.b + g * 128);
    const __m512i b1 = _mm512_loadu_si512(t.b + g * 128 + 64);
    const uint8_t* a = t.a + g * t.a_stride * 4;
    for (int r = 0; r < R; ++r) {
      int32_t quad;
      __builtin_memcpy(&quad, a + r * 4, 4);
      const __m512i av = _mm512_set1_epi32(quad);
      acc[r][0] = _mm512_dpbusd_epi32(acc[r][0], av, b0);
      acc[r][1] = _mm512_dpbusd_epi32(acc[r][1], av, b1);
    }
  }
  const int n0 = t.n < 16 ? t.n : 16, n1 = t.n - n0;
  const __mmask16 m0 = static_cast<__mmask16>((1u << n0) - 1u), m1 = static_cast<__mmask16>((1u << n1) - 1u);
  for (int r = 0; r < R && r < t.m; ++r) {
    _mm512_mask_storeu_epi32(t.c + r * t.ldc, m0, acc[r][0]);
    if (n1 > 0) _mm512_mask_storeu_epi32(t.c + r * t.ldc + 16, m1, acc[r][1]);
  }
}

template <int... Rs>
void igemm_tile_rows(const verinfer::IgemmTile& t, std::integer_sequence<int, Rs...>) {
  using Fn = void (*)(const verinfer::IgemmTile&);
  static constexpr Fn table[] = {&igemm_tile<Rs + 1>...};
  table[t.m - 1](t);
}

}  // namespace verinfer_isa_avx512_vnni

void verinfer::fill_kernels_avx512_vnni(KernelTable* t) {
  constexpr int mr = 12;
  t->igemm_mr = mr;
  t->igemm_tile = [](const IgemmTile& s) {
    verinfer_isa_avx512_vnni::igemm_tile_rows(s, std::make_integer_sequence<int, mr>());
  };
}
