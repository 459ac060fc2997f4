#include "ops/layout.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "core/thread_pool.h"

namespace verinfer {
namespace {

// Elements moved as raw bits of their size; may_alias, as the memory holds floats or ints of any kind.
using Bits16 = uint16_t __attribute__((may_alias));
using Bits32 = uint32_t __attribute__((may_alias));
using Bits64 = uint64_t __attribute__((may_alias));

// The copy of a view whose innermost axis walks src with a stride while output axis `q` walks it
// contiguously (a transpose of the two): in square tiles of those two axes, so the reads and the
// writes each stay on a few cache lines instead of one of them touching a new line per element.
template <class T>
void tiled_copy(const T* src, const Shape& shape, const Shape& strides, size_t q, T* dst) {
  constexpr int64_t kTile = 16;
  const size_t rank = shape.size();
  const int64_t inner = shape[rank - 1], inner_stride = strides[rank - 1], across = shape[q];
  const Shape out_strides = contiguous_strides(shape);
  const int64_t out_across = out_strides[q], tiles = ceil_div(across, kTile);
  const int64_t units = numel(shape, "copy") / (inner * across) * tiles;  // (other axes, tile of q) pairs
  parallel_for(static_cast<size_t>(units), std::max<int64_t>(1, 4096 / (kTile * inner)), [&](size_t b, size_t e) {
    for (size_t u = b; u < e; ++u) {
      int64_t rem = static_cast<int64_t>(u) / tiles, in_off = 0, out_off = 0;
      for (size_t d = rank - 1; d-- > 0;) {
        if (d == q) continue;
        in_off += (rem % shape[d]) * strides[d];
        out_off += (rem % shape[d]) * out_strides[d];
        rem /= shape[d];
      }
      const int64_t i0 = static_cast<int64_t>(u) % tiles * kTile, i1 = std::min(across, i0 + kTile);
      T tile[kTile][kTile];  // [i][j]: read row by row of src, written row by row of dst
      for (int64_t j0 = 0; j0 < inner; j0 += kTile) {
        const int64_t j1 = std::min(inner, j0 + kTile);
        for (int64_t j = j0; j < j1; ++j) {
          const T* from = src + in_off + j * inner_stride + i0;
          for (int64_t i = 0; i < i1 - i0; ++i) tile[i][j - j0] = from[i];
        }
        for (int64_t i = 0; i < i1 - i0; ++i) std::memcpy(dst + out_off + (i0 + i) * out_across + j0, tile[i], (j1 - j0) * sizeof(T));
      }
    }
  });
}

// Copies a strided view (shape, element strides into src) into contiguous dst.
void strided_copy(size_t es, const uint8_t* src, const Shape& shape, const Shape& strides, uint8_t* dst) {
  const int64_t total = numel(shape, "copy");
  if (total == 0) return;
  const size_t rank = shape.size();
  const int64_t inner = rank ? shape[rank - 1] : 1, inner_stride = rank ? strides[rank - 1] : 0;
  if (inner_stride != 1 && inner > 1) {
    // An outer axis that reads src contiguously: tile it against the innermost one.
    size_t q = 0;
    while (q + 1 < rank && (strides[q] != 1 || shape[q] < 2)) ++q;
    if (q + 1 < rank) {
      switch (es) {
        case 1: return tiled_copy(src, shape, strides, q, dst);
        case 2: return tiled_copy(reinterpret_cast<const Bits16*>(src), shape, strides, q, reinterpret_cast<Bits16*>(dst));
        case 4: return tiled_copy(reinterpret_cast<const Bits32*>(src), shape, strides, q, reinterpret_cast<Bits32*>(dst));
        case 8: return tiled_copy(reinterpret_cast<const Bits64*>(src), shape, strides, q, reinterpret_cast<Bits64*>(dst));
      }
    }
  }
  const int64_t rows = total / inner;
  parallel_for(static_cast<size_t>(rows), std::max<int64_t>(1, 8192 / std::max<int64_t>(inner, 1)), [&](size_t b, size_t e) {
    for (size_t r = b; r < e; ++r) {
      int64_t rem = static_cast<int64_t>(r), off = 0;
      for (size_t d = rank - 1; d-- > 0;) {
        off += (rem % shape[d]) * strides[d];
        rem /= shape[d];
      }
      uint8_t* out = dst + r * inner * es;
      const uint8_t* in = src + off * static_cast<int64_t>(es);
      if (inner_stride == 1) {
        std::memcpy(out, in, inner * es);
      } else {
        for (int64_t i = 0; i < inner; ++i) std::memcpy(out + i * es, in + i * inner_stride * static_cast<int64_t>(es), es);
      }
    }
  });
}

uint16_t f32_to_f16(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  const uint16_t sign = static_cast<uint16_t>((x >> 16) & 0x8000);
  const uint32_t ax = x & 0x7fffffff;
  if (ax > 0x7f800000) return sign | 0x7e00;                 // NaN -> quiet NaN
  if (ax >= 0x477ff000) return sign | 0x7c00;                // rounds to >= 65520 -> Inf
  if (ax < 0x38800000) {                                      // below the smallest normal half
    if (ax < 0x33000000) return sign;                         // rounds to zero
    const uint32_t e = ax >> 23, m = (ax & 0x7fffff) | 0x800000;
    const int shift = static_cast<int>(126 - e);              // 14 + (127 - 15) - e + ... aligned to 2^-24
    uint32_t v = m >> shift;
    const uint32_t rem = m & ((1u << shift) - 1), half = 1u << (shift - 1);
    if (rem > half || (rem == half && (v & 1))) ++v;
    return sign | static_cast<uint16_t>(v);
  }
  uint32_t v = ((ax >> 13) - (112u << 10));
  const uint32_t rem = ax & 0x1fff;
  if (rem > 0x1000 || (rem == 0x1000 && (v & 1))) ++v;
  return sign | static_cast<uint16_t>(v);
}

float f16_to_f32(uint16_t h) {
  const uint32_t sign = static_cast<uint32_t>(h & 0x8000) << 16;
  const uint32_t e = (h >> 10) & 0x1f, m = h & 0x3ff;
  uint32_t x;
  if (e == 0x1f) {
    x = sign | 0x7f800000 | (m << 13);
  } else if (e != 0) {
    x = sign | ((e + 112) << 23) | (m << 13);
  } else {
    float r = static_cast<float>(m) * 5.9604644775390625e-8f;  // m * 2^-24, exact
    return sign ? -r : r;
  }
  float f;
  std::memcpy(&f, &x, 4);
  return f;
}

uint16_t f32_to_bf16(float f) {
  uint32_t x;
  std::memcpy(&x, &f, 4);
  if ((x & 0x7fffffff) > 0x7f800000) return static_cast<uint16_t>((x >> 16) | 0x0040);
  x += 0x7fff + ((x >> 16) & 1);
  return static_cast<uint16_t>(x >> 16);
}

float bf16_to_f32(uint16_t b) {
  const uint32_t x = static_cast<uint32_t>(b) << 16;
  float f;
  std::memcpy(&f, &x, 4);
  return f;
}

// Reads element i as either an exact integer or an exact double, whichever the source type is.
struct Value {
  bool is_int;
  int64_t i;
  double d;
};

Value read_value(DType t, const void* p, int64_t i) {
  switch (t) {
    case DType::F32: return {false, 0, static_cast<const float*>(p)[i]};
    case DType::F16: return {false, 0, f16_to_f32(static_cast<const uint16_t*>(p)[i])};
    case DType::BF16: return {false, 0, bf16_to_f32(static_cast<const uint16_t*>(p)[i])};
    case DType::I8: return {true, static_cast<const int8_t*>(p)[i], 0};
    case DType::U8: return {true, static_cast<const uint8_t*>(p)[i], 0};
    case DType::I32: return {true, static_cast<const int32_t*>(p)[i], 0};
    case DType::I64: return {true, static_cast<const int64_t*>(p)[i], 0};
    case DType::Bool: return {true, static_cast<const uint8_t*>(p)[i] != 0, 0};
    case DType::F64: return {false, 0, static_cast<const double*>(p)[i]};
    case DType::U16: return {true, static_cast<const uint16_t*>(p)[i], 0};
    case DType::U32: return {true, static_cast<const uint32_t*>(p)[i], 0};
    case DType::U64: {
      // Above INT64_MAX the value travels as the nearest double (exact for every other target but u64).
      const uint64_t u = static_cast<const uint64_t*>(p)[i];
      if (u > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) return {false, 0, static_cast<double>(u)};
      return {true, static_cast<int64_t>(u), 0};
    }
    case DType::Count: break;
  }
  return {true, 0, 0};
}

template <class I>
I saturate_int(const Value& v) {
  if (v.is_int) return static_cast<I>(v.i);  // two's-complement wrap, like a C cast
  if (std::isnan(v.d)) return 0;
  const double t = std::trunc(v.d);
  if (t <= static_cast<double>(std::numeric_limits<I>::min())) return std::numeric_limits<I>::min();
  if (t >= static_cast<double>(std::numeric_limits<I>::max())) return std::numeric_limits<I>::max();
  return static_cast<I>(t);
}

float to_float(const Value& v) { return v.is_int ? static_cast<float>(v.i) : static_cast<float>(v.d); }

void write_value(DType t, void* p, int64_t i, const Value& v) {
  switch (t) {
    case DType::F32: static_cast<float*>(p)[i] = to_float(v); return;
    case DType::F16: static_cast<uint16_t*>(p)[i] = f32_to_f16(to_float(v)); return;
    case DType::BF16: static_cast<uint16_t*>(p)[i] = f32_to_bf16(to_float(v)); return;
    case DType::I8: static_cast<int8_t*>(p)[i] = saturate_int<int8_t>(v); return;
    case DType::U8: static_cast<uint8_t*>(p)[i] = saturate_int<uint8_t>(v); return;
    case DType::I32: static_cast<int32_t*>(p)[i] = saturate_int<int32_t>(v); return;
    case DType::I64: static_cast<int64_t*>(p)[i] = saturate_int<int64_t>(v); return;
    case DType::Bool: static_cast<uint8_t*>(p)[i] = v.is_int ? v.i != 0 : v.d != 0.0; return;
    case DType::F64: static_cast<double*>(p)[i] = v.is_int ? static_cast<double>(v.i) : v.d; return;
    case DType::U16: static_cast<uint16_t*>(p)[i] = saturate_int<uint16_t>(v); return;
    case DType::U32: static_cast<uint32_t*>(p)[i] = saturate_int<uint32_t>(v); return;
    case DType::U64: static_cast<uint64_t*>(p)[i] = saturate_int<uint64_t>(v); return;
    case DType::Count: return;
  }
}

}  // namespace

size_t dtype_size(DType t) {
  switch (t) {
    case DType::F32: case DType::I32: case DType::U32: return 4;
    case DType::F16: case DType::BF16: case DType::U16: return 2;
    case DType::I8: case DType::U8: case DType::Bool: return 1;
    case DType::I64: case DType::F64: case DType::U64: return 8;
    case DType::Count: break;
  }
  return 0;
}

const char* dtype_name(DType t) {
  static const char* names[] = {"float32", "float16", "bfloat16", "int8",    "uint8",  "int32",
                                "int64",   "bool",    "float64",  "uint16", "uint32", "uint64"};
  static_assert(sizeof(names) / sizeof(names[0]) == static_cast<size_t>(DType::Count), "one name per DType");
  return t < DType::Count ? names[static_cast<int>(t)] : "unknown";
}

Shape transpose_shape(const Shape& in, const std::vector<int64_t>& perm) {
  if (perm.size() != in.size())
    throw std::invalid_argument("transpose: perm has " + std::to_string(perm.size()) + " entries, expected " +
                                std::to_string(in.size()));
  std::vector<bool> seen(in.size(), false);
  Shape out(in.size());
  for (size_t i = 0; i < perm.size(); ++i) {
    const int64_t p = perm[i];
    if (p < 0 || p >= static_cast<int64_t>(in.size()) || seen[p])
      throw std::invalid_argument("transpose: perm must be a permutation of 0.." + std::to_string(in.size() - 1));
    seen[p] = true;
    out[i] = in[p];
  }
  return out;
}

void transpose(size_t es, const void* x, const Shape& in, const std::vector<int64_t>& perm, void* y) {
  const Shape out = transpose_shape(in, perm), st = contiguous_strides(in);
  Shape strides(out.size());
  for (size_t i = 0; i < out.size(); ++i) strides[i] = st[perm[i]];
  strided_copy(es, static_cast<const uint8_t*>(x), out, strides, static_cast<uint8_t*>(y));
}

SliceSpec slice_spec(const Shape& in, const std::vector<int64_t>& starts, const std::vector<int64_t>& ends,
                     const std::vector<int64_t>& axes_in, const std::vector<int64_t>& steps_in) {
  const int64_t rank = static_cast<int64_t>(in.size());
  if (starts.size() != ends.size()) throw std::invalid_argument("slice: starts and ends must have the same length");
  std::vector<int64_t> axes = axes_in;
  if (axes.empty())
    for (size_t i = 0; i < starts.size(); ++i) axes.push_back(static_cast<int64_t>(i));
  if (axes.size() != starts.size()) throw std::invalid_argument("slice: axes must have as many entries as starts");
  if (!steps_in.empty() && steps_in.size() != starts.size())
    throw std::invalid_argument("slice: steps must have as many entries as starts");
  SliceSpec s{Shape(rank, 0), Shape(rank, 1), in};
  std::vector<bool> seen(rank, false);
  for (size_t i = 0; i < axes.size(); ++i) {
    const int64_t ax = normalize_axis(axes[i], rank, "slice");
    if (seen[ax]) throw std::invalid_argument("slice: axis " + std::to_string(ax) + " repeated");
    seen[ax] = true;
    const int64_t step = steps_in.empty() ? 1 : steps_in[i];
    if (step == 0) throw std::invalid_argument("slice: steps must be non-zero");
    const int64_t dim = in[ax];
    auto clamp_index = [&](int64_t v, int64_t lo, int64_t hi) {
      if (v < 0) v += dim;  // negative indices count from the end
      return std::min(std::max(v, lo), hi);
    };
    int64_t b, e;
    if (step > 0) {
      b = clamp_index(starts[i], 0, dim);
      e = clamp_index(ends[i], 0, dim);
    } else {
      b = clamp_index(starts[i], -1, dim - 1);
      e = clamp_index(ends[i], -1, dim - 1);
    }
    const int64_t len = step > 0 ? (e > b ? (e - b + step - 1) / step : 0) : (b > e ? (b - e + (-step) - 1) / (-step) : 0);
    s.starts[ax] = len > 0 ? b : 0;
    s.steps[ax] = step;
    s.out_shape[ax] = len;
  }
  return s;
}

void slice(size_t es, const void* x, const Shape& in, const SliceSpec& spec, void* y) {
  const Shape st = contiguous_strides(in);
  Shape strides(in.size());
  int64_t offset = 0;
  for (size_t i = 0; i < in.size(); ++i) {
    offset += spec.starts[i] * st[i];
    strides[i] = st[i] * spec.steps[i];
  }
  strided_copy(es, static_cast<const uint8_t*>(x) + offset * static_cast<int64_t>(es), spec.out_shape, strides,
               static_cast<uint8_t*>(y));
}

Shape concat_shape(const std::vector<Shape>& inputs, int64_t axis) {
  if (inputs.empty()) throw std::invalid_argument("concat: needs at least one input");
  const Shape& first = inputs[0];
  const int64_t ax = normalize_axis(axis, static_cast<int64_t>(first.size()), "concat");
  Shape out = first;
  out[ax] = 0;
  for (size_t i = 0; i < inputs.size(); ++i) {
    const Shape& s = inputs[i];
    bool ok = s.size() == first.size();
    for (size_t d = 0; ok && d < s.size(); ++d) ok = static_cast<int64_t>(d) == ax || s[d] == first[d];
    if (!ok)
      throw std::invalid_argument("concat: input " + std::to_string(i) + " has shape " + shape_str(s) +
                                  ", expected it to match " + shape_str(first) + " except on axis " + std::to_string(ax));
    out[ax] += s[ax];
  }
  numel(out, "concat output");
  return out;
}

void concat(size_t es, const std::vector<const void*>& xs, const std::vector<Shape>& shapes, int64_t axis, void* y) {
  const Shape out = concat_shape(shapes, axis);
  const int64_t ax = normalize_axis(axis, static_cast<int64_t>(out.size()), "concat");
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < ax; ++d) outer *= out[d];
  for (size_t d = ax + 1; d < out.size(); ++d) inner *= out[d];
  const int64_t out_row = out[ax] * inner * static_cast<int64_t>(es);
  parallel_for(static_cast<size_t>(outer), 64, [&](size_t b, size_t e) {
    for (size_t o = b; o < e; ++o) {
      uint8_t* dst = static_cast<uint8_t*>(y) + o * out_row;
      for (size_t i = 0; i < xs.size(); ++i) {
        const int64_t bytes = shapes[i][ax] * inner * static_cast<int64_t>(es);
        if (bytes) std::memcpy(dst, static_cast<const uint8_t*>(xs[i]) + o * bytes, bytes);
        dst += bytes;
      }
    }
  });
}

