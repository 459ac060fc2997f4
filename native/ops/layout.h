// Data movement: transpose, slice, concat, gather, cast. Exact by nature; one implementation serves
// every ISA path.
#pragma once
#include <cstdint>
#include <vector>

#include "core/shape.h"

namespace verinfer {

enum class DType : int32_t { F32, F16, BF16, I8, U8, I32, I64, Bool, F64, U16, U32, U64, Count };
size_t dtype_size(DType t);
const char* dtype_name(DType t);

Shape transpose_shape(const Shape& in, const std::vector<int64_t>& perm);
void transpose(size_t elem_size, const void* x, const Shape& in, const std::vector<int64_t>& perm, void* y);

struct SliceSpec {
  Shape starts, steps, out_shape;  // one entry per dim of the input, already clamped (ONNX rules)
};
SliceSpec slice_spec(const Shape& in, const std::vector<int64_t>& starts, const std::vector<int64_t>& ends,
                     const std::vector<int64_t>& axes, const std::vector<int64_t>& steps);
void slice(size_t elem_size, const void* x, const Shape& in, const SliceSpec& spec, void* y);

Shape concat_shape(const std::vector<Shape>& inputs, int64_t axis);
void concat(size_t elem_size, const std::vector<const void*>& xs, const std::vector<Shape>& shapes, int64_t axis, void* y);

Shape gather_shape(const Shape& data, const Shape& indices, int64_t axis);
// Throws std::invalid_argument naming the first index outside [-dim, dim).
void check_gather_indices(const Shape& data_shape, const int64_t* indices, const Shape& indices_shape, int64_t axis);
// Checks the indices (as above) before writing anything.
void gather(size_t elem_size, const void* data, const Shape& data_shape, const int64_t* indices, const Shape& indices_shape,
            int64_t axis, void* y);

// Numeric conversion with the rules of docs/determinism.md (float -> int truncates toward zero and
// saturates, NaN -> 0; to f16/bf16 rounds to nearest even; to bool is x != 0).
void cast(DType from, const void* x, DType to, void* y, int64_t n);

}  // namespace verinfer
