// fp32 GEMM micro-kernel: an R x (NV * width) tile of C, each element one fma chain in ascending k
// (acc = fma(a[k], b[k], acc)). Vector lanes run along N; K is never split across lanes or threads.
#pragma once

namespace VI_ISA_NS {

using verinfer::GemmEpilogue;
using verinfer::SgemmTile;

constexpr int kPanel = verinfer::kPanelWidth;
static_assert(kPanel % VecF::width == 0, "a vector must not straddle two packed B panels");

// How far ahead in k the B panel is prefetched: 48 rows (6 KiB of a 32-wide panel) keep a panel that
// streams from L3 or memory ahead of the chain (16 rows ran 8x4096x1024 7-15% slower).
constexpr int64_t kPrefetchRows = 48;

inline const float* panel_ptr(const SgemmTile& t, int v, int64_t k) {
  constexpr int per_panel = kPanel / VecF::width;
  return t.b + (v / per_panel) * t.b_panel_stride + k * t.b_row_stride + (v % per_panel) * VecF::width;
}

inline int lanes_in(int n, int v) {
  const int c = n - v * VecF::width;
  return c < 0 ? 0 : (c > VecF::width ? VecF::width : c);
}

// The epilogue, y = act((alpha * acc + beta * C) + residual), on a whole R x (NV * width) tile of
// finished chains, in registers (store_ragged does the same for a ragged tile: a change to one is a
// change to both). Each term is one pass over the tile behind one test: with tests per vector, or with
// a ragged tile's lane counts in the same code, GCC had kept accumulators on the stack, in the k loop
// too, and in a short chain (K = 64) the epilogue took a sixth of a tile's time. Always inlined: a call
// would take the accumulators through memory.
template <int R, int NV>
__attribute__((always_inline)) inline void finish_whole(VecF (&acc)[R][NV], const GemmEpilogue& ep) {
  // alpha and beta of 1 are skipped: multiplying by 1 is exact, so the bits are the same.
  if (ep.alpha != 1.0f) {
    const VecF alpha = VecF::set1(ep.alpha);
#pragma GCC unroll 32
    for (int r = 0; r < R; ++r)
#pragma GCC unroll 32
      for (int v = 0; v < NV; ++v) acc[r][v] = acc[r][v] * alpha;
  }
  if (ep.c) {
    const bool scale = ep.beta != 1.0f;
    const VecF beta = VecF::set1(ep.beta);
    const bool per_row = ep.c_col_stride == 0;  // a bias: one value per row
#pragma GCC unroll 32
    for (int r = 0; r < R; ++r) {
      const float* addend = ep.c + r * ep.c_row_stride;
      const VecF row_value = per_row ? VecF::set1(addend[0]) : VecF::zero();
#pragma GCC unroll 32
      for (int v = 0; v < NV; ++v) {
        VecF add = per_row ? row_value : VecF::load(addend + v * VecF::width);
        if (scale) add = add * beta;
        acc[r][v] = acc[r][v] + add;
      }
    }
  }
  if (ep.residual) {
#pragma GCC unroll 32
    for (int r = 0; r < R; ++r)
#pragma GCC unroll 32
      for (int v = 0; v < NV; ++v) acc[r][v] = acc[r][v] + VecF::load(ep.residual + r * ep.residual_ld + v * VecF::width);
  }
  // Relu, the common case, is applied in registers; it is lane-wise, so the bits are those of the row
  // pass that the other activations take after the store.
  if (ep.act.op == verinfer::UnaryOp::Relu) {
#pragma GCC unroll 32
    for (int r = 0; r < R; ++r)
#pragma GCC unroll 32
      for (int v = 0; v < NV; ++v) acc[r][v] = unary_apply<verinfer::UnaryOp::Relu>(acc[r][v], ep.act);
  }
}

// Stores rows [0, m) x columns [0, n) of a ragged tile's chains, copied to `raw` (row stride raw_ld),
// at c, after the last k step with finish_whole's epilogue: the same operations in the same order,
// through memory and out of the tile's code. The chains wait in raw, not in c: the residual may be c
// itself (sgemm_residual_in_place). The epilogue's fields are read once, into locals: through `ep` they would
// be read again after every store, which may alias them.
__attribute__((noinline)) inline void store_ragged(const float* raw, int raw_ld, float* c, int64_t ldc, int m, int n, bool last, const GemmEpilogue& ep) {
  const bool scale_acc = last && ep.alpha != 1.0f, scale_addend = ep.beta != 1.0f;
  const VecF alpha = VecF::set1(ep.alpha), beta = VecF::set1(ep.beta);
  const float* const addend = last ? ep.c : nullptr;
  const int64_t addend_row = ep.c_row_stride, addend_col = ep.c_col_stride;
  const float* const residual = last ? ep.residual : nullptr;
  const int64_t residual_ld = ep.residual_ld;
  const verinfer::UnaryParams act = ep.act;
  const bool relu = last && act.op == verinfer::UnaryOp::Relu;
  for (int r = 0; r < m; ++r) {
    float* crow = c + r * ldc;
    for (int j = 0; j < n; j += VecF::width) {
      const int count = n - j < VecF::width ? n - j : VecF::width;
      VecF y = load_lanes(raw + r * raw_ld + j, count);  // the lanes past n are never computed on
      if (scale_acc) y = y * alpha;
      if (addend) {
        const float* addend_row_start = addend + r * addend_row;
        VecF add = addend_col == 0 ? VecF::set1(addend_row_start[0]) : load_lanes(addend_row_start + j, count);
        if (scale_addend) add = add * beta;
        y = y + add;
      }
      if (residual) y = y + load_lanes(residual + r * residual_ld + j, count);
      if (relu) y = unary_apply<verinfer::UnaryOp::Relu>(y, act);
      store_lanes(y, crow + j, count);
    }
  }
}

// Other activations than Relu take a pass over each finished row of a tile's rows [0, m) x columns [0, n)
// (after the last k step): lane-wise, so the bits of an output do not depend on where its row starts.
inline void activate_rows(float* c, int64_t ldc, int m, int n, bool last, const GemmEpilogue& ep) {
  if (last && ep.act.op != verinfer::UnaryOp::Identity && ep.act.op != verinfer::UnaryOp::Relu)
    for (int r = 0; r < m; ++r) unary(ep.act, c + r * ldc, c + r * ldc, static_cast<size_t>(n));
}

// Stores rows [0, m) x columns [0, n) of an R x (NV * width) tile of chains at c (row stride ldc),
// after the last k step with the epilogue. Every loop over the accumulators is unrolled: one rolled
// loop indexes them at run time, which sends the whole array through the stack; in a K = 32 GEMM
// (Winograd's) that had taken about a quarter of a tile's time.
template <int R, int NV>
__attribute__((always_inline)) inline void store_tile(VecF (&acc)[R][NV], float* c, int64_t ldc, int m, int n, bool last, const GemmEpilogue& ep) {
  if (m >= R && n >= NV * VecF::width) {
    if (last) finish_whole<R, NV>(acc, ep);
#pragma GCC unroll 32
    for (int r = 0; r < R; ++r)
#pragma GCC unroll 32
      for (int v = 0; v < NV; ++v) acc[r][v].store(c + r * ldc + v * VecF::width);
  } else {
    alignas(64) float raw[R][NV * VecF::width];
#pragma GCC unroll 32
    for (int r = 0; r < R; ++r)
#pragma GCC unroll 32
      for (int v = 0; v < NV; ++v) acc[r][v].store(raw[r] + v * VecF::width);
    store_ragged(raw[0], NV * VecF::width, c, ldc, m, n, last, ep);
  }
  activate_rows(c, ldc, m, n, last, ep);
}

// One k step of every chain of an R x (NV * width) tile: acc[r][v] = fma(a[r], b[v], acc[r][v]). The
// GEMM and the direct conv (conv_direct.inl) both step their chains here, so they are the same chains.
template <int R, int NV>
__attribute__((always_inline)) inline void fma_step(VecF (&acc)[R][NV], const float* a, const VecF (&b)[NV]) {
  for (int r = 0; r < R; ++r) {
    const VecF av = VecF::set1(a[r]);
    for (int v = 0; v < NV; ++v) acc[r][v] = fma(av, b[v], acc[r][v]);
  }
}

template <int R, int NV>
void sgemm_tile(const SgemmTile& t) {
  VecF acc[R][NV];
  // Unrolled like the epilogue (store_tile): rolled, this loop alone put the accumulators on the stack.
#pragma GCC unroll 32
  for (int r = 0; r < R; ++r)
#pragma GCC unroll 32
    for (int v = 0; v < NV; ++v)
      acc[r][v] = (t.first || r >= t.m) ? VecF::zero() : load_lanes(t.c + r * t.ldc + v * VecF::width, lanes_in(t.n, v));
  // The tile's output lines (and a residual's) are fetched while the chain runs: a layer's output is
  // often bigger than L2 (a 56x56x256 map), and each store or add would otherwise wait for its line
  // at the end.
  if (t.last)
    for (int r = 0; r < R && r < t.m; ++r) {
      const float* row = t.c + r * t.ldc;
      for (int j = 0; j < t.n; j += 16) __builtin_prefetch(row + j, 1, 3);
      __builtin_prefetch(row + t.n - 1, 1, 3);  // the last line, when the row does not start one
      if (t.ep->residual) {
        const float* skip = t.ep->residual + r * t.ep->residual_ld;
        for (int j = 0; j < t.n; j += 16) __builtin_prefetch(skip + j, 0, 3);
        __builtin_prefetch(skip + t.n - 1, 0, 3);
      }
    }
  const float* a = t.a;
  for (int64_t k = 0; k < t.kc; ++k, a += t.a_stride) {
    VecF b[NV];
    for (int v = 0; v < NV; ++v) b[v] = VecF::load(panel_ptr(t, v, k));
    __builtin_prefetch(panel_ptr(t, 0, k + kPrefetchRows));
    __builtin_prefetch(panel_ptr(t, NV - 1, k + kPrefetchRows));
    fma_step<R, NV>(acc, a, b);
  }
  store_tile<R, NV>(acc, t.c, t.ldc, t.m, t.n, t.last, *t.ep);
}

// Entry points: the main tile dispatches on the number of valid rows so a ragged last block of rows
// costs no extra work; the wide tile (small M) handles up to the ISA's WideRows rows (table.inl) over more columns.
template <int NV, int... Rs>
inline void sgemm_tile_rows(const SgemmTile& t, std::integer_sequence<int, Rs...>) {
  using Fn = void (*)(const SgemmTile&);
  static constexpr Fn table[] = {&sgemm_tile<Rs + 1, NV>...};
  table[t.m - 1](t);
}

}  // namespace VI_ISA_NS
