// Shapes, strides and the checks every op runs before touching memory.
#pragma once
#include <algorithm>
#include <cstdint>
#include <stdexcept>
#include <string>
#include <vector>

namespace verinfer {

using Shape = std::vector<int64_t>;

// Blocks of b that cover a (a >= 0, b > 0).
inline int64_t ceil_div(int64_t a, int64_t b) { return (a + b - 1) / b; }

// Block b of `blocks` over n items in whole units: units spread so that block sizes differ by at most
// one unit (43 GEMM micro-panels in 6 blocks: 7, 7, 7, 7, 7, 8, where blocks rounded up to 8 had left
// 96 x 5 + 32 rows, and one of two threads waiting).
struct Span {
  int64_t begin, size;
};
inline Span even_span(int64_t n, int64_t blocks, int64_t unit, int64_t b) {
  const int64_t units = ceil_div(n, unit);
  const int64_t begin = b * units / blocks * unit, end = std::min(n, (b + 1) * units / blocks * unit);
  return {begin, end - begin};
}

// Largest tensor any op will produce or accept: 2^34 elements (64 GiB of fp32), far above this
// machine's memory but far below int64 overflow in any offset computation.
constexpr int64_t kMaxElements = int64_t{1} << 34;

std::string shape_str(const Shape& s);
// Element count; throws if a dim is negative or the product exceeds kMaxElements.
int64_t numel(const Shape& s, const char* what);
Shape contiguous_strides(const Shape& s);
// numpy broadcasting of two shapes; throws naming both shapes if incompatible.
Shape broadcast_shapes(const Shape& a, const Shape& b);
// Strides of `s` (contiguous) viewed as broadcast to `out` (0 on broadcast dims).
Shape broadcast_strides(const Shape& s, const Shape& out);
// Maps a possibly negative axis into [0, rank); throws naming `what` if out of range.
int64_t normalize_axis(int64_t axis, int64_t rank, const char* what);

}  // namespace verinfer