Shape gather_shape(const Shape& data, const Shape& indices, int64_t axis) {
  const int64_t ax = normalize_axis(axis, static_cast<int64_t>(data.size()), "gather");
  Shape out(data.begin(), data.begin() + ax);
  out.insert(out.end(), indices.begin(), indices.end());
  out.insert(out.end(), data.begin() + ax + 1, data.end());
  numel(out, "gather output");
  return out;
}

void check_gather_indices(const Shape& ds, const int64_t* indices, const Shape& is, int64_t axis) {
  const int64_t ax = normalize_axis(axis, static_cast<int64_t>(ds.size()), "gather");
  const int64_t count = numel(is, "gather indices"), dim = ds[ax];
  for (int64_t i = 0; i < count; ++i)
    if (indices[i] < -dim || indices[i] >= dim)
      throw std::invalid_argument("gather: indices[" + std::to_string(i) + "] = " + std::to_string(indices[i]) +
                                  " is out of range [" + std::to_string(-dim) + ", " + std::to_string(dim) +
                                  ") for axis " + std::to_string(ax));
}

void gather(size_t es, const void* data, const Shape& ds, const int64_t* indices, const Shape& is, int64_t axis, void* y) {
  check_gather_indices(ds, indices, is, axis);
  const int64_t ax = normalize_axis(axis, static_cast<int64_t>(ds.size()), "gather");
  const int64_t count = numel(is, "gather indices"), dim = ds[ax];
  int64_t outer = 1, inner = 1;
  for (int64_t d = 0; d < ax; ++d) outer *= ds[d];
  for (size_t d = ax + 1; d < ds.size(); ++d) inner *= ds[d];
  const int64_t block = inner * static_cast<int64_t>(es);
  parallel_for(static_cast<size_t>(outer * count), 256, [&](size_t b, size_t e) {
    for (size_t t = b; t < e; ++t) {
      const int64_t o = static_cast<int64_t>(t) / count, i = static_cast<int64_t>(t) % count;
      const int64_t idx = indices[i] < 0 ? indices[i] + dim : indices[i];
      std::memcpy(static_cast<uint8_t*>(y) + t * block, static_cast<const uint8_t*>(data) + (o * dim + idx) * block, block);
    }
  });
}

void cast(DType from, const void* x, DType to, void* y, int64_t n) {
  parallel_for(static_cast<size_t>(n), 16384, [&](size_t b, size_t e) {
    for (size_t i = b; i < e; ++i) write_value(to, y, static_cast<int64_t>(i), read_value(from, x, static_cast<int64_t>(i)));
  });
}

}  // namespace verinfer
