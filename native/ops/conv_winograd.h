// conv2d's Winograd schedule, for the convs conv_schedule (ops/conv.h) runs as ConvSchedule::Winograd.
#pragma once
#include <cstdint>

#include "core/shape.h"
#include "ops/conv.h"

namespace verinfer {

// Input and output channels a conv needs, on both sides, to run as Winograd: below it the 16 GEMMs of
// F(2x2, 3x3) are too thin to gain over im2col's one. It also needs a panel's worth of 2x2 tiles per
// sample (a 7x7 map has 16), judged on one sample since the batch may not decide the bits: a sample
// alone would leave its panel half empty, and the transformed weights' traffic (16/9 of the weights)
// cost more than the products saved.
constexpr int64_t kWinogradMinChannels = 16;
// Output maps at least this many pixels high and wide run as F(4x4, 3x3); smaller ones as F(2x2, 3x3),
// where the larger tiles' padding and a sample's half-empty panel (a 14x14 map has 16 tiles) cost more
// than their fewer products save. On one core, F(4x4, 3x3) took 0.70 of F(2x2, 3x3)'s time on a 56x56 map
// of 64 channels and 0.62 on 16 images of 16x16 with 32 to 64 channels, and 1.2 to 1.4 times it on a
// 14x14 map of 256.
constexpr int64_t kWinogradF4MinSide = 16;

// Whether a conv of input shape xs and output shape ys runs as Winograd (conv_schedule, ops/conv.h).
bool conv_winograd(const Shape& xs, const Shape& ys, const ConvParams& p);
// The output tile side such a conv runs with, 2 (F(2x2, 3x3)) or 4 (F(4x4, 3x3)), from its output
// map alone (never the batch size).
int64_t winograd_tile(const Shape& ys);

// y [N, M, OH, OW] of conv2d (ys its shape) for a conv where conv_winograd holds.
void conv2d_winograd(const float* x, const Shape& xs, const float* w, const float* bias, const ConvParams& p, const Shape& ys, float* y);

}  // namespace verinfer
