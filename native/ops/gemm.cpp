#include "ops/gemm.h"

#include <algorithm>
#include <cstring>
#include <mutex>
#include <stdexcept>

#include <xmmintrin.h>

#include "core/dispatch.h"
#include "core/shape.h"
#include "core/thread_pool.h"

namespace verinfer {
namespace {

// Blocking, tuned on Zen 4: L2 streams A and B micro-panels to the micro-kernel as fast as it
// consumes them, and what costs is the round trip of C's partials between k blocks (KC 192 ran at
// 0.87x of KC 2048). So K is split only past 2048, and an A block (8 micro-panels x KC) stays in L2.
// KC blocks run in order and the fp32 partials in Y are exact, so blocking does not change a single
// bit (docs/determinism.md).
constexpr int64_t kKc = 2048;
constexpr int64_t kNc = 4096;
constexpr int64_t kMcMicroPanels = 8;
// Chains up to kShortChain long, with a B block (at most 1 MiB) that L2 holds, run the tiles of a block
// row by row (run_block): each row of C is then one store stream.
constexpr int64_t kShortChain = 128;
constexpr int64_t kShortChainBlockFloats = int64_t{256} << 10;

void pack_panel(const float* b, int64_t k, int64_t n, int64_t ldb, bool trans_b, int64_t p, float* dst) {
  const int64_t j0 = p * kPanelWidth;
  const int64_t cols = std::min<int64_t>(kPanelWidth, n - j0);
  for (int64_t kk = 0; kk < k; ++kk) {
    float* row = dst + kk * kPanelWidth;
    if (!trans_b) {
      std::memcpy(row, b + kk * ldb + j0, cols * sizeof(float));
    } else {
      for (int64_t j = 0; j < cols; ++j) row[j] = b[(j0 + j) * ldb + kk];
    }
    for (int64_t j = cols; j < kPanelWidth; ++j) row[j] = 0.0f;
  }
}

// Four rows of a row-major A, columns [0, kc), into four lanes of a micro-panel (dst[k * mr + lane]):
// 4 x 4 blocks transposed in SSE registers, which every x86-64 CPU has, instead of one strided
// element at a time.
void pack_four_rows(const float* a, int64_t lda, int64_t kc, int mr, float* dst) {
  int64_t k = 0;
  for (; k + 4 <= kc; k += 4) {
    __m128 r0 = _mm_loadu_ps(a + k), r1 = _mm_loadu_ps(a + lda + k), r2 = _mm_loadu_ps(a + 2 * lda + k),
           r3 = _mm_loadu_ps(a + 3 * lda + k);
    _MM_TRANSPOSE4_PS(r0, r1, r2, r3);
    _mm_storeu_ps(dst + k * mr, r0);
    _mm_storeu_ps(dst + (k + 1) * mr, r1);
    _mm_storeu_ps(dst + (k + 2) * mr, r2);
    _mm_storeu_ps(dst + (k + 3) * mr, r3);
  }
  for (; k < kc; ++k)
    for (int r = 0; r < 4; ++r) dst[k * mr + r] = a[r * lda + k];
}

thread_local AlignedBuffer<float> t_a_pack;

GemmEpilogue epilogue_at(const SgemmBatch& g, size_t item, int64_t i0, int64_t j0) {
  GemmEpilogue ep = g.ep;
  ep.c = g.c.empty() ? nullptr : g.c[item];
  ep.residual = g.residual.empty() ? nullptr : g.residual[item];
  ep.residual_ld = g.residual_ld;
  return ep.at(i0, j0);
}

// The main tile for `cols` columns of a panel, or its left half where there are no more: a ragged last
// panel (a Winograd batch's 16 tiles) then costs half the work. Its chains are the same, so its bits are.
decltype(KernelTable::sgemm_tile) panel_tile(const KernelTable& kt, int64_t cols) {
  return panel_columns_read(cols) < kPanelWidth ? kt.sgemm_tile_half : kt.sgemm_tile;
}

// Where an item's B columns [j0, ...) start at k = 0, and the strides of its panels and rows.
struct BPanels {
  const float* b;
  int64_t panel_stride, row_stride;

