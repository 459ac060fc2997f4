// The Winograd conv's data transforms (core/winograd.h) over the VecF of the including ISA file. Lanes
// run along tiles; every lane takes the same operations in the same order, so each tile's bits are the
// same on every ISA and at every lane.
#pragma once
#include <algorithm>

#include "core/winograd.h"

namespace VI_ISA_NS {

// sum_j coef[j] * x[j * stride] over the nonzero coefficients in ascending j: the first product (exact
// for +-1), then one fma per further term.
template <int N>
inline VecF combine(const float (&coef)[N], const VecF* x, int stride) {
  VecF acc = VecF::zero();
  bool started = false;
#pragma GCC unroll 16
  for (int j = 0; j < N; ++j) {
    if (coef[j] == 0.0f) continue;
    const VecF term = x[j * stride];
    acc = started ? fma(VecF::set1(coef[j]), term, acc) : (coef[j] == 1.0f ? term : term * VecF::set1(coef[j]));
    started = true;
  }
  return acc;
}

// U = G g G^T for `pairs` consecutive 3x3 kernels g (9 floats each, w[pair * 9 + r * 3 + s]): element
// xi of pair q goes to u[xi * xi_stride + q]. Lanes run along pairs.
template <class S>
void winograd_weight_transform(const float* w, int64_t pairs, float* u, int64_t xi_stride) {
  constexpr int A = S::kAlpha, W = VecF::width;
  for (int64_t q0 = 0; q0 < pairs; q0 += W) {
    const int n = static_cast<int>(std::min<int64_t>(W, pairs - q0));
    VecF g[3][3], gg[A][3];
    for (int r = 0; r < 3; ++r)
      for (int s = 0; s < 3; ++s) g[r][s] = load_taps(w + q0 * 9 + r * 3 + s, 9, n);
#pragma GCC unroll 16
    for (int a = 0; a < A; ++a)
#pragma GCC unroll 16
      for (int s = 0; s < 3; ++s) gg[a][s] = combine(S::kG[a], &g[0][s], 3);  // G g
#pragma GCC unroll 16
    for (int a = 0; a < A; ++a)
#pragma GCC unroll 16
      for (int b = 0; b < A; ++b) combine(S::kG[b], gg[a], 1).store_partial(u + (a * A + b) * xi_stride + q0, n);  // (G g) G^T
  }
}

// V = B^T d B for the tiles [pix0, pix0 + valid) of `tiles` (oh x ow tiles over an h x w plane, the
// first at the conv's pads in `win`) of `channels` planes: element xi of channel c's transform for tile
// pix0 + j goes to dst[xi][c * 32 + column + j]; other columns are left alone, so one panel may gather
// tiles of several images. Each vector of tiles gathers its taps
// (zeros in the padding) straight from the planes: lanes may lie in different tile rows, so small maps
// fill whole vectors.
template <class S>
void winograd_input_panel(const float* planes, int64_t channels, const verinfer::PlaneSizes& tiles,
                          const verinfer::Window2d& win, int64_t pix0, int64_t valid, int64_t column, float* const* dst) {
  constexpr int A = S::kAlpha, P = verinfer::kPanelWidth, W = VecF::width;
  const int64_t plane = tiles.h * tiles.w;
  for (int64_t j = 0; j < valid; j += W) {
    const int lanes = static_cast<int>(std::min<int64_t>(W, valid - j));
    // Tap (i, s) of lane l lies at offsets[i][s][l] of a plane where bit l of inside[i][s] is set.
    alignas(64) int32_t offsets[A][A][W] = {};
    uint32_t inside[A][A] = {};
    for (int l = 0; l < lanes; ++l) {
      const int64_t t = pix0 + j + l, y0 = t / tiles.ow * S::kTile - win.pad_top, x0 = t % tiles.ow * S::kTile - win.pad_left;
      for (int i = 0; i < A; ++i)
        for (int s = 0; s < A; ++s) {
          const int64_t y = y0 + i, x = x0 + s;
          if (y < 0 || y >= tiles.h || x < 0 || x >= tiles.w) continue;
          offsets[i][s][l] = static_cast<int32_t>(y * tiles.w + x);  // a plane holds under 2^31 floats (conv_winograd)
          inside[i][s] |= 1u << l;
        }
    }
    for (int64_t c = 0; c < channels; ++c) {
      const float* x = planes + c * plane;
      VecF d[A][A], rows[A][A];
#pragma GCC unroll 16
      for (int i = 0; i < A; ++i)
#pragma GCC unroll 16
        for (int s = 0; s < A; ++s) d[i][s] = VecF::gather(x, offsets[i][s], inside[i][s]);
#pragma GCC unroll 16
      for (int i = 0; i < A; ++i)
#pragma GCC unroll 16
        for (int v = 0; v < A; ++v) rows[i][v] = combine(S::kBt[v], d[i], 1);  // d B
#pragma GCC unroll 16
      for (int u = 0; u < A; ++u)
#pragma GCC unroll 16
        for (int v = 0; v < A; ++v) combine(S::kBt[u], &rows[0][v], A).store_partial(dst[u * A + v] + c * P + column + j, lanes);
    }
  }
}

// p[l * T + q] = y[q][l] for every lane l of T vectors, T a power of two: each lane's T values are its
// values of the even q and of the odd q, interleaved.
template <int T>
inline void store_interleaved(float* p, const VecF* y) {
  constexpr int W = VecF::width;
  if constexpr (T == 2) {
    VecF::store_pairs(p, y[0], y[1]);
  } else {
    static_assert(T > 2 && (T & (T - 1)) == 0, "T is a power of two");
    VecF even[T / 2], odd[T / 2];
    for (int q = 0; q < T / 2; ++q) even[q] = y[2 * q], odd[q] = y[2 * q + 1];
    alignas(64) float evens[T / 2 * W], odds[T / 2 * W];
    store_interleaved<T / 2>(evens, even);
    store_interleaved<T / 2>(odds, odd);
    for (int i = 0; i < T / 2; ++i) VecF::store_pairs(p + 2 * i * W, VecF::load(evens + i * W), VecF::load(odds + i * W));
  }
}

// Y = A^T M A for tiles [first, first + count) of `channels` output channels: element xi of channel
// o's tile first + t at m[(o * alpha^2 + xi) * xi_stride + t]; `tiles` is the tile grid (oh x ow) over the
// h x w output planes y, one per channel. Each output then takes the GEMM epilogue's steps:
// ((y + bias) + residual), then the activation; bias (one value per channel) and residual (planes
// like y) may be null. The parts of edge tiles past the plane are dropped.
template <class S>
void winograd_output_tiles(const float* m, int64_t channels, int64_t xi_stride, const verinfer::PlaneSizes& tiles,
                           int64_t first, int64_t count, const float* bias, const float* residual,
                           const verinfer::UnaryParams& act, float* y) {
  constexpr int A = S::kAlpha, T = S::kTile, W = VecF::width;
  const int64_t plane = tiles.h * tiles.w;
  for (int64_t t0 = 0; t0 < count; t0 += W) {
    const int n = static_cast<int>(std::min<int64_t>(W, count - t0));
    // Each lane's tile: its origin in the plane, and how many of its rows and columns lie inside it.
    int64_t origin[W], rows_in[W], cols_in[W];
    int64_t ty = (first + t0) / tiles.ow, tx = (first + t0) % tiles.ow;
    for (int lane = 0; lane < n; ++lane) {
      origin[lane] = ty * T * tiles.w + tx * T;
      rows_in[lane] = std::min<int64_t>(T, tiles.h - ty * T);
      cols_in[lane] = std::min<int64_t>(T, tiles.w - tx * T);
      if (++tx == tiles.ow) tx = 0, ++ty;
    }
    // Runs of lanes whose tiles sit side by side in one tile row: each row of a run's outputs is one
    // stretch of the plane. A run grows only past a whole tile: on a plane one column wide the next
    // row's tile would otherwise look adjacent.
    struct Run {
      int first;
      int64_t length;  // outputs per row
    };
    Run runs[W];
    int run_count = 0;
    for (int a = 0, b; a < n; a = b) {
      for (b = a + 1; b < n && cols_in[b - 1] == T && origin[b] == origin[b - 1] + T;) ++b;
      runs[run_count++] = {a, (b - 1 - a) * T + cols_in[b - 1]};
    }
    for (int64_t o = 0; o < channels; ++o) {
      const float* mo = m + o * A * A * xi_stride + t0;
      const float* skip = residual ? residual + o * plane : nullptr;
      float* yo = y + o * plane;
      VecF mm[A][A], cols[T][A];
#pragma GCC unroll 16
      for (int u = 0; u < A; ++u)
#pragma GCC unroll 16
        for (int v = 0; v < A; ++v) mm[u][v] = VecF::load_partial(mo + (u * A + v) * xi_stride, n);
#pragma GCC unroll 16
      for (int r = 0; r < T; ++r)
#pragma GCC unroll 16
        for (int v = 0; v < A; ++v) cols[r][v] = combine(S::kAt[r], &mm[0][v], A);  // A^T M
      for (int r = 0; r < T; ++r) {
        VecF yq[T];
#pragma GCC unroll 16
        for (int q = 0; q < T; ++q) {
          yq[q] = combine(S::kAt[q], cols[r], 1);  // (A^T M) A
          if (bias) yq[q] = yq[q] + VecF::set1(bias[o]);
          if (skip) {
            alignas(64) float gathered[W] = {};
            for (int lane = 0; lane < n; ++lane)
              if (r < rows_in[lane] && q < cols_in[lane]) gathered[lane] = skip[origin[lane] + r * tiles.w + q];
            yq[q] = yq[q] + VecF::load(gathered);
          }
        }
        alignas(64) float row[T * W];  // lane l's outputs of tile row r at row[l * T ...]
        store_interleaved<T>(row, yq);
        if (act.op != verinfer::UnaryOp::Identity) unary(act, row, row, static_cast<size_t>(T * n));
        for (int i = 0; i < run_count; ++i) {
          if (r >= rows_in[runs[i].first]) continue;
          const float* from = row + runs[i].first * T;
          float* to = yo + origin[runs[i].first] + r * tiles.w;
          for (int64_t j = 0; j < runs[i].length; j += W) {
            const int lanes = static_cast<int>(std::min<int64_t>(W, runs[i].length - j));
            VecF::load_partial(from + j, lanes).store_partial(to + j, lanes);
          }
        }
      }
    }
  }
}

}  // namespace VI_ISA_NS
