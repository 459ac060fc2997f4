// Runs every kernel family on buffers that end exactly where a PROT_NONE page begins (MLAS-style), over
// edge shapes around each ISA's vector width and tile sizes, so any read or write past a caller's
// buffer faults at once. Run under each VERINFER_ISA; exit 0 means every case ran clean.
#include <sys/mman.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <utility>
#include <vector>

#include "core/dispatch.h"
#include "core/thread_pool.h"
#include "ops/conv.h"
#include "ops/eltwise.h"
#include "ops/gemm.h"
#include "ops/igemm.h"
#include "ops/layout.h"
#include "ops/normalize.h"

namespace {

using namespace verinfer;

// `count` elements of T placed so the last one ends at a PROT_NONE page.
template <class T>
class Guarded {
 public:
  explicit Guarded(size_t count, T fill = T(1)) {
    const size_t page = static_cast<size_t>(sysconf(_SC_PAGESIZE));
    const size_t bytes = count * sizeof(T);
    size_ = (bytes + page - 1) / page * page + page;
    base_ = static_cast<uint8_t*>(mmap(nullptr, size_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0));
    if (base_ == MAP_FAILED || mprotect(base_ + size_ - page, page, PROT_NONE) != 0) {
      std::perror("guard_page_check: mmap");
      std::exit(2);
    }
    data_ = reinterpret_cast<T*>(base_ + size_ - page - bytes);
    for (size_t i = 0; i < count; ++i) data_[i] = fill;
  }
  ~Guarded() { munmap(base_, size_); }
  Guarded(const Guarded&) = delete;
  Guarded& operator=(const Guarded&) = delete;
  T* get() { return data_; }

