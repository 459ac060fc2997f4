// Reductions over axes, Softmax/LogSoftmax, LayerNormalization, BatchNormalization (inference).
#pragma once
#include <vector>

#include "core/kernel_table.h"
#include "core/shape.h"

namespace verinfer {

// Reduced axes are dropped (keepdims=false) or kept as 1 (keepdims=true). Empty axes = all axes.
Shape reduce_shape(const Shape& in, std::vector<int64_t> axes, bool keepdims);
// The reduced elements of one output are consumed in row-major order over the reduced axes.
void reduce(ReduceOp op, const float* x, const Shape& in, std::vector<int64_t> axes, float* y);

void softmax(const float* x, const Shape& in, int64_t axis, bool log, float* y);

// Normalises over dims [axis, rank); gamma/beta (optional) have that trailing shape's element count.
void layer_norm(const float* x, const Shape& in, int64_t axis, const float* gamma, const float* beta, float eps, float* y);

// x: [N, C, ...]; per-channel scale, bias, mean, var of length C.
void batch_norm(const float* x, const Shape& in, const float* scale, const float* bias, const float* mean,
                const float* var, float eps, float* y);

}  // namespace verinfer
