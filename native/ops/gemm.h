// fp32 GEMM driver: Y[b] = act(alpha * op(A[b]) op(B[b]) + beta * C[b]), row-major, batched.
#pragma once
#include <cstdint>
#include <vector>

#include "core/aligned_buffer.h"
#include "core/kernel_table.h"

namespace verinfer {

// B (K x N after its transpose) laid out in panels of 32 columns, each K rows of 32 floats,
// zero-padded on the right. The same layout serves every ISA, so packed weights are portable.
struct PackedB {
  int64_t k = 0, n = 0;
  AlignedBuffer<float> panels;
  int64_t panel_stride() const { return k * kPanelWidth; }
};

// Columns of a panel holding `cols` valid ones that the GEMM reads: the main tile's whole panel or,
// for up to half a panel, its left half. The lanes past `cols` are never stored; the packers zero them
// all the same, as stale scratch values (denormals) could cost floating-point assists.
constexpr int64_t panel_columns_read(int64_t cols) { return cols <= kPanelWidth / 2 ? kPanelWidth / 2 : kPanelWidth; }

// Whether a row-major B of N columns can be read in place (SgemmBatch::b_in_place): its panels are
// then whole or a last left half, so the tiles read no column past N.
constexpr bool b_readable_in_place(int64_t n) { return n % (kPanelWidth / 2) == 0; }

// Share of the GEMM's work that lands on real columns when N = n: the tiles read whole panels or a
// last half panel, and a tail tile's column costs its lanes per useful lane (AVX-512: 16 per 12, AVX2:
// 8 per 3) and an eighth more for the transposition (1.5 columns on AVX-512, measured).
double sgemm_column_fill(int64_t n);

// Sizes p.panels for k x n (contents left to the packer, which writes every panel whole).
void allocate_panels(PackedB& p, int64_t k, int64_t n);

// b is K x N (ldb >= N) or, with trans_b, N x K (ldb >= K).
PackedB pack_b(const float* b, int64_t k, int64_t n, int64_t ldb, bool trans_b);
// Packs `count` matrices that lie `batch_stride` floats apart; used by batched GEMM and Conv.
std::vector<PackedB> pack_b_batch(const float* b, int64_t count, int64_t batch_stride, int64_t k, int64_t n,
                                  int64_t ldb, bool trans_b);
// The same into out[0..count), already sized for k x n by allocate_panels.
void pack_b_into(PackedB* out, const float* b, int64_t count, int64_t batch_stride, int64_t k, int64_t n, int64_t ldb,
                 bool trans_b);

// A (M x K, row-major) packed once, over all of K, into micro-panels of this ISA's MR rows:
// panels[(p * k + kk) * mr + r], rows past M zero. A constant A (a Conv's weights) is packed at plan
// time instead of once per call and image; the values, and so every fma, are the same.
struct PackedA {
  int mr = 0;  // the ISA's at packing time: the ISA is chosen once per process
  AlignedBuffer<float> panels;
};

// Where a scratch buffer is cached. A call whose buffers total at most 1 MiB (a task's temporaries)
// keeps them with its thread, warm in that core's caches. Bigger sets are shared by all threads:
// async calls run on whichever libuv worker is free, and with a cache per thread each worker faulted
// in its own copy of every big buffer. Up to 64 MiB stay cached per thread and 128 MiB shared.
enum class ScratchHome { Thread, Shared };
ScratchHome scratch_home(size_t total_floats);

// The smallest cached buffer that holds `floats` (empty if none does), and its return; when over
// budget the smallest buffers go first.
AlignedBuffer<float> take_scratch(ScratchHome home, size_t floats);
void keep_scratch(ScratchHome home, AlignedBuffer<float>&& buffer);

// Floats that a packed B of k x n, or a packed A of m x k in this ISA's MR, takes.
size_t packed_b_floats(int64_t k, int64_t n);
size_t packed_a_floats(int64_t m, int64_t k);

// Buffers for one call's packed operands and temporaries (a runtime B, an im2col matrix), drawn from
// the scratch cache and handed back when the call ends: a fresh multi-MiB buffer costs more in page
// faults (~1.5 us per 4 KiB page in a VM) than packing into it.
template <class Item>
class Scratch {
 public:
  // `count` items whose buffers hold `floats` each; describe(item) then sets the item's own sizes.
  template <class Describe>
  Scratch(int64_t count, size_t floats, Describe describe)
      : home_(scratch_home(static_cast<size_t>(count) * floats)), items_(static_cast<size_t>(count)) {
    for (Item& item : items_) {
      AlignedBuffer<float>& buffer = buffer_of(item);
      buffer = take_scratch(home_, floats);
      buffer.resize(floats);
      describe(item);
    }
  }
  Scratch(int64_t count, size_t floats) : Scratch(count, floats, [](Item&) {}) {}
  ~Scratch() {
    for (Item& item : items_) keep_scratch(home_, std::move(buffer_of(item)));
  }
  Scratch(const Scratch&) = delete;
  Scratch& operator=(const Scratch&) = delete;
  Item* data() { return items_.data(); }
  Item& operator[](size_t i) { return items_[i]; }