  BPanels(const SgemmBatch& g, size_t item, int64_t j0) {
    if (!g.b_in_place.empty()) {
      b = g.b_in_place[item] + j0, panel_stride = kPanelWidth, row_stride = g.ldb;
      return;
    }
    const PackedB& packed = *g.b[item];
    b = packed.panels.data() + (j0 / kPanelWidth) * packed.panel_stride(), panel_stride = packed.panel_stride(), row_stride = kPanelWidth;
  }
};

// Small M: one wide column tile [j0, j0 + nr) of one item; the whole K chain runs in one pass. A ragged
// last tile runs panel by panel on the main tile (or its half), so no tile reads past the last panel.
void run_wide_tile(const SgemmBatch& g, const KernelTable& kt, size_t item, int64_t j0) {
  const int64_t nr = kt.sgemm_nr_wide;
  const int mr = static_cast<int>(g.m);
  const float* a = nullptr;
  int64_t a_stride = mr;
  if (g.a_packed.empty() && mr == 1 && !g.trans_a) {
    a = g.a[item];  // one row of A is already in the packed layout
  } else if (g.a_packed.empty()) {
    t_a_pack.resize(static_cast<size_t>(std::max<int64_t>(g.k, 1) * mr));
    pack_a(g.a[item], g.lda, g.trans_a, 0, g.m, 0, g.k, mr, t_a_pack.data());
    a = t_a_pack.data();
  } else {
    a_stride = g.a_packed[item]->mr;
    a = g.a_packed[item]->panels.data() + g.a_packed_row0 * g.k;
  }
  const bool whole = j0 + nr <= g.n;
  const int64_t step = whole ? nr : kPanelWidth;
  for (int64_t j = j0; j < std::min(j0 + nr, g.n); j += step) {
    const GemmEpilogue ep = epilogue_at(g, item, 0, j);
    const int64_t cols = std::min(step, g.n - j);
    const BPanels b(g, item, j);
    SgemmTile t{a, a_stride, b.b, b.panel_stride, b.row_stride, g.k, g.y[item] + j, g.ldy, mr, static_cast<int>(cols), true, true, &ep};
    (whole ? kt.sgemm_tile_wide : panel_tile(kt, cols))(t);
  }
}

void sgemm_small_m(const SgemmBatch& g, const KernelTable& kt) {
  const int64_t tiles = ceil_div(g.n, kt.sgemm_nr_wide);
  ThreadPool::instance().run(g.a.size() * tiles, [&](size_t task) {
    run_wide_tile(g, kt, task / tiles, static_cast<int64_t>(task % tiles) * kt.sgemm_nr_wide);
  });
}

// Column block width: kNc, narrowed while there are too few blocks to keep every thread busy (skinny M).
// Column blocking never changes an element's accumulation order, so results do not depend on it.
int64_t column_block(const SgemmBatch& g, int64_t m_blocks) {
  const auto wanted = static_cast<int64_t>(2 * ThreadPool::instance().threads());
  int64_t nc = kNc;
  while (nc > kPanelWidth && static_cast<int64_t>(g.a.size()) * m_blocks * ceil_div(g.n, nc) < wanted) nc /= 2;
  return nc;
}

// Columns at the end of a block that the tail tile runs (SgemmTail): those past its last whole vector,
// when few enough that lanes along M waste less than a vector along N would.
int64_t tail_columns(const KernelTable& kt, int64_t cols) {
  const int64_t past_whole_vectors = cols % kt.sgemm_tail_lanes;
  return past_whole_vectors <= kt.sgemm_tail_max ? past_whole_vectors : 0;
}

// One block of C, rows [i0, i0 + rows) x columns [j0, j0 + cols) of one item, every k block in order.
void run_block(const SgemmBatch& g, const KernelTable& kt, size_t item, int64_t i0, int64_t rows, int64_t j0, int64_t cols) {
  const int mr = kt.sgemm_mr;
  const int64_t k_blocks = std::max<int64_t>(1, ceil_div(g.k, kKc));
  const BPanels b(g, item, j0);
  const PackedA* packed_a = g.a_packed.empty() ? nullptr : g.a_packed[item];
  if (packed_a && packed_a->mr != mr) throw std::logic_error("sgemm: A was packed for another ISA's tile height");
  if (!packed_a) t_a_pack.resize(static_cast<size_t>(ceil_div(rows, mr) * mr * kKc));
  const int64_t whole_cols = cols - tail_columns(kt, cols);  // the tiles' columns; the tail tile's follow
  for (int64_t kb = 0; kb < k_blocks; ++kb) {
    const int64_t k0 = kb * kKc, kc = std::min(kKc, g.k - k0);
    // Micro-panel p of this block starts at a_block + p * a_panel_stride.
    const float* a_block = packed_a ? packed_a->panels.data() + ((g.a_packed_row0 + i0) / mr) * g.k * mr + k0 * mr : t_a_pack.data();
    const int64_t a_panel_stride = (packed_a ? g.k : kc) * mr;
    if (!packed_a) pack_a(g.a[item], g.lda, g.trans_a, i0, rows, k0, kc, mr, t_a_pack.data());
    const auto tile = [&](int64_t ir, int64_t jr) {
      const GemmEpilogue ep = epilogue_at(g, item, i0 + ir, j0 + jr);
      const int64_t panel_cols = std::min<int64_t>(kPanelWidth, whole_cols - jr);
      SgemmTile t{a_block + (ir / mr) * a_panel_stride,
                  mr,
                  b.b + (jr / kPanelWidth) * b.panel_stride + k0 * b.row_stride,
                  b.panel_stride,
                  b.row_stride,
                  kc,
                  g.y[item] + (i0 + ir) * g.ldy + j0 + jr,
                  g.ldy,
                  static_cast<int>(std::min<int64_t>(mr, rows - ir)),
                  static_cast<int>(panel_cols),
                  kb == 0,
                  kb == k_blocks - 1,
                  &ep};
      panel_tile(kt, panel_cols)(t);
    };
    // A short chain does few FMAs per output, and C's traffic then costs most: its tiles run row by
    // row, so each row of C is written (and a residual read) as one stream, with the B block in L2.
    // Longer chains keep one B panel in L1 across the block's row tiles.
    if (kc <= kShortChain && cols * kc <= kShortChainBlockFloats) {
      for (int64_t ir = 0; ir < rows; ir += mr)
        for (int64_t jr = 0; jr < whole_cols; jr += kPanelWidth) tile(ir, jr);
    } else {
      for (int64_t jr = 0; jr < whole_cols; jr += kPanelWidth)
        for (int64_t ir = 0; ir < rows; ir += mr) tile(ir, jr);
    }
    if (whole_cols < cols) {
      const GemmEpilogue ep = epilogue_at(g, item, i0, j0 + whole_cols);
      const SgemmTail tail{a_block,
                           a_panel_stride,
                           b.b + (whole_cols / kPanelWidth) * b.panel_stride + whole_cols % kPanelWidth + k0 * b.row_stride,
                           b.row_stride,
                           kc,
                           g.y[item] + i0 * g.ldy + j0 + whole_cols,
                           g.ldy,
                           static_cast<int>(rows),
                           static_cast<int>(cols - whole_cols),
                           kb == 0,
                           kb == k_blocks - 1,
                           &ep};
      kt.sgemm_tail(tail);
    }
  }
}

int64_t row_block(const KernelTable& kt) { return kt.sgemm_mr * kMcMicroPanels; }

void sgemm_blocked(const SgemmBatch& g, const KernelTable& kt);

// With one row block (skinny M), every column block would pack the same rows of A again: pack A once
// (pack_a_items) and run the blocks on the packed copy. Packing moves values, so the bits are the same.
void sgemm_blocked_packing_a(const SgemmBatch& g, const KernelTable& kt) {
  Scratch<PackedA> packed(static_cast<int64_t>(g.a.size()), packed_a_floats(g.m, g.k), [&](PackedA& a) { allocate_panels(a, g.m, g.k); });
  pack_a_items(g.a, g.lda, g.trans_a, g.m, g.k, packed.data());
  SgemmBatch on_packed = g;
  for (size_t item = 0; item < g.a.size(); ++item) on_packed.a_packed.push_back(&packed[item]);
  sgemm_blocked(on_packed, kt);
}

// Row blocks: of up to kMcMicroPanels micro-panels, or thinner where even single-panel column blocks
// leave a thread idle (a narrow N, such as a 10-way classifier's). Rows never change a chain either.
int64_t row_blocks(const SgemmBatch& g, const KernelTable& kt) {
  const int64_t blocks = ceil_div(g.m, row_block(kt));
  const int64_t panel_columns = static_cast<int64_t>(g.a.size()) * ceil_div(g.n, kPanelWidth);
  const int64_t threads = ThreadPool::instance().threads();
  if (blocks * panel_columns >= threads) return blocks;
  return std::min(ceil_div(g.m, kt.sgemm_mr), ceil_div(threads, panel_columns));
}

// Few tasks split evenly over the threads: row blocks are added (while each keeps a micro-panel)
// until the tasks are a multiple of the threads. ResNet's 256->1024 conv on a 14x14 map made 11 row
// blocks, and one of two threads did 6 of them while the other waited for the last. A single row
// block stays one (its A is then packed once for every column block).
int64_t balanced_row_blocks(const SgemmBatch& g, const KernelTable& kt, int64_t m_blocks, int64_t n_blocks) {
  const auto threads = static_cast<int64_t>(ThreadPool::instance().threads()), items = static_cast<int64_t>(g.a.size());
  if (m_blocks == 1 || items * m_blocks * n_blocks >= 8 * threads) return m_blocks;
  for (int64_t more = m_blocks; more <= ceil_div(g.m, kt.sgemm_mr); ++more)
    if (items * more * n_blocks % threads == 0) return more;
  return m_blocks;
}

void sgemm_blocked(const SgemmBatch& g, const KernelTable& kt) {
  const int64_t row_blocks_wanted = row_blocks(g, kt);
  const int64_t n_blocks = ceil_div(g.n, column_block(g, row_blocks_wanted));
  const int64_t m_blocks = balanced_row_blocks(g, kt, row_blocks_wanted, n_blocks);
  if (g.a_packed.empty() && m_blocks == 1 && n_blocks > 1) return sgemm_blocked_packing_a(g, kt);
  ThreadPool::instance().run(g.a.size() * m_blocks * n_blocks, [&](size_t task) {
    const size_t item = task / (m_blocks * n_blocks);
    const int64_t rest = static_cast<int64_t>(task % (m_blocks * n_blocks));
    const Span rows = even_span(g.m, m_blocks, kt.sgemm_mr, rest / n_blocks);
    const Span cols = even_span(g.n, n_blocks, kPanelWidth, rest % n_blocks);
    run_block(g, kt, item, rows.begin, rows.size, cols.begin, cols.size);
  });
}

}  // namespace

void pack_a(const float* a, int64_t lda, bool trans_a, int64_t i0, int64_t rows, int64_t k0, int64_t kc, int mr,
            float* dst) {
  for (int64_t p = 0; p * mr < rows; ++p) {
    float* panel = dst + p * kc * mr;
    const int64_t first = i0 + p * mr, valid = std::min<int64_t>(mr, rows - p * mr);
    if (trans_a) {
      for (int64_t k = 0; k < kc; ++k) std::memcpy(panel + k * mr, a + (k0 + k) * lda + first, valid * sizeof(float));
    } else {
      const float* src = a + first * lda + k0;
      int64_t r = 0;
      for (; r + 4 <= valid; r += 4) pack_four_rows(src + r * lda, lda, kc, mr, panel + r);
      for (; r < valid; ++r)
        for (int64_t k = 0; k < kc; ++k) panel[k * mr + r] = src[r * lda + k];
    }
    if (valid < mr)
      for (int64_t k = 0; k < kc; ++k) std::fill(panel + k * mr + valid, panel + (k + 1) * mr, 0.0f);
  }
}

size_t packed_b_floats(int64_t k, int64_t n) {
  return static_cast<size_t>(ceil_div(n, kPanelWidth) * std::max<int64_t>(k, 1) * kPanelWidth);
}

void allocate_panels(PackedB& p, int64_t k, int64_t n) {
  p.k = k;
  p.n = n;
  p.panels.resize(packed_b_floats(k, n));
}

PackedB pack_b(const float* b, int64_t k, int64_t n, int64_t ldb, bool trans_b) {
  return std::move(pack_b_batch(b, 1, 0, k, n, ldb, trans_b)[0]);
}

std::vector<PackedB> pack_b_batch(const float* b, int64_t count, int64_t batch_stride, int64_t k, int64_t n,
                                  int64_t ldb, bool trans_b) {
  std::vector<PackedB> out(count);
  for (auto& p : out) allocate_panels(p, k, n);
  pack_b_into(out.data(), b, count, batch_stride, k, n, ldb, trans_b);
  return out;
}

void pack_b_into(PackedB* out, const float* b, int64_t count, int64_t batch_stride, int64_t k, int64_t n, int64_t ldb,
                 bool trans_b) {
  const int64_t panels = ceil_div(n, kPanelWidth);
  ThreadPool::instance().run(count * panels, [&](size_t task) {
    const int64_t item = static_cast<int64_t>(task) / panels, p = static_cast<int64_t>(task) % panels;
    pack_panel(b + item * batch_stride, k, n, ldb, trans_b, p, out[item].panels.data() + p * k * kPanelWidth);
  });
}

void pack_b_columns(const float* b, int64_t k, int64_t ldb, int64_t j0, int64_t cols, float* dst) {
  const int64_t panels = ceil_div(cols, kPanelWidth);
  for (int64_t kk = 0; kk < k; ++kk)
    for (int64_t q = 0; q < panels; ++q) {
      const int64_t valid = std::min<int64_t>(kPanelWidth, cols - q * kPanelWidth);
      float* row = dst + (q * k + kk) * kPanelWidth;
      std::memcpy(row, b + kk * ldb + j0 + q * kPanelWidth, valid * sizeof(float));
      std::fill(row + valid, row + kPanelWidth, 0.0f);
    }
}

size_t packed_a_floats(int64_t m, int64_t k) {
  const int64_t mr = kernels().sgemm_mr;
  return static_cast<size_t>(ceil_div(m, mr) * mr * std::max<int64_t>(k, 1));
}

void allocate_panels(PackedA& p, int64_t m, int64_t k) {
  p.mr = kernels().sgemm_mr;
  p.panels.resize(packed_a_floats(m, k));
}

std::vector<PackedA> pack_a_batch(const float* a, int64_t count, int64_t batch_stride, int64_t m, int64_t k) {
  std::vector<PackedA> out(static_cast<size_t>(count));
  for (PackedA& p : out) allocate_panels(p, m, k);
  pack_a_into(out.data(), a, count, batch_stride, m, k);
  return out;
}

void pack_a_items(const std::vector<const float*>& a, int64_t lda, bool trans_a, int64_t m, int64_t k, PackedA* out) {
  constexpr int64_t kPackRun = 512;
  const int mr = kernels().sgemm_mr;
  const int64_t panels = ceil_div(m, mr), runs = ceil_div(k, kPackRun), per_item = panels * runs;
  ThreadPool::instance().run(a.size() * per_item, [&](size_t task) {
    const size_t item = task / per_item;
    const int64_t p = static_cast<int64_t>(task % per_item) / runs, k0 = static_cast<int64_t>(task % per_item) % runs * kPackRun;
    pack_a(a[item], lda, trans_a, p * mr, std::min<int64_t>(mr, m - p * mr), k0, std::min(kPackRun, k - k0), mr,
           out[item].panels.data() + (p * k + k0) * mr);
  });
}

void pack_a_into(PackedA* out, const float* a, int64_t count, int64_t batch_stride, int64_t m, int64_t k) {
  std::vector<const float*> items;
  for (int64_t i = 0; i < count; ++i) items.push_back(a + i * batch_stride);
  pack_a_items(items, k, false, m, k, out);
}

namespace {

// A list of free buffers, ascending in size, that holds at most `budget` bytes (the smallest go first).
class ScratchList {
 public:
  explicit ScratchList(size_t budget) : budget_(budget) {}

