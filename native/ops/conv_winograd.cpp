// conv2d's Winograd F(2x2, 3x3) schedule (core/winograd.h). One task per image and panel of 32 tiles
// (or a few panels, see below): the tiles' input transforms V = B^T d B are written as 16 packed B
// panels (one per transform element xi, C rows), the 16 products M_xi = U_xi V_xi run as one batched
// GEMM against the transformed weights U (packed as A), and each output channel's tiles are
// transformed back, Y = A^T M A, and take the epilogue.
#include "ops/conv_winograd.h"

#include <algorithm>

#include "core/dispatch.h"
#include "core/shape.h"
#include "core/thread_pool.h"
#include "core/winograd.h"
#include "ops/gemm.h"

namespace verinfer {
namespace {

using Scheme = WinogradF2;
constexpr int kAlpha = Scheme::kAlpha;
constexpr int64_t kElements = kAlpha * kAlpha;
constexpr int64_t kWinogradBlockWeightBytes = int64_t{2} << 20;
constexpr int64_t kWinogradTaskBytes = int64_t{8} << 20;

// winograd_weights into out[0..16), sized for m x c; U passes through a scratch buffer on its way.
void transform_weights(const float* w, int64_t m, int64_t c, PackedA* out) {
  const int64_t pairs = m * c;
  Scratch<AlignedBuffer<float>> u(1, static_cast<size_t>(kElements * pairs));
  parallel_for(static_cast<size_t>(pairs), 1024, [&](size_t begin, size_t end) {
    kernels().winograd_weight_transform(w + begin * 9, static_cast<int64_t>(end - begin), u[0].data() + begin, pairs);
  });
  pack_a_into(out, u[0].data(), kElements, pairs, m, c);
}

}  // namespace

bool conv_winograd(const Shape& xs, const Shape& ys, const ConvParams& p) {
  const Window2d& w = p.window;
  if (w.kh != 3 || w.kw != 3 || w.stride_h != 1 || w.stride_w != 1 || w.dilation_h != 1 || w.dilation_w != 1 || p.groups != 1)
    return false;
  const int64_t tiles = ceil_div(ys[2], Scheme::kTile) * ceil_div(ys[3], Scheme::kTile);
  return xs[1] >= kWinogradMinChannels && ys[1] >= kWinogradMinChannels && tiles >= kPanelWidth;
}

std::vector<PackedA> winograd_weights(const float* w, int64_t m, int64_t c) {
  std::vector<PackedA> out(static_cast<size_t>(kElements));
  for (PackedA& p : out) allocate_panels(p, m, c);
  transform_weights(w, m, c, out.data());
  return out;
}

void conv2d_winograd(const float* x, const Shape& xs, const float* w, const float* bias, const ConvParams& p, const Shape& ys, float* y) {
  const int64_t n = xs[0], c = xs[1], m = ys[1], out_plane = ys[2] * ys[3];
  // The tile grid, seen from the input (window alpha x alpha at stride kTile, the conv's pads) and
  // from the output plane.
  const PlaneSizes in_tiles{xs[2], xs[3], ceil_div(ys[2], Scheme::kTile), ceil_div(ys[3], Scheme::kTile)};
  const PlaneSizes out_tiles{ys[2], ys[3], in_tiles.oh, in_tiles.ow};
  Window2d win;
  win.kh = win.kw = kAlpha;
  win.stride_h = win.stride_w = Scheme::kTile;
  win.pad_top = p.window.pad_top, win.pad_left = p.window.pad_left;
  const int64_t tiles = in_tiles.oh * in_tiles.ow, panels = ceil_div(tiles, kPanelWidth);

  Scratch<PackedA> own_weights(p.winograd_weights ? 0 : kElements, packed_a_floats(m, c), [&](PackedA& a) { allocate_panels(a, m, c); });
  if (!p.winograd_weights) transform_weights(w, m, c, own_weights.data());
  const PackedA* u = p.winograd_weights ? p.winograd_weights : own_weights.data();
  // Tasks take one panel each, or, where the transformed weights outgrow L2 (C x M above 2^15), as many
  // as keep every thread busy, so that each streams U fewer times; a task's V and M stay under
  // kWinogradTaskBytes. Blocking only splits the GEMMs' N: a tile's bits do not depend on it.
  const int64_t weight_bytes = kElements * c * m * static_cast<int64_t>(sizeof(float));
  const int64_t panel_bytes = kElements * (c + m) * kPanelWidth * static_cast<int64_t>(sizeof(float));
  const int64_t threads = ThreadPool::instance().threads();
  const int64_t block = weight_bytes > kWinogradBlockWeightBytes
                            ? std::clamp<int64_t>(std::min(n * panels / threads, kWinogradTaskBytes / panel_bytes), 1, panels)
                            : 1;
  const int64_t blocks = ceil_div(panels, block);
  ThreadPool::instance().run(n * blocks, [&](size_t task) {
    const int64_t image = static_cast<int64_t>(task) / blocks, first = static_cast<int64_t>(task) % blocks * block * kPanelWidth;
    const int64_t count = std::min<int64_t>(block * kPanelWidth, tiles - first);
    ScratchPanels v(kElements, c, count);
    for (int64_t q = 0; q * kPanelWidth < count; ++q) {
      float* dst[kElements];
      for (int64_t xi = 0; xi < kElements; ++xi) dst[xi] = v[xi].panels.data() + q * c * kPanelWidth;
      kernels().winograd_input_panel(x + image * c * xs[2] * xs[3], c, in_tiles, win, first + q * kPanelWidth,
                                     std::min<int64_t>(kPanelWidth, count - q * kPanelWidth), dst);
    }
    Scratch<AlignedBuffer<float>> products(1, static_cast<size_t>(kElements * m * count));
    SgemmBatch gb;
    gb.m = m, gb.n = count, gb.k = c, gb.ldy = kElements * count;  // an output channel's 16 products side by side
    for (int64_t xi = 0; xi < kElements; ++xi) {
      gb.a.push_back(nullptr);  // A comes packed
      gb.a_packed.push_back(u + xi);
      gb.b.push_back(&v[xi]);
      gb.y.push_back(products[0].data() + xi * count);
    }
    sgemm_serial(gb);
    const int64_t origin = image * m * out_plane;
    kernels().winograd_output_tiles(products[0].data(), m, count, out_tiles, first, count, bias,
                                    p.residual ? p.residual + origin : nullptr, p.act, y + origin);
  });
}

}  // namespace verinfer
