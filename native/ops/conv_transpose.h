// 2-D transposed convolution (ONNX ConvTranspose), NCHW, with groups, strides, dilations, pads and an
// output size. Each output element sums its contributions in one fixed order (input channel, then
// kernel row, then kernel column) and rows run in parallel, so results do not depend on threads. The
// loop is plain C++ built for the baseline ISA: the same instructions on every machine.
#pragma once
#include "core/shape.h"
#include "ops/conv.h"

namespace verinfer {

struct ConvTransposeParams {
  Window2d window;      // kernel, strides, dilations; pad_top/pad_left are the leading pads
  int64_t groups = 1;
  int64_t out_h = 0, out_w = 0;
};

// Checks x [N, C, H, W] and w [C, M/groups, kH, kW]; returns y's shape [N, M, out_h, out_w].
Shape conv_transpose2d_shape(const Shape& x, const Shape& w, const ConvTransposeParams& p);

void conv_transpose2d(const float* x, const Shape& x_shape, const float* w, const Shape& w_shape, const float* bias,
                      const ConvTransposeParams& p, float* y);

}  // namespace verinfer
