#include "ops/conv.h"

#include <algorithm>
#include <cmath>
#include <string>

#include "core/dispatch.h"
#include "core/thread_pool.h"
#include "ops/conv_direct.h"
#include "ops/conv_winograd.h"
#include "ops/gemm.h"

namespace verinfer {
namespace {

std::string dims(int64_t a, int64_t b) { return std::to_string(a) + "x" + std::to_string(b); }

}  // namespace

void window_output(const Window2d& w, int64_t h, int64_t wd, int64_t* oh, int64_t* ow, const char* op) {
  const std::string name(op);
  if (w.kh < 1 || w.kw < 1) throw std::invalid_argument(name + ": kernel must be at least 1x1, got " + dims(w.kh, w.kw));
  if (w.stride_h < 1 || w.stride_w < 1) throw std::invalid_argument(name + ": strides must be >= 1, got " + dims(w.stride_h, w.stride_w));
  if (w.dilation_h < 1 || w.dilation_w < 1)
    throw std::invalid_argument(name + ": dilations must be >= 1, got " + dims(w.dilation_h, w.dilation_w));
  if (w.pad_top < 0 || w.pad_left < 0 || w.pad_bottom < 0 || w.pad_right < 0)
    throw std::invalid_argument(name + ": pads must be >= 0");
  if (w.kh > (int64_t{1} << 20) || w.kw > (int64_t{1} << 20) || w.dilation_h > (int64_t{1} << 20) ||
      w.dilation_w > (int64_t{1} << 20) || w.pad_top > (int64_t{1} << 30) || w.pad_bottom > (int64_t{1} << 30) ||
      w.pad_left > (int64_t{1} << 30) || w.pad_right > (int64_t{1} << 30))
    throw std::invalid_argument(name + ": kernel, dilation or pad is implausibly large");
  auto one = [&](int64_t in, int64_t k, int64_t s, int64_t d, int64_t p0, int64_t p1) {
    const int64_t span = (k - 1) * d + 1, padded = in + p0 + p1;
    if (padded < span) return int64_t{-1};
    int64_t out = (padded - span) / s + 1;
    if (w.ceil_mode) {
      out = (padded - span + s - 1) / s + 1;
      if ((out - 1) * s >= in + p0) --out;  // the last window must start inside the input or left pad
    }
    return out;
  };
  *oh = one(h, w.kh, w.stride_h, w.dilation_h, w.pad_top, w.pad_bottom);
  *ow = one(wd, w.kw, w.stride_w, w.dilation_w, w.pad_left, w.pad_right);
  if (*oh < 0 || *ow < 0)
    throw std::invalid_argument(name + ": window " + dims(w.kh, w.kw) + " does not fit the padded input " + dims(h, wd));
}

Shape conv2d_shape(const Shape& x, const Shape& w, const ConvParams& p) {
  if (x.size() != 4) throw std::invalid_argument("conv2d: input must be [N, C, H, W], got " + shape_str(x));
  if (w.size() != 4) throw std::invalid_argument("conv2d: weight must be [M, C/groups, KH, KW], got " + shape_str(w));
  if (p.groups < 1 || x[1] % p.groups != 0 || w[0] % p.groups != 0)
    throw std::invalid_argument("conv2d: groups " + std::to_string(p.groups) + " must divide input channels " +
                                std::to_string(x[1]) + " and output channels " + std::to_string(w[0]));
  if (w[1] != x[1] / p.groups)
    throw std::invalid_argument("conv2d: weight has " + std::to_string(w[1]) + " input channels per group, expected " +
                                std::to_string(x[1] / p.groups));
  if (w[2] != p.window.kh || w[3] != p.window.kw)
    throw std::invalid_argument("conv2d: kernel_shape " + dims(p.window.kh, p.window.kw) + " does not match weight " + shape_str(w));
  int64_t oh, ow;
  window_output(p.window, x[2], x[3], &oh, &ow, "conv2d");
  Shape out{x[0], w[0], oh, ow};
  numel(out, "conv2d output");
  return out;
}

namespace {

// One conv call's geometry, shared by its schedules.
struct ConvJob {
  ConvJob(const float* input, const Shape& xs, const float* weights, const Shape& ws, const float* bias_or_null,
          const ConvParams& params, float* output, const Shape& ys)
      : x(input), w(weights), bias(bias_or_null), y(output), p(params), sizes{xs[2], xs[3], ys[2], ys[3]}, n(xs[0]),
        c(xs[1]), m(ws[0]), groups(params.groups), cg(c / groups), mg(m / groups),
        k(cg * params.window.kh * params.window.kw), pixels(ys[2] * ys[3]), panels(ceil_div(pixels, kPanelWidth)) {}

