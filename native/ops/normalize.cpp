#include "ops/normalize.h"

#include <algorithm>
#include <cmath>

#include "core/aligned_buffer.h"
#include "core/dispatch.h"
#include "core/thread_pool.h"
#include "ops/layout.h"

namespace verinfer {
namespace {

std::vector<int64_t> normalized_axes(const Shape& in, std::vector<int64_t> axes) {
  const int64_t rank = static_cast<int64_t>(in.size());
  if (axes.empty())
    for (int64_t i = 0; i < rank; ++i) axes.push_back(i);
  for (auto& a : axes) a = normalize_axis(a, rank, "reduce");
  std::sort(axes.begin(), axes.end());
  if (std::adjacent_find(axes.begin(), axes.end()) != axes.end())
    throw std::invalid_argument("reduce: axes must not repeat");
  return axes;
}

// Runs fn(rows_begin, rows_end) over rows of `len` contiguous elements, split across threads.
template <class Fn>
void for_rows(int64_t rows, int64_t len, Fn fn) {
  parallel_for(static_cast<size_t>(rows), std::max<int64_t>(1, 16384 / std::max<int64_t>(len, 1)), fn);
}

}  // namespace

Shape reduce_shape(const Shape& in, std::vector<int64_t> axes, bool keepdims) {
  axes = normalized_axes(in, axes);
  Shape out;
  for (size_t d = 0; d < in.size(); ++d) {
    const bool reduced = std::binary_search(axes.begin(), axes.end(), static_cast<int64_t>(d));
    if (!reduced) out.push_back(in[d]);
    else if (keepdims) out.push_back(1);
  }
  return out;
}

void reduce(ReduceOp op, const float* x, const Shape& in, std::vector<int64_t> axes, float* y) {
  axes = normalized_axes(in, axes);
  // Bring kept dims first and reduced dims last (each group in its original order); then every
  // output is one contiguous row.
  std::vector<int64_t> perm;
  int64_t len = 1;
  for (size_t d = 0; d < in.size(); ++d)
    if (!std::binary_search(axes.begin(), axes.end(), static_cast<int64_t>(d))) perm.push_back(d);
  for (int64_t a : axes) {
    perm.push_back(a);
    len *= in[a];
  }
  const int64_t total = numel(in, "reduce input");
  const int64_t rows = len == 0 ? numel(reduce_shape(in, axes, false), "reduce output") : total / len;
  bool identity = true;
  for (size_t i = 0; i < perm.size(); ++i) identity = identity && perm[i] == static_cast<int64_t>(i);
  AlignedBuffer<float> moved;
  const float* src = x;
  if (!identity && total > 0) {
    moved.resize(static_cast<size_t>(total));
    transpose(sizeof(float), x, in, perm, moved.data());
    src = moved.data();
  }
  const KernelTable& kt = kernels();
  for_rows(rows, len, [&](size_t b, size_t e) { kt.reduce_rows(op, src + b * len, e - b, static_cast<size_t>(len), y + b); });
}

void softmax(const float* x, const Shape& in, int64_t axis, bool log, float* y) {
  const int64_t rank = static_cast<int64_t>(in.size());
  const int64_t ax = normalize_axis(axis, rank, "softmax");
  const int64_t total = numel(in, "softmax input");
  if (total == 0) return;
  const KernelTable& kt = kernels();
  const int64_t len = in[ax];
  if (ax == rank - 1) {
    for_rows(total / len, len, [&](size_t b, size_t e) { kt.softmax_rows(x + b * len, y + b * len, e - b, len, log); });
    return;
  }
  // Other axes: move the axis last, run rows, move it back.
  std::vector<int64_t> perm, back(rank);
  for (int64_t d = 0; d < rank; ++d)
    if (d != ax) perm.push_back(d);
  perm.push_back(ax);
  for (int64_t i = 0; i < rank; ++i) back[perm[i]] = i;
  AlignedBuffer<float> moved(static_cast<size_t>(total)), result(static_cast<size_t>(total));
  transpose(sizeof(float), x, in, perm, moved.data());
  for_rows(total / len, len, [&](size_t b, size_t e) {
    kt.softmax_rows(moved.data() + b * len, result.data() + b * len, e - b, len, log);
  });
  transpose(sizeof(float), result.data(), transpose_shape(in, perm), back, y);
}

void layer_norm(const float* x, const Shape& in, int64_t axis, const float* gamma, const float* beta, float eps, float* y) {
  const int64_t ax = normalize_axis(axis, static_cast<int64_t>(in.size()), "layer_norm");
  int64_t len = 1;
  for (size_t d = ax; d < in.size(); ++d) len *= in[d];
  const int64_t total = numel(in, "layer_norm input");
  if (total == 0) return;
  const KernelTable& kt = kernels();
  for_rows(total / len, len, [&](size_t b, size_t e) {
    kt.layernorm_rows(x + b * len, gamma, beta, eps, y + b * len, e - b, static_cast<size_t>(len));
  });
}

void batch_norm(const float* x, const Shape& in, const float* scale, const float* bias, const float* mean,
                const float* var, float eps, float* y) {
  if (in.size() < 2) throw std::invalid_argument("batch_norm: input must have rank >= 2 (N, C, ...), got " + shape_str(in));
  const int64_t n = in[0], c = in[1], total = numel(in, "batch_norm input");
  if (total == 0) return;
  const int64_t inner = total / (n * c);
  const KernelTable& kt = kernels();
  // Per channel: s = scale / sqrt(var + eps), y = (x - mean) * s + bias.
  for_rows(n * c, inner, [&](size_t b, size_t e) {
    for (size_t r = b; r < e; ++r) {
      const int64_t ch = static_cast<int64_t>(r) % c;
      const float s = scale[ch] / std::sqrt(var[ch] + eps);
      kt.affine(x + r * inner, mean[ch], s, bias[ch], y + r * inner, static_cast<size_t>(inner));
    }
  });
}

}  // namespace verinfer
