// 2-D convolution and pooling on NCHW tensors.
#pragma once
#include <cstdint>

#include "core/kernel_table.h"
#include "core/shape.h"

namespace verinfer {

// Output spatial size of a window sweep; throws naming the window if it is invalid or empty.
void window_output(const Window2d& w, int64_t h, int64_t wd, int64_t* oh, int64_t* ow, const char* op);

struct PackedA;

struct ConvParams {
  Window2d window;
  int64_t groups = 1;
  UnaryParams act;  // fused activation (Identity for none)
  const PackedA* packed_weights = nullptr;  // w packed once per group (pack_a_batch), or null to pack per call
};

// x [N, C, H, W], w [M, C/groups, KH, KW], bias [M] or null -> y [N, M, OH, OW].
Shape conv2d_shape(const Shape& x, const Shape& w, const ConvParams& p);
void conv2d(const float* x, const Shape& xs, const float* w, const Shape& ws, const float* bias, const ConvParams& p, float* y);

enum class PoolKind : int32_t { Max, Average };
Shape pool2d_shape(const Shape& x, const Window2d& w);
void pool2d(PoolKind kind, const float* x, const Shape& xs, const Window2d& w, bool count_include_pad, float* y);
// Global pooling over H x W (any spatial rank): [N, C, ...] -> [N, C, 1, ...].
void global_pool(PoolKind kind, const float* x, const Shape& xs, float* y);

}  // namespace verinfer
