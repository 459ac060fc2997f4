// conv2d's Winograd schedule, for the convs conv_schedule (ops/conv.h) runs as ConvSchedule::Winograd.
#pragma once
#include <cstdint>

#include "core/shape.h"
#include "ops/conv.h"

namespace verinfer {

// Input and output channels a conv needs, on both sides, to run as Winograd: below it the 16 GEMMs are
// too thin to gain over im2col's one. It also needs a panel's worth of tiles (a 7x7 map has 16): with
// fewer, half-empty panels and the transformed weights' traffic (16/9 of the weights) cost more than
// the products saved.
constexpr int64_t kWinogradMinChannels = 16;

// Whether a conv of input shape xs and output shape ys runs as Winograd (conv_schedule, ops/conv.h).
bool conv_winograd(const Shape& xs, const Shape& ys, const ConvParams& p);

// y [N, M, OH, OW] of conv2d (ys its shape) for a conv where conv_winograd holds.
void conv2d_winograd(const float* x, const Shape& xs, const float* w, const float* bias, const ConvParams& p, const Shape& ys, float* y);

}  // namespace verinfer
