// Row reductions in the one canonical order (docs/determinism.md): 16 lanes, lane j takes elements
// j, j+16, j+32, ... in order (the ragged tail lands in lanes 0..r-1), then a fixed tree
// j += j+8, j+4, j+2, j+1. AVX-512 holds the 16 lanes in one register, AVX2 in two, scalar in 16.
#pragma once

namespace VI_ISA_NS {

using verinfer::ReduceOp;

constexpr int kLanes = 16;
constexpr int kLaneVecs = kLanes / VecF::width;

struct SumStep {
  static float identity() { return -0.0f; }  // -0 + x == x for every x, +0 and -0 included
  static VecF apply(VecF acc, VecF x) { return acc + x; }
  static float apply(float acc, float x) { return acc + x; }
};
struct SquareSumStep {
  static float identity() { return -0.0f; }
  static VecF apply(VecF acc, VecF x) { return fma(x, x, acc); }
};
struct ProdStep {
  static float identity() { return 1.0f; }
  static VecF apply(VecF acc, VecF x) { return acc * x; }
  static float apply(float acc, float x) { return acc * x; }
};
struct MaxStep {
  static float identity() { return -__builtin_inff(); }
  static VecF apply(VecF acc, VecF x) { return max_ieee(acc, x); }
  static float apply(float acc, float x) { return max_ieee(VecF::set1(acc), VecF::set1(x)).lane(0); }
};
struct MinStep {
  static float identity() { return __builtin_inff(); }
  static VecF apply(VecF acc, VecF x) { return min_ieee(acc, x); }
  static float apply(float acc, float x) { return min_ieee(VecF::set1(acc), VecF::set1(x)).lane(0); }
};

// Folds the 16 lane partials with the fixed tree. Combine is the reduction's own scalar step.
template <class Combine>
inline float fold_lanes(const VecF (&acc)[kLaneVecs]) {
  float lanes[kLanes];
  for (int v = 0; v < kLaneVecs; ++v)
    for (int l = 0; l < VecF::width; ++l) lanes[v * VecF::width + l] = acc[v].lane(l);
  for (int width = kLanes / 2; width >= 1; width /= 2)
    for (int j = 0; j < width; ++j) lanes[j] = Combine::apply(lanes[j], lanes[j + width]);
  return lanes[0];
}

// Runs Step over one row, feeding each element through Map first (Map is the identity for plain
// reductions, x - shift squared for variance, exp(x - max) for softmax).
template <class Step, class Map>
inline void accumulate_row(const float* x, size_t n, VecF (&acc)[kLaneVecs], Map map) {
  const VecF id = VecF::set1(Step::identity());
  for (int v = 0; v < kLaneVecs; ++v) acc[v] = id;
  size_t i = 0;
  for (; i + kLanes <= n; i += kLanes)
    for (int v = 0; v < kLaneVecs; ++v) acc[v] = Step::apply(acc[v], map(VecF::load(x + i + v * VecF::width)));
  if (i < n) {
    const int rest = static_cast<int>(n - i);
    for (int v = 0; v < kLaneVecs; ++v) {
      const int count = rest - v * VecF::width;
      if (count <= 0) break;
      // Lanes past the tail would see the identity: skip them instead (same bits, and Map may not
      // map the identity to itself).
      VecF mapped = map(VecF::load_partial(x + i + v * VecF::width, count));
      VecF stepped = Step::apply(acc[v], mapped);
      acc[v] = count >= VecF::width ? stepped : blend_first(count, stepped, acc[v]);
    }
  }
}

struct IdentityMap {
  VecF operator()(VecF x) const { return x; }
};

template <class Step, class Combine, class Map = IdentityMap>
inline float reduce_row(const float* x, size_t n, Map map = Map()) {
  VecF acc[kLaneVecs];
  accumulate_row<Step>(x, n, acc, map);
  return fold_lanes<Combine>(acc);
}

inline float reduce_one(ReduceOp op, const float* x, size_t n) {
  switch (op) {
    case ReduceOp::Sum: return n == 0 ? 0.0f : reduce_row<SumStep, SumStep>(x, n);
    case ReduceOp::Mean: return reduce_row<SumStep, SumStep>(x, n) / static_cast<float>(n);
    case ReduceOp::Max: return reduce_row<MaxStep, MaxStep>(x, n);
    case ReduceOp::Min: return reduce_row<MinStep, MinStep>(x, n);
    case ReduceOp::Prod: return reduce_row<ProdStep, ProdStep>(x, n);
    case ReduceOp::SumSquare: return n == 0 ? 0.0f : reduce_row<SquareSumStep, SumStep>(x, n);
    case ReduceOp::L2: return n == 0 ? 0.0f : __builtin_sqrtf(reduce_row<SquareSumStep, SumStep>(x, n));
    case ReduceOp::Count: break;
  }
  return 0.0f;
}

inline void reduce_rows(ReduceOp op, const float* x, size_t rows, size_t len, float* y) {
  for (size_t r = 0; r < rows; ++r) y[r] = reduce_one(op, x + r * len, len);
}

// The row max of softmax. A nonzero max without NaN is one value whatever the order, so four chains of
// plain compares run at throughput instead of the canonical one at latency. Sums beside them catch any
// NaN (Inf - Inf too, which only costs the canonical pass); a row with a NaN, whose result depends on
// which NaN is met last, or a zero max, -0 or +0 by order, takes the canonical chain.
inline float row_max(const float* x, size_t n) {
  constexpr size_t W = VecF::width;
  if (n < 4 * W) return reduce_row<MaxStep, MaxStep>(x, n);
  VecF m[4], sum[4];
  for (int c = 0; c < 4; ++c) m[c] = sum[c] = VecF::load(x + c * W);
  size_t i = 4 * W;
  for (; i + 4 * W <= n; i += 4 * W)
    for (int c = 0; c < 4; ++c) {
      const VecF v = VecF::load(x + i + c * W);
      m[c] = max_or_second(v, m[c]);
      sum[c] = sum[c] + v;
    }
  for (; i + W <= n; i += W) {
    const VecF v = VecF::load(x + i);
    m[0] = max_or_second(v, m[0]);
    sum[0] = sum[0] + v;
  }
  if (i < n) {
    const int count = static_cast<int>(n - i);
    const VecF v = VecF::load_partial(x + i, count);
    m[0] = blend_first(count, max_or_second(v, m[0]), m[0]);
    sum[0] = blend_first(count, sum[0] + v, sum[0]);
  }
  for (int c = 1; c < 4; ++c) {
    m[0] = max_or_second(m[c], m[0]);
    sum[0] = sum[0] + sum[c];
  }
  float best = m[0].lane(0), check = sum[0].lane(0);
  for (int l = 1; l < VecF::width; ++l) {
    best = m[0].lane(l) > best ? m[0].lane(l) : best;
    check += sum[0].lane(l);
  }
  return check != check || best == 0.0f ? reduce_row<MaxStep, MaxStep>(x, n) : best;
}

// exp(x - max) into y, summed as it is written in the canonical order: the bits of summing y after.
// The line of `next` (the following row, which the next max pass reads from memory; null after the
// last row) at each step is prefetched, so the memory system works while this compute-bound pass runs.
inline float exp_into_and_sum(const float* x, VecF max, float* y, size_t n, const float* next) {
  constexpr int W = VecF::width;
  static_assert(kLanes * sizeof(float) == 64, "one prefetch per cache line");
  VecF acc[kLaneVecs];
  for (int v = 0; v < kLaneVecs; ++v) acc[v] = VecF::set1(SumStep::identity());
  size_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    if (next) __builtin_prefetch(next + i);
    for (int v = 0; v < kLaneVecs; ++v) {
      const VecF e = exp(VecF::load(x + i + v * W) - max);
      e.store(y + i + v * W);
      acc[v] = acc[v] + e;
    }
  }
  for (int v = 0; v < kLaneVecs && i < n; ++v) {
    const int count = static_cast<int>(n - i) - v * W;
    if (count <= 0) break;
    const VecF e = exp(load_lanes(x + i + v * W, count) - max);
    store_lanes(e, y + i + v * W, count);
    acc[v] = count >= W ? acc[v] + e : blend_first(count, acc[v] + e, acc[v]);
  }
  return fold_lanes<SumStep>(acc);
}