  const float* x;
  const float* w;
  const float* bias;
  float* y;
  const ConvParams& p;
  PlaneSizes sizes;
  int64_t n, c, m, groups, cg, mg, k, pixels, panels;

  // Writes image b, group gi's im2col matrix for output pixels [first, first + width) to dst, as a
  // panel of rows `width` floats wide.
  void im2col(int64_t b, int64_t gi, int64_t first, int64_t width, float* dst) const {
    kernels().im2col_panel(x + (b * c + gi * cg) * sizes.h * sizes.w, cg, sizes, p.window, first,
                           std::min(width, pixels - first), width, dst);
  }
  // The same for B panel pi (output pixels pi * 32 ...).
  void im2col(int64_t b, int64_t gi, int64_t pi, float* dst) const { im2col(b, gi, pi * kPanelWidth, kPanelWidth, dst); }
  // A pointwise conv's im2col matrix is its input: channel rows of `pixels` floats.
  bool pointwise() const {
    const Window2d& win = p.window;
    return win.kh == 1 && win.kw == 1 && win.stride_h == 1 && win.stride_w == 1 && win.pad_top == 0 && win.pad_left == 0 &&
           win.pad_bottom == 0 && win.pad_right == 0;
  }
  // Whether the GEMM reads that input as its B in place, unpacked: its rows then need whole panels or
  // a last half panel (gemm.h). Packing had cost 15% of a 256 -> 64 conv on 56 x 56.
  bool input_in_place() const { return pointwise() && b_readable_in_place(pixels); }
  // The same for `count` consecutive B panels from panel `first`, laid one after another.
  void im2col_panels(int64_t b, int64_t gi, int64_t first, int64_t count, float* dst) const {
    if (!pointwise()) {
      for (int64_t q = 0; q < count; ++q) im2col(b, gi, first + q, dst + q * k * kPanelWidth);
      return;
    }
    const int64_t j0 = first * kPanelWidth;
    pack_b_columns(x + (b * c + gi * cg) * pixels, cg, pixels, j0, std::min(count * kPanelWidth, pixels - j0), dst);
  }
  // A GEMM of mg x cols x k with this conv's epilogue (bias per row, then the activation).
  SgemmBatch gemm(int64_t cols) const {
    SgemmBatch gb;
    gb.m = mg, gb.n = cols, gb.k = k, gb.lda = k, gb.ldb = pixels, gb.ldy = pixels, gb.residual_ld = pixels;
    gb.ep.act = p.act;
    if (bias) gb.ep.c_row_stride = 1, gb.ep.c_col_stride = 0;
    return gb;
  }
  // Adds image b, group gi's GEMM over output columns [j0, ...), its B packed in `cols` or, if null,
  // the input read in place.
  void add_item(SgemmBatch& gb, int64_t b, int64_t gi, const PackedB* cols, int64_t j0) const {
    gb.a.push_back(w + gi * mg * k);
    if (p.packed_weights) gb.a_packed.push_back(p.packed_weights + gi);
    if (cols) gb.b.push_back(cols);
    else gb.b_in_place.push_back(x + (b * c + gi * cg) * pixels + j0);
    gb.y.push_back(y + (b * m + gi * mg) * pixels + j0);
    if (bias) gb.c.push_back(bias + gi * mg);
    if (p.residual) gb.residual.push_back(p.residual + (b * m + gi * mg) * pixels + j0);
  }
};

// Many column blocks: each task writes one block's im2col panels (none where the GEMM reads the input
// in place) and runs their GEMM at once, on the thread whose cache holds them. A block's panels stay
// under kBlockBytes, beside the A stream.
// An image's blocks are as many as a multiple of the threads, of near-equal size (8 blocks of 12
// panels and one of 2 had kept one of two threads waiting).
bool conv_by_column_blocks(const ConvJob& job) {
  constexpr int64_t kBlockBytes = int64_t{384} << 10;
  const int64_t threads = ThreadPool::instance().threads();
  const int64_t panel_bytes = job.k * kPanelWidth * static_cast<int64_t>(sizeof(float));
  const int64_t widest = std::clamp<int64_t>(kBlockBytes / std::max<int64_t>(panel_bytes, 1), 1, job.panels);
  const int64_t blocks = std::min(job.panels, ceil_div(ceil_div(job.panels, widest), threads) * threads);
  const int64_t per_image = job.groups * blocks;
  // Too few tasks to balance (or the small-M tile's shapes): the other schedule splits rows too.
  if (job.mg <= kernels().sgemm_wide_rows || job.n * per_image < 4 * threads) return false;
  const bool in_place = job.input_in_place();
  ThreadPool::instance().run(job.n * per_image, [&](size_t task) {
    const int64_t b = static_cast<int64_t>(task) / per_image, rest = static_cast<int64_t>(task) % per_image;
    const int64_t gi = rest / blocks, part = rest % blocks;
    const int64_t first = part * job.panels / blocks, count = (part + 1) * job.panels / blocks - first, j0 = first * kPanelWidth;
    const int64_t cols = std::min(count * kPanelWidth, job.pixels - j0);
    ScratchPanels block(in_place ? 0 : 1, job.k, cols);
    if (!in_place) job.im2col_panels(b, gi, first, count, block[0].panels.data());
    SgemmBatch gb = job.gemm(cols);
    job.add_item(gb, b, gi, in_place ? nullptr : block.data(), j0);
    sgemm_serial(gb);
  });
  return true;
}

// Few column blocks (small images, deep layers): im2col for a chunk of images, then one batched GEMM
// that also splits rows. A chunk's panels stay under kChunkBytes (one image at least); an input read
// in place needs none, and its batch is one chunk.
void conv_by_images(const ConvJob& job) {
  constexpr int64_t kChunkBytes = int64_t{16} << 20;
  const bool in_place = job.input_in_place();
  const int64_t image_bytes = job.groups * job.panels * job.k * kPanelWidth * static_cast<int64_t>(sizeof(float));
  const int64_t chunk = in_place ? job.n : std::clamp<int64_t>(kChunkBytes / std::max<int64_t>(image_bytes, 1), 1, job.n);
  ScratchPanels cols(in_place ? 0 : chunk * job.groups, job.k, job.pixels);
  for (int64_t b0 = 0; b0 < job.n; b0 += chunk) {
    const int64_t images = std::min(chunk, job.n - b0), per_image = job.groups * job.panels;
    ThreadPool::instance().run(in_place ? 0 : images * per_image, [&](size_t task) {
      const int64_t image = static_cast<int64_t>(task) / per_image, rest = static_cast<int64_t>(task) % per_image;
      const int64_t gi = rest / job.panels, pi = rest % job.panels;
      job.im2col(b0 + image, gi, pi, cols[image * job.groups + gi].panels.data() + pi * job.k * kPanelWidth);
    });
    SgemmBatch gb = job.gemm(job.pixels);
    for (int64_t image = 0; image < images; ++image)
      for (int64_t gi = 0; gi < job.groups; ++gi) job.add_item(gb, b0 + image, gi, in_place ? nullptr : &cols[image * job.groups + gi], 0);
    sgemm(gb);
  }
}

// Output pixels as GEMM rows, Y^T = im2col^T W^T: each image's im2col is written as A micro-panels
// of MR pixels, the weights are B (packed at plan time when constant), and Y^T is transposed into
// place. The epilogue adds the bias per column instead of per row: the same operations. A residual
// is added, and then the activation applied, as Y^T is transposed.
void conv_by_pixel_rows(const ConvJob& job) {
  const int64_t mr = kernels().sgemm_mr, blocks = ceil_div(job.pixels, mr);
  const bool prepacked = job.p.packed_weights_t != nullptr;
  ScratchPanels own_weights(prepacked ? 0 : job.groups, job.k, job.mg);
  if (!prepacked) pack_b_into(own_weights.data(), job.w, job.groups, job.mg * job.k, job.k, job.mg, job.k, true);
  const PackedB* weights = prepacked ? job.p.packed_weights_t : own_weights.data();
  constexpr int64_t kChunkBytes = int64_t{16} << 20;
  const int64_t image_bytes = job.groups * (blocks * mr * job.k + job.pixels * job.mg) * static_cast<int64_t>(sizeof(float));
  const int64_t chunk = std::clamp<int64_t>(kChunkBytes / std::max<int64_t>(image_bytes, 1), 1, job.n);
  Scratch<PackedA> cols(chunk * job.groups, packed_a_floats(job.pixels, job.k), [&](PackedA& a) { allocate_panels(a, job.pixels, job.k); });
  Scratch<AlignedBuffer<float>> transposed(chunk * job.groups, static_cast<size_t>(job.pixels * job.mg));
  for (int64_t b0 = 0; b0 < job.n; b0 += chunk) {
    const int64_t items = std::min(chunk, job.n - b0) * job.groups;  // (image, group) pairs
    ThreadPool::instance().run(items * blocks, [&](size_t task) {
      const int64_t item = static_cast<int64_t>(task) / blocks, block = static_cast<int64_t>(task) % blocks;
      job.im2col(b0 + item / job.groups, item % job.groups, block * mr, mr, cols[item].panels.data() + block * job.k * mr);
    });
    SgemmBatch gb;
    gb.m = job.pixels, gb.n = job.mg, gb.k = job.k, gb.ldy = job.mg;
    if (!job.p.residual) gb.ep.act = job.p.act;
    if (job.bias) gb.ep.c_row_stride = 0, gb.ep.c_col_stride = 1;
    for (int64_t item = 0; item < items; ++item) {
      const int64_t gi = item % job.groups;
      gb.a.push_back(nullptr);  // A comes packed
      gb.a_packed.push_back(&cols[item]);
      gb.b.push_back(weights + gi);
      gb.y.push_back(transposed[item].data());
      if (job.bias) gb.c.push_back(job.bias + gi * job.mg);
    }
    sgemm(gb);
    // Transposed in 16 x 16 tiles: whole rows of Y^T are 2-8 KiB apart, so a column walk would
    // keep hitting the same few cache sets.
    constexpr int64_t kTile = 16;
    const int64_t strips = ceil_div(job.mg, kTile);
    ThreadPool::instance().run(items * strips, [&](size_t task) {
      const int64_t item = static_cast<int64_t>(task) / strips, c0 = static_cast<int64_t>(task) % strips * kTile;
      const int64_t c1 = std::min(c0 + kTile, job.mg);
      const float* from = transposed[item].data();
      const int64_t origin = ((b0 + item / job.groups) * job.m + item % job.groups * job.mg + c0) * job.pixels;
      float* const out = job.y + origin;
      // With a residual, which may be the output itself, the strip is transposed aside and then added.
      Scratch<AlignedBuffer<float>> strip(job.p.residual ? 1 : 0, static_cast<size_t>((c1 - c0) * job.pixels));
      float* const to = job.p.residual ? strip[0].data() : out;
      for (int64_t p0 = 0; p0 < job.pixels; p0 += kTile) {
        const int64_t p1 = std::min(p0 + kTile, job.pixels);
        for (int64_t co = c0; co < c1; ++co)
          for (int64_t px = p0; px < p1; ++px) to[(co - c0) * job.pixels + px] = from[px * job.mg + co];
      }
      if (!job.p.residual) return;
      const auto n = static_cast<size_t>((c1 - c0) * job.pixels);
      kernels().binary(BinaryOp::Add, {to, 1}, {job.p.residual + origin, 1}, out, n);
      if (job.p.act.op != UnaryOp::Identity) kernels().unary(job.p.act, out, out, n);
    });
  }
}

// Pixels as rows writes Y^T and transposes it, a cost per output that a longer k amortizes; it pays
// where the GEMM wastes less of its work on the channels as columns than on the pixels (measured on
// ResNet-50's layers and small maps: when the fill gain beats ~64 / k).
bool pixel_rows_pay(int64_t channels_per_group, int64_t pixels, int64_t k) {
  return sgemm_column_fill(channels_per_group) / sgemm_column_fill(pixels) > 1.0 + 64.0 / static_cast<double>(k);
}

// conv_schedule for a conv whose output shape ys is already known.
ConvSchedule schedule_of(const Shape& xs, const Shape& ws, const Shape& ys, const ConvParams& p) {
  if (conv_winograd(xs, ys, p)) return ConvSchedule::Winograd;
  if (conv_direct(xs, p)) return ConvSchedule::Direct;
  if (pixel_rows_pay(ys[1] / p.groups, ys[2] * ys[3], ws[1] * ws[2] * ws[3])) return ConvSchedule::PixelRows;
  return ConvSchedule::Im2col;
}

}  // namespace

ConvSchedule conv_schedule(const Shape& xs, const Shape& ws, const ConvParams& p) {
  return schedule_of(xs, ws, conv2d_shape(xs, ws, p), p);
}

// Each output is one fma chain over k = (c, kh, kw) in that order; padded taps take part as zeros
// (so fma(w, 0, acc) is applied, as im2col would do). The im2col matrix is packed straight into
// GEMM panels: as B with the weights as A (a per-row bias), or, with pixels as rows, as A with the
// weights as B (a per-column bias); or, direct, read from a padded copy of the input. All four
// schedules give every output the same chain.
void conv2d(const float* x, const Shape& xs, const float* w, const Shape& ws, const float* bias, const ConvParams& params, float* y) {
  const Shape ys = conv2d_shape(xs, ws, params);
  const int64_t outputs = numel(ys, "conv2d output");
  if (outputs == 0) return;
  const ConvSchedule schedule = schedule_of(xs, ws, ys, params);
  // A residual that is the output itself: every schedule reads each residual value before it writes
  // that output, except a GEMM deep enough to keep partials in Y, which takes a copy.
  const bool safe_in_place = schedule != ConvSchedule::Im2col || sgemm_residual_in_place(ws[1] * ws[2] * ws[3]);
  ConvParams p = params;
  const bool copy = p.residual == y && !safe_in_place;
  Scratch<AlignedBuffer<float>> skip(copy ? 1 : 0, static_cast<size_t>(outputs));
  if (copy) {
    std::copy_n(params.residual, outputs, skip[0].data());
    p.residual = skip[0].data();
  }
  switch (schedule) {
    case ConvSchedule::Winograd: return conv2d_winograd(x, xs, w, bias, p, ys, y);
    case ConvSchedule::Direct: return conv2d_direct(x, xs, w, bias, p, ys, y);
    case ConvSchedule::PixelRows: return conv_by_pixel_rows(ConvJob(x, xs, w, ws, bias, p, y, ys));
    case ConvSchedule::Im2col: {
      const ConvJob job(x, xs, w, ws, bias, p, y, ys);
      if (!conv_by_column_blocks(job)) conv_by_images(job);
      return;
    }
  }
}

Shape pool2d_shape(const Shape& x, const Window2d& w) {
  if (x.size() != 4) throw std::invalid_argument("pool2d: input must be [N, C, H, W], got " + shape_str(x));
  int64_t oh, ow;
  window_output(w, x[2], x[3], &oh, &ow, "pool2d");
  Shape out{x[0], x[1], oh, ow};
  numel(out, "pool2d output");
  return out;
}

// One output = one window walked in (kh, kw) order: max from -inf (the ISA kernels' max_pool_planes);
// average as a sequential sum from -0 divided by the count (pads included or not).
namespace {

void average_pool_plane(const float* src, float* dst, int64_t h, int64_t wd, int64_t oh, int64_t ow, const Window2d& w,
                        bool count_include_pad) {
  for (int64_t oy = 0; oy < oh; ++oy)
    for (int64_t ox = 0; ox < ow; ++ox) {
      const int64_t y0 = oy * w.stride_h - w.pad_top, x0 = ox * w.stride_w - w.pad_left;
      float acc = -0.0f;  // the identity of IEEE addition
      int64_t valid = 0, padded = 0;
      for (int64_t r = 0; r < w.kh; ++r) {
        const int64_t iy = y0 + r * w.dilation_h;
        for (int64_t s = 0; s < w.kw; ++s) {
          const int64_t ix = x0 + s * w.dilation_w;
          // Taps beyond the explicit pads (ceil_mode overhang) are not counted even with pads.
          if (iy < h + w.pad_bottom && ix < wd + w.pad_right) ++padded;
          if (iy < 0 || iy >= h || ix < 0 || ix >= wd) continue;
          acc = acc + src[iy * wd + ix];
          ++valid;
        }
      }
      dst[oy * ow + ox] = acc / static_cast<float>(count_include_pad ? padded : valid);
    }
}

}  // namespace

void pool2d(PoolKind kind, const float* x, const Shape& xs, const Window2d& w, bool count_include_pad, float* y) {
  const Shape ys = pool2d_shape(xs, w);
  const int64_t planes = xs[0] * xs[1], h = xs[2], wd = xs[3], oh = ys[2], ow = ys[3];
  const PlaneSizes sizes{h, wd, oh, ow};
  parallel_for(static_cast<size_t>(planes), 1, [&](size_t b, size_t e) {
    if (kind == PoolKind::Max) return kernels().max_pool_planes(x + b * h * wd, y + b * oh * ow, e - b, sizes, w);
    for (size_t pl = b; pl < e; ++pl) average_pool_plane(x + pl * h * wd, y + pl * oh * ow, h, wd, oh, ow, w, count_include_pad);
  });
}

void global_pool(PoolKind kind, const float* x, const Shape& xs, float* y) {
  if (xs.size() < 3) throw std::invalid_argument("global_pool: input must be [N, C, spatial...], got " + shape_str(xs));
  const int64_t rows = xs[0] * xs[1], total = numel(xs, "global_pool input");
  if (rows == 0) return;
  const int64_t len = total / rows;
  const KernelTable& kt = kernels();
  const ReduceOp op = kind == PoolKind::Max ? ReduceOp::Max : ReduceOp::Mean;
  parallel_for(static_cast<size_t>(rows), std::max<int64_t>(1, 16384 / std::max<int64_t>(len, 1)),
               [&](size_t b, size_t e) { kt.reduce_rows(op, x + b * len, e - b, static_cast<size_t>(len), y + b); });
}

}  // namespace verinfer
