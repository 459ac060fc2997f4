// conv2d's Winograd schedules, F(2x2, 3x3) and F(4x4, 3x3) (core/winograd.h). One task per panel of 32
// tiles (or a few panels, see below), numbered across the batch's images: the tiles' input transforms
// V = B^T d B are written as alpha^2 packed B panels (one per transform element xi, C rows), the
// alpha^2 products M_xi = U_xi V_xi run as one batched GEMM against the transformed weights U (packed
// as A), and each output channel's tiles are transformed back, Y = A^T M A, and take the epilogue.
#include "ops/conv_winograd.h"

#include <algorithm>
#include <stdexcept>
#include <string>

#include "core/dispatch.h"
#include "core/shape.h"
#include "core/thread_pool.h"
#include "core/winograd.h"
#include "ops/gemm.h"

namespace verinfer {
namespace {

constexpr int64_t kWinogradBlockWeightBytes = int64_t{2} << 20;
constexpr int64_t kWinogradTaskBytes = int64_t{8} << 20;

template <class Scheme>
constexpr int64_t kElements = Scheme::kAlpha * Scheme::kAlpha;

template <class Scheme>
const WinogradKernels& transforms();
template <>
const WinogradKernels& transforms<WinogradF2>() { return kernels().winograd_f2; }
template <>
const WinogradKernels& transforms<WinogradF4>() { return kernels().winograd_f4; }

// The weight transforms into out[0..alpha^2), sized for m x c; U passes through a scratch buffer on its way.
template <class Scheme>
void transform_weights(const float* w, int64_t m, int64_t c, PackedA* out) {
  const int64_t pairs = m * c;
  Scratch<AlignedBuffer<float>> u(1, static_cast<size_t>(kElements<Scheme> * pairs));
  parallel_for(static_cast<size_t>(pairs), 1024, [&](size_t begin, size_t end) {
    transforms<Scheme>().weight_transform(w + begin * 9, static_cast<int64_t>(end - begin), u[0].data() + begin, pairs);
  });
  pack_a_into(out, u[0].data(), kElements<Scheme>, pairs, m, c);
}

template <class Scheme>
std::vector<PackedA> weights_of(const float* w, int64_t m, int64_t c) {
  std::vector<PackedA> out(static_cast<size_t>(kElements<Scheme>));
  for (PackedA& p : out) allocate_panels(p, m, c);
  transform_weights<Scheme>(w, m, c, out.data());
  return out;
}

// Calls visit(image, tile, count, offset) for each image's part of tiles [first, first + count) of a
// batch whose images have `tiles` tiles each, numbered image by image; offset counts from `first`.
template <class Visit>
void for_each_image(int64_t first, int64_t count, int64_t tiles, Visit visit) {
  for (int64_t done = 0; done < count;) {
    const int64_t image = (first + done) / tiles, tile = (first + done) % tiles, part = std::min(count - done, tiles - tile);
    visit(image, tile, part, done);
    done += part;
  }
}

// The schedule of the file's opening comment, for one scheme. Panels of tiles run on across images, so
// that maps of few tiles still fill them; a tile's bits do not depend on its panel.
template <class Scheme>
void run_winograd(const float* x, const Shape& xs, const float* w, const float* bias, const ConvParams& p, const Shape& ys, float* y) {
  constexpr int64_t elements = kElements<Scheme>;
  const WinogradKernels& kt = transforms<Scheme>();
  const int64_t n = xs[0], c = xs[1], m = ys[1], image_floats = c * xs[2] * xs[3], out_plane = ys[2] * ys[3], out_image = m * out_plane;
  // The tile grid, seen from the input (tiles at stride kTile from the conv's pads) and from the
  // output plane.
  const PlaneSizes in_tiles{xs[2], xs[3], ceil_div(ys[2], Scheme::kTile), ceil_div(ys[3], Scheme::kTile)};
  const PlaneSizes out_tiles{ys[2], ys[3], in_tiles.oh, in_tiles.ow};
  const int64_t tiles = in_tiles.oh * in_tiles.ow, total = n * tiles, panels = ceil_div(total, kPanelWidth);

  if (p.winograd_weights && p.winograd_weight_count != elements)
    throw std::logic_error("conv2d: " + std::to_string(p.winograd_weight_count) + " transformed weight matrices for a scheme of " +
                           std::to_string(elements));
  Scratch<PackedA> own_weights(p.winograd_weights ? 0 : elements, packed_a_floats(m, c), [&](PackedA& a) { allocate_panels(a, m, c); });
  if (!p.winograd_weights) transform_weights<Scheme>(w, m, c, own_weights.data());
  const PackedA* u = p.winograd_weights ? p.winograd_weights : own_weights.data();
  // Tasks take one panel each, or, where the transformed weights outgrow L2 (C x M above 2^15 for
  // F(2x2, 3x3)), as many as keep every thread busy, so that each streams U fewer times; a task's V and
  // M stay under kWinogradTaskBytes. Blocking only splits the GEMMs' N: a tile's bits do not depend on it.
  const int64_t weight_bytes = elements * c * m * static_cast<int64_t>(sizeof(float));
  const int64_t panel_bytes = elements * (c + m) * kPanelWidth * static_cast<int64_t>(sizeof(float));
  const int64_t threads = ThreadPool::instance().threads();
  const int64_t block = weight_bytes > kWinogradBlockWeightBytes
                            ? std::clamp<int64_t>(std::min(panels / threads, kWinogradTaskBytes / panel_bytes), 1, panels)
                            : 1;
  // Fewer tasks than threads (a small batch of a small map): each task's output channels are split
  // too, in slices of whole micro-panels of U, and every slice transforms its task's inputs itself.
  const int64_t tasks = ceil_div(panels, block), mr = kernels().sgemm_mr, channel_panels = ceil_div(m, mr);
  const int64_t slices = tasks >= threads ? 1 : std::min(ceil_div(threads, tasks), channel_panels);
  ThreadPool::instance().run(tasks * slices, [&](size_t job) {
    const int64_t task = static_cast<int64_t>(job) / slices, slice = static_cast<int64_t>(job) % slices;
    const int64_t first = task * block * kPanelWidth, count = std::min(block * kPanelWidth, total - first);
    const Span channels = even_span(m, slices, mr, slice);
    const int64_t o0 = channels.begin, rows = channels.size;
    ScratchPanels v(elements, c, count);
    for (int64_t q = 0; q * kPanelWidth < count; ++q) {
      float* dst[elements];
      for (int64_t xi = 0; xi < elements; ++xi) dst[xi] = v[xi].panels.data() + q * c * kPanelWidth;
      const int64_t width = std::min<int64_t>(kPanelWidth, count - q * kPanelWidth);
      for_each_image(first + q * kPanelWidth, width, tiles, [&](int64_t image, int64_t tile, int64_t count_here, int64_t offset) {
        kt.input_panel(x + image * image_floats, c, in_tiles, p.window, tile, count_here, offset, dst);
      });
      // The batch's last panel: zeros past its last tile, as far as the GEMM reads.
      const int64_t pad = panel_columns_read(width) - width;
      for (int64_t xi = 0; pad > 0 && xi < elements; ++xi)
        for (int64_t ci = 0; ci < c; ++ci) std::fill_n(dst[xi] + ci * kPanelWidth + width, pad, 0.0f);
    }
    Scratch<AlignedBuffer<float>> products(1, static_cast<size_t>(elements * rows * count));
    SgemmBatch gb;
    gb.m = rows, gb.n = count, gb.k = c, gb.ldy = elements * count;  // an output channel's alpha^2 products side by side
    gb.a_packed_row0 = o0;
    for (int64_t xi = 0; xi < elements; ++xi) {
      gb.a.push_back(nullptr);  // A comes packed
      gb.a_packed.push_back(u + xi);
      gb.b.push_back(&v[xi]);
      gb.y.push_back(products[0].data() + xi * count);
    }
    sgemm_serial(gb);
    for_each_image(first, count, tiles, [&](int64_t image, int64_t tile, int64_t count_here, int64_t offset) {
      const int64_t origin = image * out_image + o0 * out_plane;
      kt.output_tiles(products[0].data() + offset, rows, count, out_tiles, tile, count_here, bias ? bias + o0 : nullptr,
                      p.residual ? p.residual + origin : nullptr, p.act, y + origin);
    });
  });
}

}  // namespace

int64_t winograd_tile(const Shape& ys) {
  return ys[2] >= kWinogradF4MinSide && ys[3] >= kWinogradF4MinSide ? WinogradF4::kTile : WinogradF2::kTile;
}

bool conv_winograd(const Shape& xs, const Shape& ys, const ConvParams& p) {
  const Window2d& w = p.window;
  if (w.kh != 3 || w.kw != 3 || w.stride_h != 1 || w.stride_w != 1 || w.dilation_h != 1 || w.dilation_w != 1 || p.groups != 1)
    return false;
  const int64_t tiles = ceil_div(ys[2], WinogradF2::kTile) * ceil_div(ys[3], WinogradF2::kTile);
  // The input transform gathers taps at int32 offsets within a plane.
  return xs[1] >= kWinogradMinChannels && ys[1] >= kWinogradMinChannels && tiles >= kPanelWidth &&
         xs[2] * xs[3] < (int64_t{1} << 31);
}

std::vector<PackedA> winograd_weights(const float* w, int64_t m, int64_t c, int64_t tile) {
  return tile == WinogradF4::kTile ? weights_of<WinogradF4>(w, m, c) : weights_of<WinogradF2>(w, m, c);
}

void conv2d_winograd(const float* x, const Shape& xs, const float* w, const float* bias, const ConvParams& p, const Shape& ys, float* y) {
  if (winograd_tile(ys) == WinogradF4::kTile) return run_winograd<WinogradF4>(x, xs, w, bias, p, ys, y);
  run_winograd<WinogradF2>(x, xs, w, bias, p, ys, y);
}

}  // namespace verinfer