inline void softmax_rows(const float* x, float* y, size_t rows, size_t len, bool log_form) {
  constexpr size_t W = VecF::width;
  for (size_t r = 0; r < rows; ++r) {
    const float* xr = x + r * len;
    float* yr = y + r * len;
    if (len == 0) continue;
    const VecF max = VecF::set1(row_max(xr, len));
    if (log_form) {
      // log softmax = (x - max) - log(sum)
      const float sum = reduce_row<SumStep, SumStep>(xr, len, [&](VecF v) { return exp(v - max); });
      const VecF log_sum = log(VecF::set1(sum));
      size_t i = 0;
      for (; i + W <= len; i += W) ((VecF::load(xr + i) - max) - log_sum).store(yr + i);
      if (i < len) {
        const int c = static_cast<int>(len - i);
        ((VecF::load_partial(xr + i, c) - max) - log_sum).store_partial(yr + i, c);
      }
    } else {
      // One division for the row, then products: a vector division costs several multiplies. A row with
      // a NaN (a NaN sum) divides instead: a product of two NaNs may return either payload, as compilers
      // swap a product's operands, where a quotient returns the dividend's.
      const float sum = exp_into_and_sum(xr, max, yr, len, r + 1 < rows ? xr + len : nullptr);
      const VecF s = VecF::set1(sum), inverse = VecF::set1(1.0f / sum);
      const bool nan_row = sum != sum;
      const auto normalized = [&](VecF e) { return nan_row ? e / s : e * inverse; };
      size_t i = 0;
      for (; i + W <= len; i += W) normalized(VecF::load(yr + i)).store(yr + i);
      if (i < len) {
        const int c = static_cast<int>(len - i);
        normalized(VecF::load_partial(yr + i, c)).store_partial(yr + i, c);
      }
    }
  }
}

