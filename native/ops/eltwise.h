#pragma once
#include "core/kernel_table.h"
#include "core/shape.h"

namespace verinfer {

void unary(const UnaryParams& p, const float* x, float* y, int64_t n);
// y has shape broadcast_shapes(a_shape, b_shape).
void binary(BinaryOp op, const float* a, const Shape& a_shape, const float* b, const Shape& b_shape, float* y);
void compare(CompareOp op, const float* a, const Shape& a_shape, const float* b, const Shape& b_shape, uint8_t* y);

}  // namespace verinfer
