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

enum class ScatterReduce : int32_t { None, Add, Mul, Max, Min, Count };

// ScatterElements: out = data, then out[index along axis] (op)= updates for each updates position in
// row-major order (so duplicates resolve the same way every run). Reductions other than None are for
// float32 (elem_size 4). Throws before writing on an out-of-range index.
void scatter_elements(size_t elem_size, ScatterReduce op, const void* data, const Shape& data_shape, const int64_t* indices,
                      const Shape& indices_shape, const void* updates, int64_t axis, void* out);

// GatherND with batch_dims: out has shape indices[:-1] + data[batch_dims + k:].
Shape gather_nd_shape(const Shape& data, const Shape& indices, int64_t batch_dims);
void gather_nd(size_t elem_size, const void* data, const Shape& data_shape, const int64_t* indices, const Shape& indices_shape,
               int64_t batch_dims, void* out);

// ScatterND: out = data, then each index tuple's slice (op)= its update, in order.
void check_scatter_nd(const Shape& data, const Shape& indices, const Shape& updates);
void scatter_nd(size_t elem_size, ScatterReduce op, const void* data, const Shape& data_shape, const int64_t* indices,
                const Shape& indices_shape, const void* updates, void* out);

// Indices of the k largest (or smallest) elements along `axis`, best first; equal values keep index
// order and NaN counts as larger than any number. y has x's shape with k along the axis.
void top_k_indices(const float* x, const Shape& shape, int64_t axis, int64_t k, bool largest, int64_t* y);

}  // namespace verinfer
