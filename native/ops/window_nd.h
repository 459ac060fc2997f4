// Convolution and pooling over any number of spatial dims (3-D video and volumes; 1-D and 2-D have
// faster kernels in conv.cpp). Direct loops in one fixed order per output (input channel, then kernel
// taps in row-major order) on the baseline ISA: the same bits on every machine and thread count.
#pragma once
#include <vector>

#include "core/shape.h"
#include "ops/conv.h"

namespace verinfer {

struct WindowNd {
  std::vector<int64_t> kernel, strides, dilations, pads;  // pads: all begins, then all ends
  bool ceil_mode = false;
};

// Output spatial dims of a window over `spatial`; throws naming the problem.
Shape window_nd_output(const Shape& spatial, const WindowNd& w, const char* op);

// x [N, C, d...], w [M, C/groups, k...] → [N, M, out...].
Shape conv_nd_shape(const Shape& x, const Shape& w, const WindowNd& win, int64_t groups);
void conv_nd(const float* x, const Shape& xs, const float* w, const Shape& ws, const float* bias, const WindowNd& win,
             int64_t groups, float* y);

Shape pool_nd_shape(const Shape& x, const WindowNd& win);
void pool_nd(PoolKind kind, const float* x, const Shape& xs, const WindowNd& win, bool count_include_pad, float* y);

}  // namespace verinfer
