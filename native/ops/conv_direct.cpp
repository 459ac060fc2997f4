// conv2d's direct schedule. Each image's planes are copied once, zero-padded and split into the
// stride's column phases (phase q holds padded columns q, q + stride, ...), so that a tap's inputs
// for a run of output pixels in a row are consecutive floats. Tiles of a few output channels x a run
// of pixels then read every tap straight from that copy (kernels/conv_direct.inl), with the weights
// packed in the GEMM's A layout: the same chains as im2col and GEMM, without the k floats per pixel.
#include "ops/conv_direct.h"

#include <algorithm>
#include <vector>

#include "core/dispatch.h"
#include "core/thread_pool.h"
#include "ops/gemm.h"

namespace verinfer {
namespace {

constexpr int64_t kChunkBytes = int64_t{16} << 20;  // padded copies of a chunk of images
// Row tasks per thread: few and long, as each task walks every block of weights over its rows.
constexpr int64_t kTasksPerThread = 2;

// An image's padded, phased copy: [channel][phase][padded row][column in phase]. It reaches as far as
// the last window does, past the pads where ceil_mode lets a window overhang them (zeros there too).
struct PaddedLayout {
  PaddedLayout(const Shape& xs, const Shape& ys, const Window2d& win)
      : h(xs[2]), w(xs[3]), phases(win.stride_w),
        rows(std::max(h + win.pad_top + win.pad_bottom, (ys[2] - 1) * win.stride_h + win.kh)),
        cols(ceil_div(std::max(w + win.pad_left + win.pad_right, (ys[3] - 1) * win.stride_w + win.kw), phases)),
        image_floats(xs[1] * phases * rows * cols), pad_top(win.pad_top), pad_left(win.pad_left) {}

  // Offset of padded row i, padded column j of channel c.
  int64_t at(int64_t c, int64_t i, int64_t j) const { return ((c * phases + j % phases) * rows + i) * cols + j / phases; }

  // Writes channel c of an image's planes x into its copy dst.
  void fill(const float* x, int64_t c, float* dst) const {
    for (int64_t q = 0; q < phases; ++q)
      for (int64_t i = 0; i < rows; ++i) {
        float* row = dst + at(c, i, q);
        const int64_t src_row = i - pad_top;
        if (src_row < 0 || src_row >= h) {
          std::fill_n(row, cols, 0.0f);
          continue;
        }
        // Column jj of the phase is input column jj * phases + q - pad_left: inside for jj in [first, end).
        const int64_t first = std::min(cols, pad_left > q ? ceil_div(pad_left - q, phases) : int64_t{0});
        const int64_t end = std::clamp<int64_t>(w + pad_left > q ? ceil_div(w + pad_left - q, phases) : 0, first, cols);
        const float* src = x + (c * h + src_row) * w + q - pad_left;
        std::fill_n(row, first, 0.0f);
        if (phases == 1) std::copy(src + first, src + end, row + first);
        else for (int64_t jj = first; jj < end; ++jj) row[jj] = src[jj * phases];
        std::fill_n(row + end, cols - end, 0.0f);
      }
  }

  int64_t h, w, phases, rows, cols, image_floats, pad_top, pad_left;
};

}  // namespace

bool conv_direct(const Shape& xs, const ConvParams& p) {
  const Window2d& w = p.window;
  return p.groups == 1 && w.dilation_h == 1 && w.dilation_w == 1 && w.stride_w <= w.kw && xs[1] >= 1 &&
         xs[1] <= kDirectMaxChannels;
}

void conv2d_direct(const float* x, const Shape& xs, const float* w, const float* bias, const ConvParams& p, const Shape& ys, float* y) {
  const Window2d& win = p.window;
  const KernelTable& kt = kernels();
  const int64_t n = xs[0], c = xs[1], m = ys[1], oh = ys[2], ow = ys[3], out_plane = oh * ow;
  const int64_t k = c * win.kh * win.kw, mr = kt.conv_direct_rows, blocks = ceil_div(m, mr), tile_cols = kt.conv_direct_cols;
  const PaddedLayout layout(xs, ys, win);
  std::vector<int64_t> taps(static_cast<size_t>(k));
  for (int64_t ci = 0; ci < c; ++ci)
    for (int64_t i = 0; i < win.kh; ++i)
      for (int64_t j = 0; j < win.kw; ++j) taps[static_cast<size_t>((ci * win.kh + i) * win.kw + j)] = layout.at(ci, i, j);

  // Packed per call: with so few input channels the weights are small (a ResNet stem's, 37 KiB).
  Scratch<AlignedBuffer<float>> weights(1, static_cast<size_t>(blocks * mr * k));
  const float* packed = weights[0].data();
  pack_a(w, k, false, 0, m, 0, k, static_cast<int>(mr), weights[0].data());

  const int64_t chunk = std::clamp<int64_t>(kChunkBytes / (layout.image_floats * static_cast<int64_t>(sizeof(float))), 1, n);
  // Whole-vector reads run up to a tile's width past the last pixel's taps.
  Scratch<AlignedBuffer<float>> padded(1, static_cast<size_t>(chunk * layout.image_floats + tile_cols));
  std::fill_n(padded[0].data() + chunk * layout.image_floats, tile_cols, 0.0f);
  for (int64_t b0 = 0; b0 < n; b0 += chunk) {
    const int64_t images = std::min(chunk, n - b0);
    ThreadPool::instance().run(static_cast<size_t>(images * c), [&](size_t task) {
      const int64_t image = static_cast<int64_t>(task) / c, ci = static_cast<int64_t>(task) % c;
      layout.fill(x + (b0 + image) * c * layout.h * layout.w, ci, padded[0].data() + image * layout.image_floats);
    });
    // Tasks of a few output rows of one image; within one, a block's packed weights stay in L1 over its rows.
    const int64_t threads = ThreadPool::instance().threads();
    const int64_t rows_per_task = std::max<int64_t>(1, ceil_div(images * oh, threads * kTasksPerThread));
    const int64_t row_tasks = ceil_div(oh, rows_per_task);
    ThreadPool::instance().run(static_cast<size_t>(images * row_tasks), [&](size_t task) {
      const int64_t image = static_cast<int64_t>(task) / row_tasks, oy0 = static_cast<int64_t>(task) % row_tasks * rows_per_task;
      const float* in = padded[0].data() + image * layout.image_floats;
      const int64_t origin = (b0 + image) * m * out_plane;
      ConvDirectTile t;
      t.taps = taps.data(), t.k = k, t.ldy = out_plane;
      GemmEpilogue ep;
      ep.c_row_stride = 1, ep.residual_ld = out_plane, ep.act = p.act;
      t.ep = &ep;
      for (int64_t mb = 0; mb < blocks; ++mb) {
        t.w = packed + mb * k * mr;
        t.m = static_cast<int>(std::min(mr, m - mb * mr));
        ep.c = bias ? bias + mb * mr : nullptr;
        for (int64_t oy = oy0; oy < std::min(oy0 + rows_per_task, oh); ++oy)
          for (int64_t ox = 0; ox < ow; ox += tile_cols) {
            const int64_t at = origin + mb * mr * out_plane + oy * ow + ox;
            t.x = in + oy * win.stride_h * layout.cols + ox;
            t.y = y + at;
            t.n = static_cast<int>(std::min(tile_cols, ow - ox));
            ep.residual = p.residual ? p.residual + at : nullptr;
            kt.conv_direct_tile(t);
          }
      }
    });
  }
}

}  // namespace verinfer
