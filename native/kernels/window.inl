// Window kernels of Conv and max pooling over the VecF of the including ISA file. Both walk a window
// tap by tap over runs of outputs that share an input row, so a tap's bounds are worked out once per
// run and its inputs are read as a (possibly strided) vector.
#pragma once
#include <algorithm>
#include <cmath>
#include <utility>
#include <vector>

namespace VI_ISA_NS {

// Lanes [0, n) from p[0], p[stride], ... (zeros after); nothing past p[(n - 1) * stride] is read.
inline VecF load_taps(const float* p, int64_t stride, int n) {
  if (stride == 1) return VecF::load_partial(p, n);
  if (stride == 2) return VecF::load_even(p, n);
  alignas(64) float lanes[VecF::width] = {};
  for (int i = 0; i < n; ++i) lanes[i] = p[i * stride];
  return VecF::load(lanes);
}

// For a run of `outputs` outputs whose tap reads input column ox * stride + offset: the outputs
// [lo, hi) whose column lies in [0, width), and the column of output lo.
struct TapSpan {
  int64_t lo, hi, first_column;
};

inline TapSpan tap_span(int64_t offset, int64_t stride, int64_t width, int64_t outputs) {
  const int64_t lo = offset >= 0 ? 0 : (-offset + stride - 1) / stride;
  const int64_t hi = offset >= width ? 0 : std::min(outputs, (width - 1 - offset) / stride + 1);
  return {lo, std::max(lo, hi), offset + lo * stride};
}

// Row (c, r, s) of the panel, `width` floats, holds tap (r, s) of channel c for the panel's pixels
// (zeros past `valid`). The pixels are cut
// into runs within one output row, whose inputs for a tap lie in one input row: each run's bounds are
// found once per tap, and each of its vectors is then copied for every channel.
inline void im2col_panel(const float* planes, int64_t channels, const verinfer::PlaneSizes& sz,
                         const verinfer::Window2d& win, int64_t pix0, int64_t valid, int64_t width, float* dst) {
  constexpr int W = VecF::width;
  struct Run {
    int64_t first, count, oy, ox;  // pixels [first, first + count) of the panel, from output (oy, ox)
  };
  Run runs[verinfer::kPanelWidth];
  int64_t run_count = 0;
  for (int64_t j = 0; j < valid;) {
    const int64_t oy = (pix0 + j) / sz.ow, ox = (pix0 + j) % sz.ow, len = std::min(valid - j, sz.ow - ox);
    runs[run_count++] = {j, len, oy, ox};
    j += len;
  }
  const int64_t plane = sz.h * sz.w, row_step = win.kh * win.kw * width;
  for (int64_t r = 0; r < win.kh; ++r)
    for (int64_t s = 0; s < win.kw; ++s) {
      TapSpan spans[verinfer::kPanelWidth];
      int64_t starts[verinfer::kPanelWidth], covered = 0;  // plane offset of each run's first in-range input
      for (int64_t i = 0; i < run_count; ++i) {
        const int64_t iy = runs[i].oy * win.stride_h - win.pad_top + r * win.dilation_h;
        const int64_t x0 = runs[i].ox * win.stride_w - win.pad_left + s * win.dilation_w;
        spans[i] = iy < 0 || iy >= sz.h ? TapSpan{0, 0, 0} : tap_span(x0, win.stride_w, sz.w, runs[i].count);
        starts[i] = iy * sz.w + spans[i].first_column;
        covered += spans[i].hi - spans[i].lo;
      }
      float* const tap_row = dst + (r * win.kw + s) * width;
      if (covered < width)  // padding or the panel's end: zeros where no input lands
        for (int64_t c = 0; c < channels; ++c)
          for (int64_t j = 0; j < width; j += W)
            VecF::zero().store_partial(tap_row + c * row_step + j, static_cast<int>(std::min<int64_t>(W, width - j)));
      for (int64_t i = 0; i < run_count; ++i) {
        const int64_t count = spans[i].hi - spans[i].lo;
        for (int64_t j = 0; j < count; j += W) {
          const int n = static_cast<int>(std::min<int64_t>(W, count - j));
          const float* from = planes + starts[i] + j * win.stride_w;
          float* to = tap_row + runs[i].first + spans[i].lo + j;
          for (int64_t c = 0; c < channels; ++c, from += plane, to += row_step)
            load_taps(from, win.stride_w, n).store_partial(to, n);
        }
      }
    }
}

// The pooling max of one tap: max_first_nan, or where the planes are all finite the same bits in fewer
// instructions.
template <bool Finite>
inline VecF pool_max(VecF acc, VecF tap) {
  return Finite ? max_of_numbers(acc, tap) : max_first_nan(acc, tap);
}

// Whether the n floats from p are all finite (x * 0 is NaN for a NaN or an infinity). A group of
// planes with an infinity takes the general max too: it costs time, not bits.
inline bool all_finite(const float* p, int64_t n) {
  constexpr int W = VecF::width;
  VecF probe[4] = {VecF::zero(), VecF::zero(), VecF::zero(), VecF::zero()};
  int64_t i = 0;
  for (; i + 4 * W <= n; i += 4 * W)
    for (int u = 0; u < 4; ++u) probe[u] = fma(VecF::load(p + i + u * W), VecF::zero(), probe[u]);
  for (; i < n; i += W) probe[0] = fma(VecF::load_partial(p + i, static_cast<int>(std::min<int64_t>(W, n - i))), VecF::zero(), probe[0]);
  const VecF all = (probe[0] + probe[1]) + (probe[2] + probe[3]);
  return all_true(eq(all, all));
}

// One vector of pooled outputs whose tap columns all lie inside the input: tap (r, s) of lane i is at
// in[r * row_step + s * dilation_w + i * stride_w], r counting the tap rows inside the input.
struct PoolVector {
  const float* in;
  float* out;
  int n;
};

// The maxima of up to kPoolGroup vectors over `tap_rows` tap rows at once: each is a chain of
// pool_max through its taps, and independent chains side by side hide each other's latency.
// KW and Stride, where not 0, fix the window's width and column stride (dilation 1) at compile time,
// so the common windows' tap loops unroll.
constexpr int kPoolGroup = 4;
template <bool Finite, int KW, int Stride>
inline void max_pool_group(const PoolVector* group, int count, int64_t tap_rows, int64_t row_step, const verinfer::Window2d& win) {
  static_assert((KW == 0) == (Stride == 0), "a fixed window fixes its width and its stride");
  const int64_t kw = KW ? KW : win.kw, stride = Stride ? Stride : win.stride_w, dilation = KW ? 1 : win.dilation_w;
  VecF acc[kPoolGroup];
  for (VecF& a : acc) a = VecF::set1(-INFINITY);
  for (int64_t r = 0; r < tap_rows; ++r)
#pragma GCC unroll 4
    for (int64_t s = 0; s < kw; ++s) {
      const int64_t offset = r * row_step + s * dilation;
#pragma GCC unroll 4
      for (int g = 0; g < kPoolGroup; ++g)
        if (g < count) acc[g] = pool_max<Finite>(acc[g], load_taps(group[g].in + offset, stride, group[g].n));
    }
  for (int g = 0; g < count; ++g) acc[g].store_partial(group[g].out, group[g].n);
}

// The maxima of a run of n outputs of a window two columns wide at stride 2 (2x2/2 and the like),
// all of whose taps (at least one row) lie inside the input: each tap row's pair of columns comes from
// one pair of loads, split into even and odd columns. max_first_nan is associative (the leftmost NaN
// wins, else the max in a total order), so each row's pair is taken first and then joins the chain,
// in tap order, for the same bits as the chain from -inf with half its latency.
inline void max_pool_run_pairs(const float* in, float* out, int64_t n, int64_t tap_rows, int64_t row_step) {
  constexpr int W = VecF::width;
  const auto pair_max = [&](const float* row, int lanes) {
    VecF even, odd;
    VecF::load_pairs(row, lanes, even, odd);
    return max_first_nan(even, odd);
  };
  for (int64_t j = 0; j < n; j += W, in += 2 * W) {
    const int lanes = static_cast<int>(std::min<int64_t>(W, n - j));
    VecF acc = pair_max(in, lanes);
    for (int64_t r = 1; r < tap_rows; ++r) acc = max_first_nan(acc, pair_max(in + r * row_step, lanes));
    acc.store_partial(out + j, lanes);
  }
}

// What every plane of one max pooling shares: the outputs [inner_lo, inner_hi) of a row whose every tap
// column lies inside the input, each tap column's span, and each output row's tap rows inside the input.
struct MaxPoolLayout {
  struct TapRows {
    int64_t first, end;
  };
  std::vector<TapSpan> columns;
  std::vector<TapRows> tap_rows;
  int64_t inner_lo = 0, inner_hi = 0, row_step = 0;
  bool pairs = false;  // a window two columns wide at stride 2: max_pool_run_pairs
};

inline MaxPoolLayout max_pool_layout(const verinfer::PlaneSizes& sz, const verinfer::Window2d& win) {
  MaxPoolLayout l;
  l.columns.resize(static_cast<size_t>(win.kw));
  l.inner_hi = sz.ow;
  for (int64_t s = 0; s < win.kw; ++s) {
    l.columns[s] = tap_span(s * win.dilation_w - win.pad_left, win.stride_w, sz.w, sz.ow);
    l.inner_lo = std::max(l.inner_lo, l.columns[s].lo);
    l.inner_hi = std::min(l.inner_hi, l.columns[s].hi);
  }
  l.inner_lo = std::min(l.inner_lo, sz.ow);  // a padded tap may reach no output at all
  l.inner_hi = std::max(l.inner_lo, l.inner_hi);
  l.tap_rows.resize(static_cast<size_t>(sz.oh));
  for (int64_t oy = 0; oy < sz.oh; ++oy) {
    const int64_t iy0 = oy * win.stride_h - win.pad_top;  // input row of tap row 0
    MaxPoolLayout::TapRows& t = l.tap_rows[oy];
    t.first = iy0 >= 0 ? 0 : (-iy0 + win.dilation_h - 1) / win.dilation_h;
    for (t.end = t.first; t.end < win.kh && iy0 + t.end * win.dilation_h < sz.h;) ++t.end;
  }
  l.row_step = win.dilation_h * sz.w;
  l.pairs = win.kw == 2 && win.stride_w == 2 && win.dilation_w == 1;
  return l;
}

// One plane: vectors run over the outputs whose every tap lies inside the input, without bounds checks,
// kPoolGroup at a time; the outputs whose window crosses the padding take one lane each.
template <bool Finite, int KW, int Stride>
void max_pool_plane(const float* src, float* dst, const verinfer::PlaneSizes& sz, const verinfer::Window2d& win, const MaxPoolLayout& l) {
  constexpr int W = VecF::width;
  PoolVector group[kPoolGroup];
  int grouped = 0;
  for (int64_t oy = 0; oy < sz.oh; ++oy) {
    const int64_t iy0 = oy * win.stride_h - win.pad_top, r_first = l.tap_rows[oy].first, r_end = l.tap_rows[oy].end;
    float* out = dst + oy * sz.ow;
    const bool inner_rows = r_first == 0 && r_end == win.kh;
    if (inner_rows && l.pairs)  // the run in one call: a pair's loads serve two taps
      max_pool_run_pairs(src + iy0 * sz.w + l.inner_lo * 2 - win.pad_left, out + l.inner_lo, l.inner_hi - l.inner_lo, win.kh, l.row_step);
    else
      for (int64_t ox = l.inner_lo; ox < l.inner_hi; ox += W) {
        const int n = static_cast<int>(std::min<int64_t>(W, l.inner_hi - ox));
        if (inner_rows) {
          group[grouped++] = {src + iy0 * sz.w + ox * win.stride_w - win.pad_left, out + ox, n};
          if (grouped == kPoolGroup) max_pool_group<Finite, KW, Stride>(group, grouped, win.kh, l.row_step, win), grouped = 0;
          continue;
        }
        const int64_t rows = r_end - r_first;  // none: the window lies in the padding, and gives -inf
        const PoolVector alone{rows > 0 ? src + (iy0 + r_first * win.dilation_h) * sz.w + ox * win.stride_w - win.pad_left : src,
                               out + ox, n};
        max_pool_group<Finite, KW, Stride>(&alone, 1, rows, l.row_step, win);
      }
    const auto edge = [&](int64_t ox) {
      VecF acc = VecF::set1(-INFINITY);
      for (int64_t r = r_first; r < r_end; ++r) {
        const float* line = src + (iy0 + r * win.dilation_h) * sz.w;
        for (const TapSpan& t : l.columns)
          if (ox >= t.lo && ox < t.hi) acc = pool_max<Finite>(acc, VecF::load_partial(line + t.first_column + (ox - t.lo) * win.stride_w, 1));
      }
      acc.store_partial(out + ox, 1);
    };
    for (int64_t ox = 0; ox < l.inner_lo; ++ox) edge(ox);
    for (int64_t ox = l.inner_hi; ox < sz.ow; ++ox) edge(ox);
  }
  if (grouped > 0) max_pool_group<Finite, KW, Stride>(group, grouped, win.kh, l.row_step, win);
}

using MaxPoolPlane = void (*)(const float*, float*, const verinfer::PlaneSizes&, const verinfer::Window2d&, const MaxPoolLayout&);

// The plane kernels for a window: for the general max and for planes all finite.
template <int KW, int Stride>
constexpr std::pair<MaxPoolPlane, MaxPoolPlane> max_pool_kernels() {
  return {&max_pool_plane<false, KW, Stride>, &max_pool_plane<true, KW, Stride>};
}

// Each output takes its taps in (kh, kw) order from -inf with max_first_nan (docs/determinism.md); taps
// in the padding are skipped, as max_first_nan(acc, -inf) would leave acc unchanged. All-finite planes
// take max_of_numbers, the same bits in fewer instructions, where the window has more than four taps
// (the pairs path of two-column windows always takes max_first_nan): with fewer, the check cost more
// than it saved (2x2/2 on 32x32 maps 8% slower). Planes are checked in groups of up to 16K floats (or
// one larger plane), so that a small plane's check costs little and a checked plane is still in L2
// when it is pooled; the pooling test in conv.test.ts takes planes just over that size, one a group.
inline void max_pool_planes(const float* x, float* y, size_t planes, const verinfer::PlaneSizes& sz,
                            const verinfer::Window2d& win) {
  const MaxPoolLayout layout = max_pool_layout(sz, win);
  const bool fixed = win.kw == 3 && win.dilation_w == 1;
  const auto kernels = fixed && win.stride_w == 2 ? max_pool_kernels<3, 2>()
                       : fixed && win.stride_w == 1 ? max_pool_kernels<3, 1>()
                                                   : max_pool_kernels<0, 0>();
  const int64_t plane = sz.h * sz.w;
  const size_t per_check = static_cast<size_t>(std::max<int64_t>(1, 16384 / std::max<int64_t>(plane, 1)));
  for (size_t first = 0; first < planes; first += per_check) {
    const size_t end = std::min(planes, first + per_check);
    const bool finite = win.kh * win.kw > 4 && all_finite(x + first * plane, static_cast<int64_t>(end - first) * plane);
    const MaxPoolPlane pool = finite ? kernels.second : kernels.first;
    for (size_t pl = first; pl < end; ++pl) pool(x + pl * plane, y + pl * sz.oh * sz.ow, sz, win, layout);
  }
}

}  // namespace VI_ISA_NS
