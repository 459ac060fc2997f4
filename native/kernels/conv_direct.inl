// Direct conv tile (ops/conv_direct.cpp): no im2col, each tap's inputs read straight from a padded
// copy of the input planes. Each output is the GEMM chain, acc = fma(w[k], x[k], acc) over the taps
// k = (c, kh, kw) ascending from +0, then the GEMM epilogue: the bits of the im2col schedule.
#pragma once

namespace VI_ISA_NS {

using verinfer::ConvDirectTile;

template <int R, int NV>
void conv_direct_tile(const ConvDirectTile& t) {
  VecF acc[R][NV];
  // Unrolled, as in sgemm_tile: a rolled loop puts the accumulators on the stack.
#pragma GCC unroll 32
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 32
    for (int v = 0; v < NV; ++v) acc[r][v] = VecF::zero();
  const float* w = t.w;
  for (int64_t k = 0; k < t.k; ++k, w += R) {
    // Whole vectors: lanes past the tile's pixels read the padded copy's next row or its slack.
    const float* src = t.x + t.taps[k];
    VecF b[NV];
    for (int v = 0; v < NV; ++v) b[v] = VecF::load(src + v * VecF::width);
    fma_step<R, NV>(acc, w, b);
  }
  store_tile<R, NV>(acc, t.y, t.ldy, t.m, t.n, true, *t.ep);
}

// Dispatches on the vectors the tile's pixels fill, so a row's short last tile costs no more than it holds.
template <int R, int... Vs>
inline void conv_direct_tile_vectors(const ConvDirectTile& t, std::integer_sequence<int, Vs...>) {
  using Fn = void (*)(const ConvDirectTile&);
  static constexpr Fn table[] = {&conv_direct_tile<R, Vs + 1>...};
  table[(t.n + VecF::width - 1) / VecF::width - 1](t);
}

}  // namespace VI_ISA_NS
