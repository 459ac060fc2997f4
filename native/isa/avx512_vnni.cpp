// int8 tile with AVX-512 VNNI: vpdpbusd (non-saturating) accumulates 4 u8 x s8 products per lane.
#include <immintrin.h>

#include <cstdint>
#include <utility>

#include "core/kernel_table.h"

namespace verinfer_isa_avx512_vnni {

// The unroll pragmas matter: without them GCC keeps acc in memory and stores every accumulator to the
// stack on each k step, which halved the rate.
template <int R>
void igemm_tile(const verinfer::IgemmTile& t) {
  __m512i acc[R][2];
#pragma GCC unroll 32
  for (int r = 0; r < R; ++r) acc[r][0] = acc[r][1] = _mm512_setzero_si512();
  for (int64_t g = 0; g < t.kgroups; ++g) {
    const __m512i b0 = _mm512_loadu_si512(t.b + g * 128);
    const __m512i b1 = _mm512_loadu_si512(t.b + g * 128 + 64);
    const uint8_t* a = t.a + g * t.a_stride * 4;
#pragma GCC unroll 32
    for (int r = 0; r < R; ++r) {
      int32_t quad;
      __builtin_memcpy(&quad, a + r * 4, 4);
      const __m512i av = _mm512_set1_epi32(quad);
      acc[r][0] = _mm512_dpbusd_epi32(acc[r][0], av, b0);
      acc[r][1] = _mm512_dpbusd_epi32(acc[r][1], av, b1);
    }
  }
  // Full tiles store straight to C; edge tiles go through a local block. Either way every store has a
  // fixed row, so the accumulators stay in registers through the k loop.
  const bool full = t.m == R && t.n == verinfer::kPanelWidth;
  alignas(64) int32_t edge[R][verinfer::kPanelWidth];
#pragma GCC unroll 32
  for (int r = 0; r < R; ++r) {
    int32_t* row = full ? t.c + r * t.ldc : edge[r];
    _mm512_storeu_si512(row, acc[r][0]);
    _mm512_storeu_si512(row + 16, acc[r][1]);
  }
  if (!full)
    for (int r = 0; r < t.m; ++r)
      for (int j = 0; j < t.n; ++j) t.c[r * t.ldc + j] = edge[r][j];
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
