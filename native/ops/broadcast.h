// Walking the output of a broadcasting elementwise op row by row, shared by the float kernels and the
// integer and selection ops.
#pragma once
#include <algorithm>

#include "core/shape.h"
#include "core/thread_pool.h"

namespace verinfer {

constexpr size_t kEltwiseGrain = 16384;

// Calls row(oa, sa, ob, sb, oy, n) for each innermost run of the broadcast output: operand offsets
// oa/ob, their strides (0 repeats one element, 1 walks), output offset oy and run length n. Rows run in
// parallel; `row` must not throw.
template <class Row>
void for_each_broadcast_row(const Shape& a_shape, const Shape& b_shape, Row row) {
  const Shape out = broadcast_shapes(a_shape, b_shape);
  if (numel(out, "broadcast output") == 0) return;
  Shape sa = broadcast_strides(a_shape, out), sb = broadcast_strides(b_shape, out);
  // Merge trailing dims while both operands stay contiguous or both stay broadcast over them.
  int64_t inner = 1, inner_sa = -1, inner_sb = -1;
  size_t keep = out.size();
  while (keep > 0) {
    const size_t d = keep - 1;
    const int64_t da = sa[d] == 0 ? 0 : 1, db = sb[d] == 0 ? 0 : 1;
    if (inner_sa == -1) {
      inner_sa = da;
      inner_sb = db;
    } else if (da != inner_sa || db != inner_sb || (da && sa[d] != inner) || (db && sb[d] != inner)) {
      break;
    }
    inner *= out[d];
    --keep;
  }
  if (out.empty()) inner_sa = inner_sb = 0;
  Shape outer(out.begin(), out.begin() + keep);
  const int64_t rows = numel(outer, "broadcast output");
  parallel_for(static_cast<size_t>(rows), std::max<size_t>(1, kEltwiseGrain / static_cast<size_t>(inner)),
               [&](size_t begin, size_t end) {
                 for (size_t r = begin; r < end; ++r) {
                   int64_t rem = static_cast<int64_t>(r), oa = 0, ob = 0;
                   for (size_t d = keep; d-- > 0;) {
                     const int64_t i = rem % outer[d];
                     rem /= outer[d];
                     oa += i * sa[d];
                     ob += i * sb[d];
                   }
                   row(oa, inner_sa, ob, inner_sb, static_cast<int64_t>(r) * inner, inner);
                 }
               });
}

}  // namespace verinfer
