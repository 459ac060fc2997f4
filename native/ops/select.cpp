#include "ops/select.h"

#include <algorithm>
#include <cmath>
#include <vector>
#include <cstring>
#include <stdexcept>

#include "ops/broadcast.h"

namespace verinfer {

Shape where_shape(const Shape& cond, const Shape& x, const Shape& y) {
  return broadcast_shapes(broadcast_shapes(cond, x), y);
}

void where(const uint8_t* cond, const Shape& cond_shape, const void* x, const Shape& x_shape, const void* y,
           const Shape& y_shape, size_t elem_size, void* out) {
  const Shape shape = where_shape(cond_shape, x_shape, y_shape);
  const int64_t n = numel(shape, "where output");
  if (n == 0) return;
  const Shape sc = broadcast_strides(cond_shape, shape), sx = broadcast_strides(x_shape, shape),
              sy = broadcast_strides(y_shape, shape);
  const int64_t inner = shape.empty() ? 1 : shape.back();
  const size_t rank = shape.size();
  const auto* xb = static_cast<const uint8_t*>(x);
  const auto* yb = static_cast<const uint8_t*>(y);
  auto* ob = static_cast<uint8_t*>(out);
  parallel_for(static_cast<size_t>(n / inner), std::max<size_t>(1, kEltwiseGrain / static_cast<size_t>(inner)), [&](size_t begin, size_t end) {
    for (size_t row = begin; row < end; ++row) {
      int64_t rem = static_cast<int64_t>(row), oc = 0, ox = 0, oy = 0;
      for (size_t d = rank - (rank ? 1 : 0); d-- > 0;) {
        const int64_t i = rem % shape[d];
        rem /= shape[d];
        oc += i * sc[d], ox += i * sx[d], oy += i * sy[d];
      }
      const int64_t ic = rank ? sc[rank - 1] : 0, ix = rank ? sx[rank - 1] : 0, iy = rank ? sy[rank - 1] : 0;
      uint8_t* dst = ob + static_cast<size_t>(static_cast<int64_t>(row) * inner) * elem_size;
      for (int64_t j = 0; j < inner; ++j) {
        const uint8_t* src = cond[oc + j * ic] ? xb + static_cast<size_t>(ox + j * ix) * elem_size
                                               : yb + static_cast<size_t>(oy + j * iy) * elem_size;
        std::memcpy(dst + static_cast<size_t>(j) * elem_size, src, elem_size);
      }
    }
  });
}

void check_gather_elements(const Shape& data, const Shape& indices, int64_t axis) {
  if (data.size() != indices.size()) throw std::invalid_argument("gatherElements: indices must have the data's rank");
  if (data.empty()) throw std::invalid_argument("gatherElements: data must have rank >= 1");
  const int64_t a = normalize_axis(axis, static_cast<int64_t>(data.size()), "gatherElements");
  for (size_t d = 0; d < data.size(); ++d)
    if (static_cast<int64_t>(d) != a && indices[d] > data[d])
      throw std::invalid_argument("gatherElements: indices " + shape_str(indices) + " exceed data " + shape_str(data));
}

void gather_elements(size_t elem_size, const void* data, const Shape& data_shape, const int64_t* indices,
                     const Shape& indices_shape, int64_t axis, void* out) {
  check_gather_elements(data_shape, indices_shape, axis);
  const size_t rank = data_shape.size();
  const auto a = static_cast<size_t>(normalize_axis(axis, static_cast<int64_t>(rank), "gatherElements"));
  const int64_t n = numel(indices_shape, "gatherElements indices"), dim = data_shape[a];
  for (int64_t i = 0; i < n; ++i)
    if (indices[i] < -dim || indices[i] >= dim)
      throw std::out_of_range("gatherElements: index " + std::to_string(indices[i]) + " is out of range for axis size " +
                              std::to_string(dim));
  const Shape strides = contiguous_strides(data_shape);
  const auto* src = static_cast<const uint8_t*>(data);
  auto* dst = static_cast<uint8_t*>(out);
  for (int64_t i = 0; i < n; ++i) {
    int64_t rem = i, offset = 0;
    for (size_t d = rank; d-- > 0;) {
      const int64_t k = rem % indices_shape[d];
      rem /= indices_shape[d];
      if (d == a) {
        const int64_t idx = indices[i] < 0 ? indices[i] + dim : indices[i];
        offset += idx * strides[d];
      } else {
        offset += k * strides[d];
      }
    }
    std::memcpy(dst + static_cast<size_t>(i) * elem_size, src + static_cast<size_t>(offset) * elem_size, elem_size);
  }
}

void arg_reduce(bool max, bool last, const float* x, const Shape& shape, int64_t axis, int64_t* y) {
  const auto a = static_cast<size_t>(normalize_axis(axis, static_cast<int64_t>(shape.size()), "argReduce"));
  const int64_t dim = shape[a];
  if (dim == 0) throw std::invalid_argument("argMax/argMin over an empty axis");
  const int64_t outer = numel(Shape(shape.begin(), shape.begin() + static_cast<int64_t>(a)), "argReduce");
  const int64_t inner = numel(Shape(shape.begin() + static_cast<int64_t>(a) + 1, shape.end()), "argReduce");
  for (int64_t o = 0; o < outer; ++o) {
    for (int64_t i = 0; i < inner; ++i) {
      const float* p = x + o * dim * inner + i;
      int64_t best = 0;
      for (int64_t k = 1; k < dim && !std::isnan(p[best * inner]); ++k) {
        const float v = p[k * inner], b = p[best * inner];
        if (std::isnan(v) || (max ? v > b : v < b) || (last && v == b)) best = k;
      }
      y[o * inner + i] = best;
    }
  }
}

namespace {

// One element of `out` combined with one update; None copies bits, the rest are float32.
void combine(ScatterReduce op, size_t elem_size, uint8_t* dst, const uint8_t* src) {
  if (op == ScatterReduce::None) {
    std::memcpy(dst, src, elem_size);
    return;
  }
  float a, b;
  std::memcpy(&a, dst, 4);
  std::memcpy(&b, src, 4);
  const float r = op == ScatterReduce::Add ? a + b : op == ScatterReduce::Mul ? a * b : op == ScatterReduce::Max ? (b > a ? b : a) : (b < a ? b : a);
  std::memcpy(dst, &r, 4);
}

int64_t wrap_index(int64_t i, int64_t dim, const char* op) {
  if (i < -dim || i >= dim)
    throw std::out_of_range(std::string(op) + ": index " + std::to_string(i) + " is out of range for axis size " + std::to_string(dim));
  return i < 0 ? i + dim : i;
}

}  // namespace

void scatter_elements(size_t elem_size, ScatterReduce op, const void* data, const Shape& ds, const int64_t* indices,
                      const Shape& is, const void* updates, int64_t axis, void* out) {
  check_gather_elements(ds, is, axis);
  const size_t rank = ds.size();
  const auto a = static_cast<size_t>(normalize_axis(axis, static_cast<int64_t>(rank), "scatterElements"));
  const int64_t n = numel(is, "scatterElements indices");
  for (int64_t i = 0; i < n; ++i) wrap_index(indices[i], ds[a], "scatterElements");
  std::memcpy(out, data, static_cast<size_t>(numel(ds, "scatterElements data")) * elem_size);
  const Shape strides = contiguous_strides(ds);
  auto* dst = static_cast<uint8_t*>(out);
  const auto* src = static_cast<const uint8_t*>(updates);
  for (int64_t i = 0; i < n; ++i) {
    int64_t rem = i, offset = 0;
    for (size_t d = rank; d-- > 0;) {
      const int64_t k = rem % is[d];
      rem /= is[d];
      offset += (d == a ? wrap_index(indices[i], ds[a], "scatterElements") : k) * strides[d];
    }
    combine(op, elem_size, dst + static_cast<size_t>(offset) * elem_size, src + static_cast<size_t>(i) * elem_size);
  }
}

Shape gather_nd_shape(const Shape& data, const Shape& indices, int64_t batch_dims) {
  if (indices.empty() || batch_dims < 0) throw std::invalid_argument("gatherND: indices need rank >= 1");
  const int64_t k = indices.back(), b = batch_dims;
  if (b >= static_cast<int64_t>(indices.size()) || b + k > static_cast<int64_t>(data.size()) || k < 1)
    throw std::invalid_argument("gatherND: indices " + shape_str(indices) + " do not fit data " + shape_str(data));
  for (int64_t d = 0; d < b; ++d)
    if (data[static_cast<size_t>(d)] != indices[static_cast<size_t>(d)]) throw std::invalid_argument("gatherND: batch dims differ");
  Shape out(indices.begin(), indices.end() - 1);
  out.insert(out.end(), data.begin() + b + k, data.end());
  return out;
}

void gather_nd(size_t elem_size, const void* data, const Shape& ds, const int64_t* indices, const Shape& is, int64_t batch_dims,
               void* out) {
  gather_nd_shape(ds, is, batch_dims);
  const int64_t k = is.back(), b = batch_dims;
  const int64_t batches = numel(Shape(is.begin(), is.begin() + b), "gatherND");
  const int64_t per_batch = numel(Shape(is.begin() + b, is.end() - 1), "gatherND");
  const int64_t slice = numel(Shape(ds.begin() + b + k, ds.end()), "gatherND");
  const int64_t batch_stride = numel(Shape(ds.begin() + b, ds.end()), "gatherND");
  const Shape strides = contiguous_strides(Shape(ds.begin() + b, ds.end()));
  for (int64_t i = 0; i < batches * per_batch * k; ++i) wrap_index(indices[i], ds[static_cast<size_t>(b + i % k)], "gatherND");
  const auto* src = static_cast<const uint8_t*>(data);
  auto* dst = static_cast<uint8_t*>(out);
  for (int64_t q = 0; q < batches * per_batch; ++q) {
    int64_t offset = (q / per_batch) * batch_stride;
    for (int64_t j = 0; j < k; ++j)
      offset += wrap_index(indices[q * k + j], ds[static_cast<size_t>(b + j)], "gatherND") * strides[static_cast<size_t>(j)];
    std::memcpy(dst + static_cast<size_t>(q * slice) * elem_size, src + static_cast<size_t>(offset) * elem_size,
                static_cast<size_t>(slice) * elem_size);
  }
}

void check_scatter_nd(const Shape& data, const Shape& indices, const Shape& updates) {
  if (indices.empty()) throw std::invalid_argument("scatterND: indices need rank >= 1");
  const int64_t k = indices.back();
  if (k < 1 || k > static_cast<int64_t>(data.size())) throw std::invalid_argument("scatterND: index tuples longer than the data's rank");
  Shape want(indices.begin(), indices.end() - 1);
  want.insert(want.end(), data.begin() + k, data.end());
  if (updates != want) throw std::invalid_argument("scatterND: updates must have shape " + shape_str(want) + ", got " + shape_str(updates));
}

void scatter_nd(size_t elem_size, ScatterReduce op, const void* data, const Shape& ds, const int64_t* indices, const Shape& is,
                const void* updates, void* out) {
  const int64_t k = is.back();
  const int64_t tuples = numel(Shape(is.begin(), is.end() - 1), "scatterND");
  const int64_t slice = numel(Shape(ds.begin() + k, ds.end()), "scatterND");
  const Shape strides = contiguous_strides(ds);
  for (int64_t i = 0; i < tuples * k; ++i) wrap_index(indices[i], ds[static_cast<size_t>(i % k)], "scatterND");
  std::memcpy(out, data, static_cast<size_t>(numel(ds, "scatterND data")) * elem_size);
  auto* dst = static_cast<uint8_t*>(out);
  const auto* src = static_cast<const uint8_t*>(updates);
  for (int64_t q = 0; q < tuples; ++q) {
    int64_t offset = 0;
    for (int64_t j = 0; j < k; ++j)
      offset += wrap_index(indices[q * k + j], ds[static_cast<size_t>(j)], "scatterND") * strides[static_cast<size_t>(j)];
    for (int64_t e = 0; e < slice; ++e)
      combine(op, elem_size, dst + static_cast<size_t>(offset + e) * elem_size, src + static_cast<size_t>(q * slice + e) * elem_size);
  }
}

void top_k_indices(const float* x, const Shape& shape, int64_t axis, int64_t k, bool largest, int64_t* y) {
  const auto a = static_cast<size_t>(normalize_axis(axis, static_cast<int64_t>(shape.size()), "topK"));
  const int64_t dim = shape[a];
  if (k < 0 || k > dim) throw std::invalid_argument("topK: k must be within 0…" + std::to_string(dim));
  const int64_t outer = numel(Shape(shape.begin(), shape.begin() + static_cast<int64_t>(a)), "topK");
  const int64_t inner = numel(Shape(shape.begin() + static_cast<int64_t>(a) + 1, shape.end()), "topK");
  parallel_for(static_cast<size_t>(outer * inner), 1, [&](size_t begin, size_t end) {
    std::vector<int64_t> order(static_cast<size_t>(dim));
    for (size_t slice = begin; slice < end; ++slice) {
      const int64_t o = static_cast<int64_t>(slice) / inner, i = static_cast<int64_t>(slice) % inner;
      const float* p = x + o * dim * inner + i;
      // A total order: NaN above every number, then by value, ties by the lower index first.
      auto before = [&](int64_t u, int64_t v) {
        const float a_ = p[u * inner], b_ = p[v * inner];
        const bool na = std::isnan(a_), nb = std::isnan(b_);
        if (na != nb) return largest ? na : nb;
        if (!na && a_ != b_) return largest ? a_ > b_ : a_ < b_;
        return u < v;
      };
      for (int64_t j = 0; j < dim; ++j) order[static_cast<size_t>(j)] = j;
      std::partial_sort(order.begin(), order.begin() + k, order.end(), before);
      for (int64_t j = 0; j < k; ++j) y[(o * k + j) * inner + i] = order[static_cast<size_t>(j)];
    }
  });
}

}  // namespace verinfer
