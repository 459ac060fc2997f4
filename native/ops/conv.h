// 2-D convolution and pooling on NCHW tensors.
#pragma once
#include <cstdint>
#include <vector>

#include "core/kernel_table.h"
#include "core/shape.h"

namespace verinfer {

// Output spatial size of a window sweep; throws naming the window if it is invalid or empty.
void window_output(const Window2d& w, int64_t h, int64_t wd, int64_t* oh, int64_t* ow, const char* op);

struct PackedA;
struct PackedB;

struct ConvParams {
  Window2d window;
  int64_t groups = 1;
  UnaryParams act;  // fused activation (Identity for none)
  // w packed once per group, or null to pack per call: as A (pack_a_batch), or transposed as B
  // (pack_b_batch, trans_b) for ConvSchedule::PixelRows.
  const PackedA* packed_weights = nullptr;
  const PackedB* packed_weights_t = nullptr;
  // For ConvSchedule::Winograd: the alpha^2 transformed weight matrices (winograd_weights) and their
  // count, checked against the conv's scheme; or null to transform per call.
  const PackedA* winograd_weights = nullptr;
  int64_t winograd_weight_count = 0;
  // Added to the output after the bias and before the activation (a ResNet block's skip connection),
  // shaped like the output; or null. It may be the output itself (the planner writes a ResNet block's
  // output over its skip when the conv is the skip's last reader).
  const float* residual = nullptr;
};

// x [N, C, H, W], w [M, C/groups, KH, KW], bias [M] or null -> y [N, M, OH, OW]: y = act((conv + bias) + residual).
Shape conv2d_shape(const Shape& x, const Shape& w, const ConvParams& p);
// How a conv runs, chosen from its attributes and per-sample shapes alone (never the batch size or
// the thread count), in this order:
// - Winograd F(2x2, 3x3) or F(4x4, 3x3) (ops/conv_winograd.h): a 3x3 stride-1 undilated conv of one group with
//   enough channels on both sides that its transforms cost less than the products they save;
// - Direct, without im2col (ops/conv_direct.h): one group, no dilation, 1 to kDirectMaxChannels input
//   channels, where im2col would write far more floats than the input holds, and a stride no wider
//   than the kernel (the padded copy holds a plane per column phase of the stride);
// - PixelRows, output pixels as GEMM rows (Y^T = im2col^T W^T): where a map's pixels fill the GEMM's
//   columns worse than its output channels do by enough to pay for the transposition (maps of a few
//   pixels, such as 3x3, in deep layers; sgemm_column_fill, which depends on the ISA's tiles: the
//   schedules give every output the same chain, so only the speed does);
// - Im2col, the weights as the GEMM's A and the im2col matrix as its B.
enum class ConvSchedule { Winograd, Direct, PixelRows, Im2col };
ConvSchedule conv_schedule(const Shape& x, const Shape& w, const ConvParams& p);
// Such a conv's weights w [M, C, 3, 3] transformed for tiles of winograd_tile (ops/conv_winograd.h),
// U = G g G^T: element xi of every (output, input) channel pair as an M x C matrix packed as A, for xi
// in [0, alpha^2).
std::vector<PackedA> winograd_weights(const float* w, int64_t m, int64_t c, int64_t tile);
// y must not overlap x: a pointwise conv reads x in place while it writes y.
void conv2d(const float* x, const Shape& xs, const float* w, const Shape& ws, const float* bias, const ConvParams& p, float* y);

enum class PoolKind : int32_t { Max, Average };
Shape pool2d_shape(const Shape& x, const Window2d& w);
void pool2d(PoolKind kind, const float* x, const Shape& xs, const Window2d& w, bool count_include_pad, float* y);
// Global pooling over H x W (any spatial rank): [N, C, ...] -> [N, C, 1, ...].
void global_pool(PoolKind kind, const float* x, const Shape& xs, float* y);

}  // namespace verinfer
