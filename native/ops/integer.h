// Elementwise ops on integer and bool tensors (numpy broadcasting): arithmetic wraps two's-complement,
// integer division truncates toward zero, and comparisons give bool. Exact, so no ISA variants.
#pragma once
#include "core/kernel_table.h"
#include "core/shape.h"
#include "ops/layout.h"

namespace verinfer {

enum class IntOp : int32_t { Add, Sub, Mul, Div, Max, Min, Mod, FMod, Pow, And, Or, Xor, ShiftLeft, ShiftRight, Count };

// Whether `op` is defined on `dtype` (logical ops on bool, the rest on int8/uint8/int32/int64).
bool int_op_supports(IntOp op, DType dtype);

// a, b and y are all of `dtype`; y has shape broadcast_shapes(a_shape, b_shape). Throws
// std::domain_error on a zero divisor of Div, Mod or FMod before writing anything.
void int_binary(IntOp op, DType dtype, const void* a, const Shape& a_shape, const void* b, const Shape& b_shape, void* y);

// Comparison of two integer or bool tensors of `dtype`; y is bool.
void int_compare(CompareOp op, DType dtype, const void* a, const Shape& a_shape, const void* b, const Shape& b_shape,
                 uint8_t* y);

}  // namespace verinfer