 private:
  uint8_t* base_;
  size_t size_;
  T* data_;
};

const int64_t kEdges[] = {1, 2, 3, 7, 8, 12, 13, 15, 16, 17, 31, 32, 33, 63, 65, 129};

int check_gemm() {
  int cases = 0;
  for (int64_t m : {1, 2, 3, 5, 12, 13, 25})
    for (int64_t n : {1, 7, 31, 32, 33, 65, 257})
      for (int64_t k : {1, 3, 17, 200})
        for (bool trans_a : {false, true}) {
          Guarded<float> a(static_cast<size_t>(m * k)), b(static_cast<size_t>(k * n)), c(static_cast<size_t>(m * n));
          Guarded<float> y(static_cast<size_t>(m * n));
          const PackedB packed = pack_b(b.get(), k, n, n, false);
          SgemmBatch g;
          g.m = m, g.n = n, g.k = k, g.trans_a = trans_a, g.lda = trans_a ? m : k, g.ldy = n;
          g.a = {a.get()}, g.b = {&packed}, g.y = {y.get()}, g.c = {c.get()};
          g.ep.c_row_stride = n, g.ep.c_col_stride = 1, g.ep.act.op = UnaryOp::GeluErf;
          sgemm(g);
          Guarded<uint8_t> a8(static_cast<size_t>(m * k), 200);
          Guarded<int8_t> b8(static_cast<size_t>(k * n), -3);
          Guarded<int32_t> y32(static_cast<size_t>(m * n));
          igemm(m, a8.get(), trans_a, k, pack_b_int8(b8.get(), k, n, n), y32.get(), n);
          cases += 2;
        }
  return cases;
}

int check_elementwise() {
  int cases = 0;
  for (int64_t n : kEdges) {
    Guarded<float> x(static_cast<size_t>(n), 0.5f), y(static_cast<size_t>(n));
    for (int op = 0; op < static_cast<int>(UnaryOp::Count); ++op) {
      unary({static_cast<UnaryOp>(op), 0.1f, 0.9f}, x.get(), y.get(), n);
      ++cases;
    }
    for (int64_t rows : {1, 3}) {
      Guarded<float> full(static_cast<size_t>(rows * n)), row(static_cast<size_t>(n)), out(static_cast<size_t>(rows * n));
      Guarded<uint8_t> flags(static_cast<size_t>(rows * n));
      binary(BinaryOp::Add, full.get(), {rows, n}, row.get(), {n}, out.get());
      binary(BinaryOp::Pow, row.get(), {n}, full.get(), {rows, n}, out.get());
      compare(CompareOp::Less, full.get(), {rows, n}, row.get(), {n}, flags.get());
      softmax(full.get(), {rows, n}, 1, false, out.get());
      layer_norm(full.get(), {rows, n}, 1, row.get(), row.get(), 1e-5f, out.get());
      Guarded<float> sums(static_cast<size_t>(rows));
      reduce(ReduceOp::Sum, full.get(), {rows, n}, {1}, sums.get());
      Guarded<float> transposed(static_cast<size_t>(rows * n));
      transpose(sizeof(float), full.get(), {rows, n}, {1, 0}, transposed.get());
      Guarded<uint16_t> halves(static_cast<size_t>(rows * n));
      cast(DType::F32, full.get(), DType::F16, halves.get(), rows * n);
      cases += 8;
    }
  }
  return cases;
}

// Transposes past one 16 x 16 tile, for every element size: the tiled copy's edges.
int check_transpose() {
  int cases = 0;
  const std::vector<std::pair<Shape, std::vector<int64_t>>> views = {
      {{17, 33}, {1, 0}}, {{3, 20, 18}, {2, 0, 1}}, {{2, 18, 3, 17}, {1, 3, 0, 2}}, {{1, 12, 40, 37}, {0, 1, 3, 2}}};
  for (const auto& [shape, perm] : views)
    for (size_t es : {1, 2, 4, 8}) {
      const size_t bytes = es * static_cast<size_t>(numel(shape, "guard"));
      Guarded<uint8_t> in(bytes), out(bytes);
      transpose(es, in.get(), shape, perm, out.get());
      ++cases;
    }
  return cases;
}

int check_conv() {
  int cases = 0;
  // Strides 1-3 (strided tap loads), a dilation, 64 output channels on small maps (the schedule with
  // pixels as GEMM rows), and 16 or more channels at stride 1 on maps of 32 tiles or more (Winograd,
  // pads 0-2 and odd maps: edge tiles past the input and the output); each conv also adds a guarded
  // residual.
  struct Window {
    int64_t stride, dilation, pad;
  };
  for (const Window win : {Window{1, 1, 1}, Window{1, 1, 0}, Window{1, 1, 2}, Window{2, 1, 3}, Window{3, 2, 2}})
    for (int64_t hw : {1, 3, 7, 13, 17, 40})
      for (int64_t channels : {1, 3, 16, 21})
        for (int64_t m : {8, 16, 64}) {
          if (hw + 2 * win.pad < 2 * win.dilation + 1) continue;  // the window does not fit
          const Shape xs{1, channels, hw, hw}, ws{m, channels, 3, 3};
          ConvParams p;
          p.window.kh = p.window.kw = 3;
          p.window.stride_h = p.window.stride_w = win.stride;
          p.window.dilation_h = p.window.dilation_w = win.dilation;
          p.window.pad_top = p.window.pad_left = p.window.pad_bottom = p.window.pad_right = win.pad;
          const Shape ys = conv2d_shape(xs, ws, p);
          Guarded<float> x(static_cast<size_t>(numel(xs, "x"))), w(static_cast<size_t>(numel(ws, "w"))), bias(static_cast<size_t>(m));
          Guarded<float> y(static_cast<size_t>(numel(ys, "y"))), skip(static_cast<size_t>(numel(ys, "skip")));
          p.residual = skip.get();
          p.act.op = UnaryOp::Relu;
          conv2d(x.get(), xs, w.get(), ws, bias.get(), p, y.get());
          const Shape ps = pool2d_shape(xs, p.window);
          Guarded<float> pooled(static_cast<size_t>(numel(ps, "pooled")));
          pool2d(PoolKind::Max, x.get(), xs, p.window, false, pooled.get());
          cases += 2;
        }
  // Pointwise convs over several column blocks: their input rows packed as they stand (a ragged last
  // panel, or bottom and right pads) or read in place (maps of whole panels, or a last half panel that
  // ends at the input's end); one thread, so that the batch makes enough column blocks for that
  // schedule on any machine.
  const int threads = ThreadPool::instance().threads();
  ThreadPool::instance().set_threads(1);
  for (int64_t hw : {28, 33, 40})
    for (int64_t channels : {256, 300})
      for (int64_t pad : {0, 1}) {
        const Shape xs{2, channels, hw, hw}, ws{16, channels, 1, 1};
        ConvParams p;
        p.window.pad_bottom = p.window.pad_right = pad;
        const Shape ys = conv2d_shape(xs, ws, p);
        Guarded<float> x(static_cast<size_t>(numel(xs, "x"))), w(static_cast<size_t>(numel(ws, "w")));
        Guarded<float> y(static_cast<size_t>(numel(ys, "y")));
        conv2d(x.get(), xs, w.get(), ws, nullptr, p, y.get());
        ++cases;
      }
  // One image's map read in place by a single GEMM (too few column blocks), on the wide tile for two
  // output channels.
  for (int64_t hw : {28, 40})
    for (int64_t m : {2, 16}) {
      const Shape xs{1, 64, hw, hw}, ws{m, 64, 1, 1};
      const Shape ys = conv2d_shape(xs, ws, ConvParams{});
      Guarded<float> x(static_cast<size_t>(numel(xs, "x"))), w(static_cast<size_t>(numel(ws, "w")));
      Guarded<float> y(static_cast<size_t>(numel(ys, "y")));
      conv2d(x.get(), xs, w.get(), ws, nullptr, ConvParams{}, y.get());
      ++cases;
    }
  ThreadPool::instance().set_threads(threads);
  // Direct convs (up to 4 input channels): whole-vector tap reads run past a row's last pixel into the
  // padded copy, never the caller's buffers; ragged blocks of output channels, strides 1-4, odd pads.
  for (int64_t width : {1, 2, 5, 33, 50})
    for (int64_t stride : {1, 2, 4})
      for (int64_t m : {5, 13}) {
        const Shape xs{2, 3, 9, width}, ws{m, 3, 3, 3};
        ConvParams p;
        p.window.kh = p.window.kw = 3;
        p.window.stride_h = p.window.stride_w = stride;
        p.window.pad_top = p.window.pad_left = 1, p.window.pad_right = 2;
        const Shape ys = conv2d_shape(xs, ws, p);
        Guarded<float> x(static_cast<size_t>(numel(xs, "x"))), w(static_cast<size_t>(numel(ws, "w"))), bias(static_cast<size_t>(m));
        Guarded<float> y(static_cast<size_t>(numel(ys, "y"))), skip(static_cast<size_t>(numel(ys, "skip")));
        p.residual = skip.get();
        conv2d(x.get(), xs, w.get(), ws, bias.get(), p, y.get());
        ++cases;
      }
  // Max pooling with one-sided pads wider than the output row (padded taps that reach no output).
  for (int64_t w_in : {1, 2, 5})
    for (int64_t pad : {1, 2, 3}) {
      if (w_in + pad < 3) continue;  // the window does not fit
      const Shape xs{3, 2, 2, w_in};
      Window2d win;
      win.kw = 3;
      win.pad_left = pad;
      const Shape ps = pool2d_shape(xs, win);
      Guarded<float> x(static_cast<size_t>(numel(xs, "x"))), pooled(static_cast<size_t>(numel(ps, "pooled")));
      pool2d(PoolKind::Max, x.get(), xs, win, false, pooled.get());
      ++cases;
    }
  // Winograd convs on maps one or two columns wide (a tile row holds one tile, half empty at width 1),
  // and F(4x4, 3x3) on batches of maps whose tiles do not fill whole panels: panels span images, and
  // the last is ragged.
  const Shape narrow_and_batched[] = {{2, 16, 64, 1}, {2, 16, 67, 1}, {2, 16, 64, 2}, {2, 16, 67, 2}, {3, 16, 17, 18}, {5, 16, 16, 16}};
  for (const Shape& xs : narrow_and_batched) {
    const Shape ws{16, 16, 3, 3};
    ConvParams p;
    p.window.kh = p.window.kw = 3;
    p.window.pad_top = p.window.pad_left = p.window.pad_bottom = p.window.pad_right = 1;
    const Shape ys = conv2d_shape(xs, ws, p);
    Guarded<float> x(static_cast<size_t>(numel(xs, "x"))), w(static_cast<size_t>(numel(ws, "w")));
    Guarded<float> y(static_cast<size_t>(numel(ys, "y"))), skip(static_cast<size_t>(numel(ys, "skip")));
    p.residual = skip.get();
    conv2d(x.get(), xs, w.get(), ws, nullptr, p, y.get());
    ++cases;
  }
  // 2x2/2 max pooling, whose inner runs load a pair of columns per tap row: even and odd widths, pads.
  for (int64_t w_in : {2, 3, 17, 32, 33})
    for (int64_t pad : {0, 1}) {
      const Shape xs{2, 3, 5, w_in};
      Window2d win;
      win.kh = win.kw = win.stride_h = win.stride_w = 2;
      win.pad_left = win.pad_top = pad;
      const Shape ps = pool2d_shape(xs, win);
      Guarded<float> x(static_cast<size_t>(numel(xs, "x"))), pooled(static_cast<size_t>(numel(ps, "pooled")));
      pool2d(PoolKind::Max, x.get(), xs, win, false, pooled.get());
      ++cases;
    }
  return cases;
}

}  // namespace

int main() {
  const int cases = check_gemm() + check_elementwise() + check_transpose() + check_conv();
  std::printf("guard_page_check: %s, %d cases, no access past any buffer\n", verinfer::isa_name(verinfer::active_isa()).c_str(), cases);
  return 0;
}
