// conv2d's direct schedule, for the convs with few input channels (an RGB stem) that conv_schedule
// (ops/conv.h) runs as ConvSchedule::Direct: im2col would write k = C x KH x KW floats per output
// pixel, far more than the input holds, for a chain of only k multiply-adds.
#pragma once
#include <cstdint>

#include "core/shape.h"
#include "ops/conv.h"

namespace verinfer {

// Input channels at or below which an ungrouped, undilated conv runs direct.
constexpr int64_t kDirectMaxChannels = 4;

// Whether a conv of input shape xs runs direct (conv_schedule, ops/conv.h).
bool conv_direct(const Shape& xs, const ConvParams& p);

// y [N, M, OH, OW] of conv2d (ys its shape) for a conv where conv_direct holds.
void conv2d_direct(const float* x, const Shape& xs, const float* w, const float* bias, const ConvParams& p, const Shape& ys, float* y);

}  // namespace verinfer
