// The per-ISA kernel entry points. One table per ISA is filled at load (dispatch.cpp); callers never
// branch on the ISA, so every path runs the same drivers and differs only in these leaves.
#pragma once
#include <cstddef>
#include <cstdint>

namespace verinfer {

enum class UnaryOp : int32_t {
  Identity, Relu, LeakyRelu, Sigmoid, Tanh, Exp, Log, Sqrt, Erf, GeluErf, GeluTanh, Abs, Neg, Clip,
  HardSigmoid, Softplus, Floor, Ceil, Round, Sin, Cos, Atan, Count
};
struct UnaryParams {
  UnaryOp op = UnaryOp::Identity;
  float alpha = 0.0f;  // LeakyRelu slope, Clip min, HardSigmoid alpha
  float beta = 0.0f;   // Clip max, HardSigmoid beta
};

enum class BinaryOp : int32_t { Add, Sub, Mul, Div, Pow, Max, Min, Count };
enum class CompareOp : int32_t { Equal, Less, LessOrEqual, Greater, GreaterOrEqual, Count };
enum class ReduceOp : int32_t { Sum, Mean, Max, Min, Prod, L2, SumSquare, Count };

// Operand of a broadcasting row: stride 0 repeats one element, stride 1 walks a contiguous row.
struct RowOperand {
  const float* data;
  int64_t stride;
};

// Addends and activation applied once per output after the last K block (docs/determinism.md):
// y = act((alpha * acc + beta * C[i, j]) + R[i, j]), each operation rounded in that order.
struct GemmEpilogue {
  float alpha = 1.0f;
  float beta = 1.0f;
  const float* c = nullptr;  // addend at the tile origin, or null
  int64_t c_row_stride = 0;  // 0 broadcasts one row to every row
  int64_t c_col_stride = 0;  // 0 (one value per row) or 1
  const float* residual = nullptr;  // R at the tile origin (a skip connection), or null
  int64_t residual_ld = 0;
  UnaryParams act;

  // The same epilogue for the tile `rows` rows down and `cols` columns right.
  GemmEpilogue at(int64_t rows, int64_t cols) const {
    GemmEpilogue moved = *this;
    if (c) moved.c = c + rows * c_row_stride + cols * c_col_stride;
    if (residual) moved.residual = residual + rows * residual_ld + cols;
    return moved;
  }
};

// One micro-tile: rows [0, m) x columns [0, n) of C, k steps [k0, k0 + kc) of the chain.
struct SgemmTile {
  const float* a;        // packed A: a[k * a_stride + r]
  int64_t a_stride;
  // B at this k block: b[p * b_panel_stride + k * b_row_stride + j % 32], p = j / 32. Packed panels
  // have a row stride of 32; a row-major B read in place has a panel stride of 32.
  const float* b;
  int64_t b_panel_stride, b_row_stride;
  int64_t kc;
  float* c;
  int64_t ldc;
  int m, n;
  bool first, last;  // first: the chain starts from +0; otherwise it resumes from the partials in c
  const GemmEpilogue* ep;
};

// The last columns of a GEMM block, fewer than a vector's lanes, over rows [0, m) of its A micro-panels:
// the tail tile runs them with vector lanes along M, one lane per row of a micro-panel's k step.
struct SgemmTail {
  const float* a;  // micro-panel p at a + p * a_panel_stride, its k step at + k * mr
  int64_t a_panel_stride;
  const float* b;  // column j's k step at b[k * b_row_stride + j]
  int64_t b_row_stride;
  int64_t kc;
  float* c;
  int64_t ldc;
  int m, n;
  bool first, last;  // as SgemmTile's
  const GemmEpilogue* ep;  // at row 0, column 0 of the tail
};

// int8: A packed as a[(k / 4) * a_stride * 4 + r * 4 + k % 4] (u8 or s8 shifted to u8),
// B as b[p * b_panel_stride + (k / 4) * 128 + (j % 32) * 4 + k % 4] (s8).
struct IgemmTile {
  const uint8_t* a;
  int64_t a_stride;
  const int8_t* b;
  int64_t b_panel_stride;
  int64_t kgroups;
  int32_t* c;
  int64_t ldc;
  int m, n;
};

constexpr int kPanelWidth = 32;  // columns per packed B panel, for every ISA

// A direct conv tile: output channels [0, m) x pixels [0, n) of one output row, n <= the table's
// conv_direct_cols. Output pixel j's tap k is read at x[taps[k] + j]; the weights are packed as
// w[k * conv_direct_rows + r] (zeros past m). The epilogue's c is the bias at channel 0 (c_row_stride 1).
struct ConvDirectTile {
  const float* w;
  const float* x;
  const int64_t* taps;
  int64_t k;
  float* y;  // channel r's pixels at y + r * ldy
  int64_t ldy;
  int m, n;
  const GemmEpilogue* ep;
};

// A 2-D window sweep (Conv, pooling) over the H x W planes of an NCHW tensor.
struct Window2d {
  int64_t kh = 1, kw = 1;
  int64_t stride_h = 1, stride_w = 1;
  int64_t pad_top = 0, pad_left = 0, pad_bottom = 0, pad_right = 0;
  int64_t dilation_h = 1, dilation_w = 1;
  bool ceil_mode = false;
};

// Input and output plane sizes of a window sweep.
struct PlaneSizes {
  int64_t h, w, oh, ow;
};

// One Winograd scheme's transforms (core/winograd.h, kernels/winograd.inl), alpha^2 elements per tile:
// the weight transforms of `pairs` 3x3 kernels, element xi of pair q to u[xi * xi_stride + q]; the
// input transforms of `channels` planes for tiles [pix0, pix0 + valid) of a tile grid (sizes.oh x
// sizes.ow), element xi written as columns [column, column + valid) of the 32-wide panel dst[xi]; and
// the output transforms of tiles [first, first + count) of `channels` channels, element xi of channel
// o at m + (o * alpha^2 + xi) * xi_stride, with the epilogue (a bias value per channel, residual
// planes, activation) into the output planes (sizes.h x sizes.w each).
struct WinogradKernels {
  void (*weight_transform)(const float* w, int64_t pairs, float* u, int64_t xi_stride);
  void (*input_panel)(const float* planes, int64_t channels, const PlaneSizes& tiles, const Window2d& win, int64_t pix0,
                      int64_t valid, int64_t column, float* const* dst);
  void (*output_tiles)(const float* m, int64_t channels, int64_t xi_stride, const PlaneSizes& tiles, int64_t first,
                       int64_t count, const float* bias, const float* residual, const UnaryParams& act, float* y);
};

struct KernelTable {
  const char* isa;
  int sgemm_mr;         // rows of the main micro-tile
  int sgemm_nr;         // columns of the main micro-tile (a multiple of the vector width)
  int sgemm_wide_rows;  // M at or below this uses the wide tile
  int sgemm_nr_wide;    // columns per wide tile (reads several panels at once)
  void (*sgemm_tile)(const SgemmTile&);
  void (*sgemm_tile_half)(const SgemmTile&);  // the main tile's rows over its left half: up to sgemm_nr / 2 columns
  void (*sgemm_tile_wide)(const SgemmTile&);
  // The tail tile runs a block's last n % sgemm_tail_lanes columns where they are at most sgemm_tail_max.
  int sgemm_tail_lanes, sgemm_tail_max;
  void (*sgemm_tail)(const SgemmTail&);  // null where a vector is one float: there is no tail
  int igemm_mr;
  void (*igemm_tile)(const IgemmTile&);
  int conv_direct_rows;  // output channels per direct conv tile
  int conv_direct_cols;  // output pixels per direct conv tile (whole vectors)
  void (*conv_direct_tile)(const ConvDirectTile&);

