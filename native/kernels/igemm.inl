// int8 GEMM micro-kernel (u8 x s8 -> s32), portable form. Integer sums are exact, so any order
// gives the same bits; the compiler vectorises this per ISA, and AVX-512 VNNI has its own tile.
#pragma once

namespace VI_ISA_NS {

using verinfer::IgemmTile;

template <int R>
void igemm_tile_portable(const IgemmTile& t) {
  constexpr int N = verinfer::kPanelWidth;
  uint32_t acc[R][N] = {};
  for (int64_t g = 0; g < t.kgroups; ++g) {
    const uint8_t* a = t.a + g * t.a_stride * 4;
    const int8_t* b = t.b + g * N * 4;
    for (int r = 0; r < R; ++r)
      for (int j = 0; j < N; ++j) {
        int32_t s = 0;
        for (int q = 0; q < 4; ++q) s += static_cast<int32_t>(a[r * 4 + q]) * static_cast<int32_t>(b[j * 4 + q]);
        acc[r][j] += static_cast<uint32_t>(s);  // wraps modulo 2^32 like the SIMD paths, never UB
      }
  }
  for (int r = 0; r < t.m && r < R; ++r)
    for (int j = 0; j < t.n; ++j) t.c[r * t.ldc + j] = static_cast<int32_t>(acc[r][j]);
}

}  // namespace VI_ISA_NS