 private:
  static AlignedBuffer<float>& buffer_of(AlignedBuffer<float>& b) { return b; }
  template <class Packed>
  static AlignedBuffer<float>& buffer_of(Packed& p) { return p.panels; }
  ScratchHome home_;
  std::vector<Item> items_;
};

// `count` packed B operands of k x n.
class ScratchPanels : public Scratch<PackedB> {
 public:
  ScratchPanels(int64_t count, int64_t k, int64_t n)
      : Scratch(count, packed_b_floats(k, n), [&](PackedB& p) { allocate_panels(p, k, n); }) {}
};

// Columns [j0, j0 + cols) of a row-major K x N matrix (row stride ldb) packed as consecutive B panels
// at dst, on the calling thread, row by row: each row's part is read in one run the hardware prefetcher
// follows, where panel by panel every row would be a stream of its own of two cache lines per panel.
void pack_b_columns(const float* b, int64_t k, int64_t ldb, int64_t j0, int64_t cols, float* dst);

// Packs rows [i0, i0 + rows) x k range [k0, k0 + kc) of op(A) into micro-panels of `mr` rows:
// dst[(panel * kc + k) * mr + r], rows past the end zero-filled.
void pack_a(const float* a, int64_t lda, bool trans_a, int64_t i0, int64_t rows, int64_t k0, int64_t kc, int mr,
            float* dst);

// Sizes p.panels for m x k in this ISA's MR (contents left to the packer).
void allocate_panels(PackedA& p, int64_t m, int64_t k);
// Packs `count` matrices of M x K (row stride K) that lie `batch_stride` floats apart.
std::vector<PackedA> pack_a_batch(const float* a, int64_t count, int64_t batch_stride, int64_t m, int64_t k);
// The same into out[0..count), already sized for m x k by allocate_panels.
void pack_a_into(PackedA* out, const float* a, int64_t count, int64_t batch_stride, int64_t m, int64_t k);
// Packs op(A) of each item (M x K after its transpose, row stride lda as stored) into out[i], already
// sized by allocate_panels: a task per micro-panel and run of k, so even a few rows keep every thread busy.
void pack_a_items(const std::vector<const float*>& a, int64_t lda, bool trans_a, int64_t m, int64_t k, PackedA* out);

struct SgemmBatch {
  int64_t m = 0, n = 0, k = 0;
  bool trans_a = false;
  int64_t lda = 0;                      // row stride of A as stored
  std::vector<const float*> a;          // one per batch item
  std::vector<const PackedA*> a_packed; // or, if not empty, A packed (not transposed), one per item
  int64_t a_packed_row0 = 0;            // with a_packed: its row that is row 0 here (a multiple of its mr)
  std::vector<const PackedB*> b;        // one per batch item (may repeat)
  // Or, if not empty (and b empty), B row-major (K x N, row stride ldb) read in place, one per item,
  // where b_readable_in_place(N).
  std::vector<const float*> b_in_place;
  int64_t ldb = 0;
  std::vector<float*> y;                // one per batch item, must not alias A, B, C or the residual (but see sgemm_residual_in_place)
  int64_t ldy = 0;
  std::vector<const float*> c;          // addend origin per batch item, or empty
  std::vector<const float*> residual;   // second addend (row stride residual_ld) per batch item, or empty
  int64_t residual_ld = 0;
  GemmEpilogue ep;                      // ep.c and ep.residual are ignored; c and residual above are used per item
};

void sgemm(const SgemmBatch& batch);
// Whether Y may be the residual itself in a GEMM of depth k: up to one depth block each output is
// written once, after its chain and just after its residual is read; deeper K keeps partials in Y.
bool sgemm_residual_in_place(int64_t k);
// The same on the calling thread alone: for callers that parallelize around it (a Conv task runs the
// GEMM of the im2col panels it just wrote, while they are in its cache). Same bits as sgemm.
void sgemm_serial(const SgemmBatch& batch);

}  // namespace verinfer