  void (*unary)(const UnaryParams&, const float* x, float* y, size_t n);
  void (*binary)(BinaryOp, RowOperand a, RowOperand b, float* y, size_t n);
  void (*compare)(CompareOp, RowOperand a, RowOperand b, uint8_t* y, size_t n);
  void (*reduce_rows)(ReduceOp, const float* x, size_t rows, size_t len, float* y);
  void (*softmax_rows)(const float* x, float* y, size_t rows, size_t len, bool log);
  void (*layernorm_rows)(const float* x, const float* gamma, const float* beta, float eps, float* y, size_t rows,
                         size_t len);
  // y = (x - mean) * scale + shift over one contiguous run (BatchNormalization, per channel).
  void (*affine)(const float* x, float mean, float scale, float shift, float* y, size_t n);
  // Conv's im2col matrix for `channels` planes, written straight into one packed panel: rows of
  // `width` floats (kPanelWidth for a B panel, MR for an A micro-panel) for output pixels
  // [pix0, pix0 + valid), zeros for padding and past the last pixel. valid <= width <= kPanelWidth.
  void (*im2col_panel)(const float* planes, int64_t channels, const PlaneSizes& sizes, const Window2d& win,
                       int64_t pix0, int64_t valid, int64_t width, float* dst);
  // Max pooling of `planes` consecutive planes.
  void (*max_pool_planes)(const float* x, float* y, size_t planes, const PlaneSizes& sizes, const Window2d& win);
  // Winograd conv (core/winograd.h), F(2x2, 3x3) and F(4x4, 3x3).
  WinogradKernels winograd_f2, winograd_f4;
};

enum class Isa : int32_t { Scalar, Avx2, Avx512 };

void fill_kernels_scalar(KernelTable* t);
void fill_kernels_avx2(KernelTable* t);
void fill_kernels_avx512(KernelTable* t);
// Replaces the int8 tile with the VNNI one; only called when the CPU has AVX-512 VNNI.
void fill_kernels_avx512_vnni(KernelTable* t);

// Shared scalar definition of Pow (IEEE double intermediate, one final rounding) used by every path.
float pow_f32(float x, float y);

}  // namespace verinfer
