// int8 GEMM: u8 x s8 or s8 x s8 -> s32, exact (wrapping modulo 2^32 like the hardware), and
// requantisation to int8/uint8 defined to the bit.
#pragma once
#include <cstdint>
#include <vector>

#include "core/aligned_buffer.h"

namespace verinfer {

// B (K x N, row-major, s8) in 32-column panels of K/4 groups of 4 (zero-padded), plus column
// sums for the s8 x s8 correction.
struct PackedInt8B {
  int64_t k = 0, n = 0, kgroups = 0;
  AlignedBuffer<int8_t> panels;
  std::vector<int32_t> col_sums;
  int64_t panel_stride() const { return kgroups * 128; }
};

PackedInt8B pack_b_int8(const int8_t* b, int64_t k, int64_t n, int64_t ldb);

// y[i, j] = sum_k a[i, k] * b[k, j] in int32 (modulo 2^32).
void igemm(int64_t m, const void* a, bool a_signed, int64_t lda, const PackedInt8B& b, int32_t* y, int64_t ldy);

// out = saturate(round_half_even(float(acc) * scale) + zero_point), scale per column or scalar.
void requantize(const int32_t* acc, int64_t rows, int64_t cols, const float* scale, bool per_column, int32_t zero_point,
                bool out_signed, void* out);

}  // namespace verinfer