  AlignedBuffer<float> take(size_t floats) {
    const auto fit = first_holding(floats);
    if (fit == buffers_.end()) return {};
    AlignedBuffer<float> buffer = std::move(*fit);
    buffers_.erase(fit);
    kept_bytes_ -= bytes_of(buffer);
    return buffer;
  }

  void keep(AlignedBuffer<float>&& buffer) {
    if (buffer.size() == 0 || bytes_of(buffer) > budget_) return;
    kept_bytes_ += bytes_of(buffer);
    const auto at = first_holding(buffer.size());
    buffers_.insert(at, std::move(buffer));
    while (kept_bytes_ > budget_) {
      kept_bytes_ -= bytes_of(buffers_.front());
      buffers_.erase(buffers_.begin());
    }
  }

 private:
  static size_t bytes_of(const AlignedBuffer<float>& b) { return b.size() * sizeof(float); }
  std::vector<AlignedBuffer<float>>::iterator first_holding(size_t floats) {
    return std::lower_bound(buffers_.begin(), buffers_.end(), floats, [](const AlignedBuffer<float>& b, size_t f) { return b.size() < f; });
  }
  std::vector<AlignedBuffer<float>> buffers_;
  size_t kept_bytes_ = 0;
  size_t budget_;
};

ScratchList& thread_scratch() {
  thread_local ScratchList list(size_t{64} << 20);
  return list;
}

std::mutex g_shared_scratch_mutex;

ScratchList& shared_scratch() {
  static ScratchList* list = new ScratchList(size_t{128} << 20);  // never destroyed: calls may still end during exit
  return *list;
}

}  // namespace

ScratchHome scratch_home(size_t total_floats) {
  constexpr size_t kThreadScratchFloats = (size_t{1} << 20) / sizeof(float);
  return total_floats <= kThreadScratchFloats ? ScratchHome::Thread : ScratchHome::Shared;
}

AlignedBuffer<float> take_scratch(ScratchHome home, size_t floats) {
  if (home == ScratchHome::Thread) return thread_scratch().take(floats);
  std::lock_guard<std::mutex> lock(g_shared_scratch_mutex);
  return shared_scratch().take(floats);
}

void keep_scratch(ScratchHome home, AlignedBuffer<float>&& buffer) {
  if (home == ScratchHome::Thread) return thread_scratch().keep(std::move(buffer));
  std::lock_guard<std::mutex> lock(g_shared_scratch_mutex);
  shared_scratch().keep(std::move(buffer));
}

namespace {

// A batch's rows of a packed A start at one of its micro-panels; an unpacked A has no such offset. A B
// read in place has whole panels or a last half panel, and the tiles read no further.
void check_operands(const SgemmBatch& g, const KernelTable& kt) {
  if (g.a_packed_row0 != 0 && (g.a_packed.empty() || g.a_packed_row0 % kt.sgemm_mr != 0))
    throw std::logic_error("sgemm: a_packed_row0 " + std::to_string(g.a_packed_row0) + " needs a packed A and a multiple of " +
                           std::to_string(kt.sgemm_mr));
  const bool packed_b = g.b_in_place.empty();
  if ((packed_b ? g.b.size() : g.b_in_place.size()) != g.a.size() || (!packed_b && !g.b.empty()))
    throw std::logic_error("sgemm: one B per item, either packed or read in place");
  if (!packed_b && (!b_readable_in_place(g.n) || g.ldb < g.n))
    throw std::logic_error("sgemm: a B read in place needs N a multiple of " + std::to_string(kPanelWidth / 2) +
                           " and a row stride of at least N, got N " + std::to_string(g.n) + ", stride " + std::to_string(g.ldb));
}

}  // namespace

void sgemm(const SgemmBatch& g) {
  if (g.m == 0 || g.n == 0 || g.a.empty()) return;
  const KernelTable& kt = kernels();
  check_operands(g, kt);
  if (g.m <= kt.sgemm_wide_rows) sgemm_small_m(g, kt);
  else sgemm_blocked(g, kt);
}

bool sgemm_residual_in_place(int64_t k) { return k <= kKc; }

double sgemm_column_fill(int64_t n) {
  if (n <= 0) return 1.0;
  const KernelTable& kt = kernels();
  const int64_t tail = tail_columns(kt, n), whole = n - tail;
  const int64_t last = whole % kPanelWidth;
  const int64_t read = whole - last + (last == 0 ? 0 : panel_columns_read(last));
  const double tail_cost = 1.125 * kt.sgemm_tail_lanes / kt.sgemm_mr;  // lanes per useful lane, and the transposition
  return static_cast<double>(n) / (static_cast<double>(read) + tail_cost * static_cast<double>(tail));
}

void sgemm_serial(const SgemmBatch& g) {
  if (g.m == 0 || g.n == 0) return;
  const KernelTable& kt = kernels();
  check_operands(g, kt);
  const int64_t mc = row_block(kt);
  for (size_t item = 0; item < g.a.size(); ++item) {
    if (g.m <= kt.sgemm_wide_rows) {
      for (int64_t j0 = 0; j0 < g.n; j0 += kt.sgemm_nr_wide) run_wide_tile(g, kt, item, j0);
      continue;
    }
    for (int64_t i0 = 0; i0 < g.m; i0 += mc) run_block(g, kt, item, i0, std::min(mc, g.m - i0), 0, g.n);
  }
}

}  // namespace verinfer
