// fp32 GEMM tail tile: a block's last few columns, fewer than a vector's lanes, run with the lanes along
// M. A micro-panel of A holds its MR rows' values of a k step side by side, so one load steps MR chains
// and each column's B value is broadcast; a vector along N would spend most lanes past N (15 of 16 on
// the 49th column of a 7x7 map). Every chain is the main tile's: acc = fma(a, b, acc) in ascending k
// from the same start, with a vector of A where the main tile broadcasts it, and the same epilogue,
// store_ragged's. So a column's bits never depend on which tile ran it.
#pragma once

namespace VI_ISA_NS {

using verinfer::SgemmTail;

// Chains a pass keeps in registers: half the vector registers (32 with AVX-512, 16 with AVX2).
constexpr int kTailChains = VecF::width >= 16 ? 16 : 8;
// Columns per pass: more would leave fewer micro-panels per pass, and too few chains per column to
// cover the fma latency.
constexpr int kTailColumns = 4;
constexpr int tail_panels(int columns) { return kTailChains / columns < 8 ? kTailChains / columns : 8; }

// Columns [0, T) of rows [0, m) at c: P micro-panels from `a`, B's columns from `b`, `ep` at row 0,
// column 0.
template <int MR, int T, int P>
void sgemm_tail_pass(const SgemmTail& t, const float* a, const float* b, float* c, int m, const GemmEpilogue& ep) {
  static_assert(MR <= VecF::width, "a micro-panel's k step fits one vector");
  VecF acc[P][T];
  alignas(64) float lanes[VecF::width] = {};
#pragma GCC unroll 32
  for (int p = 0; p < P; ++p)
#pragma GCC unroll 32
    for (int j = 0; j < T; ++j) {
      if (!t.first)  // resume from the partials in c (K past one k block)
        for (int r = 0; r < MR; ++r) lanes[r] = p * MR + r < m ? c[(p * MR + r) * t.ldc + j] : 0.0f;
      acc[p][j] = t.first ? VecF::zero() : VecF::load(lanes);
    }
  const int64_t kc = t.kc, a_panel_stride = t.a_panel_stride, b_row_stride = t.b_row_stride;
  for (int64_t k = 0; k < kc; ++k, a += MR, b += b_row_stride) {
    VecF column[T];
#pragma GCC unroll 32
    for (int j = 0; j < T; ++j) column[j] = VecF::set1(b[j]);
#pragma GCC unroll 32
    for (int p = 0; p < P; ++p) {
      const VecF rows = VecF::load_partial(a + p * a_panel_stride, MR);
#pragma GCC unroll 32
      for (int j = 0; j < T; ++j) acc[p][j] = fma(rows, column[j], acc[p][j]);
    }
  }
  // Transposed into rows of C's layout for the epilogue. Every loop over acc is unrolled, as in the
  // main tile (sgemm.inl): one rolled loop had kept the accumulators on the stack in the k loop.
  alignas(64) float raw[P * MR][VecF::width];
#pragma GCC unroll 32
  for (int p = 0; p < P; ++p)
#pragma GCC unroll 32
    for (int j = 0; j < T; ++j) {
      acc[p][j].store(lanes);
      for (int r = 0; r < MR; ++r) raw[p * MR + r][j] = lanes[r];
    }
  store_ragged(raw[0], VecF::width, c, t.ldc, m, T, t.last, ep);
  activate_rows(c, t.ldc, m, T, t.last, ep);
}

// Columns [j0, j0 + T) of the tail, in passes of up to sizeof...(Ps) micro-panels.
template <int MR, int T, int... Ps>
void sgemm_tail_columns(const SgemmTail& t, int j0, std::integer_sequence<int, Ps...>) {
  using Pass = void (*)(const SgemmTail&, const float*, const float*, float*, int, const GemmEpilogue&);
  static constexpr Pass passes[] = {&sgemm_tail_pass<MR, T, Ps + 1>...};
  constexpr int most = sizeof...(Ps);
  const int panels = (t.m + MR - 1) / MR;
  for (int p0 = 0; p0 < panels; p0 += most) {
    const int count = panels - p0 < most ? panels - p0 : most, row0 = p0 * MR;
    const GemmEpilogue ep = t.ep->at(row0, j0);
    const int rows = t.m - row0 < count * MR ? t.m - row0 : count * MR;
    passes[count - 1](t, t.a + p0 * t.a_panel_stride, t.b + j0, t.c + row0 * t.ldc + j0, rows, ep);
  }
}

template <int MR, int T>
void sgemm_tail_columns(const SgemmTail& t, int j0) {
  sgemm_tail_columns<MR, T>(t, j0, std::make_integer_sequence<int, tail_panels(T)>());
}

template <int MR>
void sgemm_tail(const SgemmTail& t) {
  static_assert(kTailColumns == 4, "one entry per pass width");
  using Columns = void (*)(const SgemmTail&, int);
  static constexpr Columns by_width[] = {&sgemm_tail_columns<MR, 1>, &sgemm_tail_columns<MR, 2>,
                                         &sgemm_tail_columns<MR, 3>, &sgemm_tail_columns<MR, 4>};
  for (int j0 = 0; j0 < t.n; j0 += kTailColumns) by_width[(t.n - j0 < kTailColumns ? t.n - j0 : kTailColumns) - 1](t, j0);
}

}  // namespace VI_ISA_NS