// y = (x - mean) * rstd [* gamma] [+ beta], mean and variance in two canonical passes,
// rstd = 1 / sqrt(var + eps) (both correctly rounded).
inline void layernorm_rows(const float* x, const float* gamma, const float* beta, float eps, float* y, size_t rows,
                           size_t len) {
  constexpr size_t W = VecF::width;
  const float n = static_cast<float>(len);
  for (size_t r = 0; r < rows; ++r) {
    const float* xr = x + r * len;
    float* yr = y + r * len;
    if (len == 0) continue;
    const VecF mean = VecF::set1(reduce_row<SumStep, SumStep>(xr, len) / n);
    const float var = reduce_row<SquareSumStep, SumStep>(xr, len, [&](VecF v) { return v - mean; }) / n;
    const VecF rstd = VecF::set1(1.0f / __builtin_sqrtf(var + eps));
    auto normalize = [&](size_t i, int c) {
      VecF v = (c == static_cast<int>(W) ? VecF::load(xr + i) : VecF::load_partial(xr + i, c)) - mean;
      v = v * rstd;
      if (gamma) v = v * (c == static_cast<int>(W) ? VecF::load(gamma + i) : VecF::load_partial(gamma + i, c));
      if (beta) v = v + (c == static_cast<int>(W) ? VecF::load(beta + i) : VecF::load_partial(beta + i, c));
      return v;
    };
    size_t i = 0;
    for (; i + W <= len; i += W) normalize(i, W).store(yr + i);
    if (i < len) normalize(i, static_cast<int>(len - i)).store_partial(yr + i, static_cast<int>(len - i));
  }
}

}  // namespace VI_ISA_NS
