// Ops that pick elements rather than compute them: Where, GatherElements, and ArgMax/ArgMin. They move
// bits (or compare), so results are exact on every ISA.
#pragma once
#include <cstddef>
#include <cstdint>

#include "core/shape.h"

namespace verinfer {

// Output shape of Where: the three shapes broadcast together.
Shape where_shape(const Shape& cond, const Shape& x, const Shape& y);
// out[i] = cond[i] ? x[i] : y[i] with numpy broadcasting; x, y and out hold elements of elem_size bytes.
void where(const uint8_t* cond, const Shape& cond_shape, const void* x, const Shape& x_shape, const void* y,
           const Shape& y_shape, size_t elem_size, void* out);

// Checks GatherElements operands (same rank, index dims within the data's off the axis); throws naming
// the problem.
void check_gather_elements(const Shape& data, const Shape& indices, int64_t axis);
// out (shaped like indices) takes data at each index along `axis`; negative indices count from the
// end. Throws std::out_of_range before writing if an index is outside the axis.
void gather_elements(size_t elem_size, const void* data, const Shape& data_shape, const int64_t* indices,
                     const Shape& indices_shape, int64_t axis, void* out);

// Index of the largest (or smallest) element along `axis` of a float tensor; the first one, or the last
// when `last`; NaN wins (the first NaN, like numpy). y has the reduced shape (its element count).
void arg_reduce(bool max, bool last, const float* x, const Shape& shape, int64_t axis, int64_t* y);

// Indices of the k largest (or smallest) elements along `axis`, best first; equal values keep index
// order and NaN counts as larger than any number. y has x's shape with k along the axis.
void top_k_indices(const float* x, const Shape& shape, int64_t axis, int64_t k, bool largest, int64_t* y);

}  // namespace verinfer
