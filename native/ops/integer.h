// Elementwise ops on integer, bool and float64 tensors (numpy broadcasting): integer arithmetic wraps
// two's-complement and divides toward zero; float64 is plain IEEE arithmetic on the baseline ISA;
// comparisons give bool. The same instructions everywhere, so no ISA variants.
#pragma once
#include "core/kernel_table.h"
#include "core/shape.h"
#include "ops/layout.h"

namespace verinfer {

enum class IntOp : int32_t { Add, Sub, Mul, Div, Max, Min, Mod, FMod, Pow, And, Or, Xor, ShiftLeft, ShiftRight, Count };

// Whether `op` is defined on `dtype` (logical ops on bool; arithmetic and remainders on float64; all
// but logical-only use on the integer types).
bool int_op_supports(IntOp op, DType dtype);

// a, b and y are all of `dtype`; y has shape broadcast_shapes(a_shape, b_shape). Throws
// std::domain_error on a zero divisor of Div, Mod or FMod before writing anything.
void int_binary(IntOp op, DType dtype, const void* a, const Shape& a_shape, const void* b, const Shape& b_shape, void* y);

// Comparison of two integer or bool tensors of `dtype`; y is bool.
void int_compare(CompareOp op, DType dtype, const void* a, const Shape& a_shape, const void* b, const Shape& b_shape,
                 uint8_t* y);

// Running sum along `axis` for float32, float64 and integer tensors, each line summed in index order
// (from the end with `reverse`; `exclusive` leaves out the element itself). Integers wrap.
void cumsum(DType dtype, const void* x, const Shape& shape, int64_t axis, bool exclusive, bool reverse, void* y);

}  // namespace verinfer
