#include "ops/eltwise.h"

#include "core/dispatch.h"
#include "ops/broadcast.h"

namespace verinfer {

void unary(const UnaryParams& p, const float* x, float* y, int64_t n) {
  const KernelTable& kt = kernels();
  parallel_for(static_cast<size_t>(n), kEltwiseGrain,
               [&](size_t begin, size_t end) { kt.unary(p, x + begin, y + begin, end - begin); });
}

void binary(BinaryOp op, const float* a, const Shape& a_shape, const float* b, const Shape& b_shape, float* y) {
  const KernelTable& kt = kernels();
  for_each_broadcast_row(a_shape, b_shape, [&](int64_t oa, int64_t sa, int64_t ob, int64_t sb, int64_t oy, int64_t n) {
    kt.binary(op, {a + oa, sa}, {b + ob, sb}, y + oy, static_cast<size_t>(n));
  });
}

void compare(CompareOp op, const float* a, const Shape& a_shape, const float* b, const Shape& b_shape, uint8_t* y) {
  const KernelTable& kt = kernels();
  for_each_broadcast_row(a_shape, b_shape, [&](int64_t oa, int64_t sa, int64_t ob, int64_t sb, int64_t oy, int64_t n) {
    kt.compare(op, {a + oa, sa}, {b + ob, sb}, y + oy, static_cast<size_t>(n));
  });
}

}  // namespace verinfer
