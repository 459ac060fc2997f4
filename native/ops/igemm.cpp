#include "ops/igemm.h"

#include <algorithm>
#include <cmath>
#include <cstring>

#include "core/dispatch.h"
#include "core/shape.h"
#include "core/thread_pool.h"

namespace verinfer {
namespace {

constexpr int64_t kRowsPerTask = 96;
thread_local AlignedBuffer<uint8_t> t_a_pack;

// A rows [i0, i0 + rows) into micro-panels of mr rows: [(g * mr + r) * 4 + q]; s8 is shifted to u8
// by flipping the sign bit (a + 128), corrected later with 128 * column sums. Padding (rows past the
// end, k past K) is 0: B is zero-padded there too, so it adds nothing.
void pack_a_int8(const void* a, bool a_signed, int64_t lda, int64_t i0, int64_t rows, int64_t k, int64_t kgroups, int mr,
                 uint8_t* dst) {
  const uint8_t* src = static_cast<const uint8_t*>(a);
  const uint32_t flip = a_signed ? 0x80808080u : 0u;
  for (int64_t p = 0; p * mr < rows; ++p) {
    uint8_t* panel = dst + p * kgroups * mr * 4;
    for (int64_t r = 0; r < mr; ++r) {
      uint8_t* out = panel + r * 4;
      const int64_t row = p * mr + r;
      if (row >= rows) {
        for (int64_t g = 0; g < kgroups; ++g) std::memset(out + g * mr * 4, 0, 4);
        continue;
      }
      const uint8_t* in = src + (i0 + row) * lda;
      int64_t g = 0;
      for (; g < k / 4; ++g) {
        uint32_t quad;
        std::memcpy(&quad, in + 4 * g, 4);
        quad ^= flip;
        std::memcpy(out + g * mr * 4, &quad, 4);
      }
      if (g < kgroups) {
        uint8_t tail[4] = {0, 0, 0, 0};
        for (int64_t q = 0; q < k - 4 * g; ++q) tail[q] = static_cast<uint8_t>(in[4 * g + q] ^ (flip & 0xff));
        std::memcpy(out + g * mr * 4, tail, 4);
      }
    }
  }
}

}  // namespace

PackedInt8B pack_b_int8(const int8_t* b, int64_t k, int64_t n, int64_t ldb) {
  PackedInt8B p;
  p.k = k;
  p.n = n;
  p.kgroups = (k + 3) / 4;
  const int64_t panels = ceil_div(n, kPanelWidth);
  p.panels.resize(static_cast<size_t>(std::max<int64_t>(1, panels * p.panel_stride())));
  p.col_sums.assign(static_cast<size_t>(n), 0);
  for (int64_t j = 0; j < n; ++j) {
    int8_t* panel = p.panels.data() + (j / kPanelWidth) * p.panel_stride();
    uint32_t sum = 0;
    for (int64_t kk = 0; kk < k; ++kk) {
      const int8_t v = b[kk * ldb + j];
      panel[(kk / 4) * 128 + (j % kPanelWidth) * 4 + kk % 4] = v;
      sum += static_cast<uint32_t>(static_cast<int32_t>(v));
    }
    p.col_sums[j] = static_cast<int32_t>(sum);
  }
  return p;
}

void igemm(int64_t m, const void* a, bool a_signed, int64_t lda, const PackedInt8B& b, int32_t* y, int64_t ldy) {
  if (m == 0 || b.n == 0) return;
  const KernelTable& kt = kernels();
  const int mr = kt.igemm_mr;
  const int64_t m_tasks = ceil_div(m, kRowsPerTask);
  const int64_t panels = ceil_div(b.n, kPanelWidth);
  // A task packs its rows of A once and sweeps its panels; columns are split only when there are too
  // few row blocks to keep every thread busy (integer sums are exact, so the split never shows).
  const int64_t wanted = 2 * static_cast<int64_t>(ThreadPool::instance().threads());
  const int64_t n_tasks = m_tasks >= wanted ? 1 : std::min(panels, ceil_div(wanted, m_tasks));
  const int64_t panels_per_task = ceil_div(panels, n_tasks);
  ThreadPool::instance().run(m_tasks * n_tasks, [&](size_t task) {
    const int64_t i0 = (static_cast<int64_t>(task) / n_tasks) * kRowsPerTask;
    const int64_t p0 = (static_cast<int64_t>(task) % n_tasks) * panels_per_task;
    const int64_t rows = std::min(kRowsPerTask, m - i0);
    t_a_pack.resize(static_cast<size_t>(ceil_div(rows, mr) * mr * std::max<int64_t>(b.kgroups, 1) * 4));
    pack_a_int8(a, a_signed, lda, i0, rows, b.k, b.kgroups, mr, t_a_pack.data());
    for (int64_t p = p0; p < std::min(panels, p0 + panels_per_task); ++p) {
      const int64_t j0 = p * kPanelWidth;
      const int cols = static_cast<int>(std::min<int64_t>(kPanelWidth, b.n - j0));
      for (int64_t ir = 0; ir < rows; ir += mr) {
        int32_t* out = y + (i0 + ir) * ldy + j0;
        const int valid = static_cast<int>(std::min<int64_t>(mr, rows - ir));
        IgemmTile t{t_a_pack.data() + (ir / mr) * b.kgroups * mr * 4, mr, b.panels.data() + p * b.panel_stride(),
                    b.panel_stride(), b.kgroups, out, ldy, valid, cols};
        kt.igemm_tile(t);
        if (a_signed)
          for (int r = 0; r < valid; ++r)
            for (int j = 0; j < cols; ++j)
              out[r * ldy + j] = static_cast<int32_t>(static_cast<uint32_t>(out[r * ldy + j]) -
                                                      128u * static_cast<uint32_t>(b.col_sums[j0 + j]));
      }
    }
  });
}

void requantize(const int32_t* acc, int64_t rows, int64_t cols, const float* scale, bool per_column, int32_t zero_point,
                bool out_signed, void* out) {
  const float lo = out_signed ? -128.0f : 0.0f, hi = out_signed ? 127.0f : 255.0f;
  parallel_for(static_cast<size_t>(rows), 16, [&](size_t b, size_t e) {
    for (size_t i = b; i < e; ++i)
      for (int64_t j = 0; j < cols; ++j) {
        const float s = per_column ? scale[j] : scale[0];
        // nearbyint rounds half to even under the pinned default MXCSR.
        float v = std::nearbyint(static_cast<float>(acc[i * cols + j]) * s) + static_cast<float>(zero_point);
        v = std::isnan(v) ? static_cast<float>(zero_point) : std::min(std::max(v, lo), hi);
        if (out_signed) static_cast<int8_t*>(out)[i * cols + j] = static_cast<int8_t>(v);
        else static_cast<uint8_t*>(out)[i * cols + j] = static_cast<uint8_t>(v);
      }
  });
}

}  // namespace verinfer
