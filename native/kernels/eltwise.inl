// Elementwise kernels over VecF: unary math, broadcasting binary rows, comparisons, channel affine.
// Included by each native/isa/<isa>.cpp inside its own namespace.
#pragma once

namespace VI_ISA_NS {

using verinfer::BinaryOp;
using verinfer::CompareOp;
using verinfer::RowOperand;
using verinfer::UnaryOp;
using verinfer::UnaryParams;

// The first `count` lanes (1..width) at p, whole-vector access when count is the width.
inline VecF load_lanes(const float* p, int count) {
  return count == VecF::width ? VecF::load(p) : VecF::load_partial(p, count);
}

inline void store_lanes(VecF x, float* p, int count) {
  if (count == VecF::width) x.store(p);
  else x.store_partial(p, count);
}

template <UnaryOp Op>
inline VecF unary_apply(VecF x, const UnaryParams& p) {
  const VecF zero = VecF::zero(), one = VecF::set1(1.0f), half = VecF::set1(0.5f);
  if constexpr (Op == UnaryOp::Identity) return x;
  if constexpr (Op == UnaryOp::Relu) return select(gt(x, zero), x, select(is_nan(x), x, zero));
  if constexpr (Op == UnaryOp::LeakyRelu) return select(lt(x, zero), x * VecF::set1(p.alpha), x);
  if constexpr (Op == UnaryOp::Sigmoid) return sigmoid(x);
  if constexpr (Op == UnaryOp::Tanh) return tanh(x);
  if constexpr (Op == UnaryOp::Exp) return exp(x);
  if constexpr (Op == UnaryOp::Log) return log(x);
  if constexpr (Op == UnaryOp::Sqrt) return sqrt(x);
  if constexpr (Op == UnaryOp::Erf) return erf(x);
  if constexpr (Op == UnaryOp::GeluErf) return (x * half) * (one + erf(x * VecF::set1(0.707106781186547524f)));
  if constexpr (Op == UnaryOp::GeluTanh) {
    VecF inner = VecF::set1(0.797884560802865356f) * (x + VecF::set1(0.044715f) * (x * x * x));
    return (x * half) * (one + tanh(inner));
  }
  if constexpr (Op == UnaryOp::Abs) return abs(x);
  if constexpr (Op == UnaryOp::Neg) return neg(x);
  if constexpr (Op == UnaryOp::Clip) return clamp_above(clamp_below(x, p.alpha), p.beta);
  if constexpr (Op == UnaryOp::HardSigmoid) {
    return clamp_above(clamp_below(x * VecF::set1(p.alpha) + VecF::set1(p.beta), 0.0f), 1.0f);
  }
  if constexpr (Op == UnaryOp::Softplus) {
    return select(gt(x, zero), x, zero) + log1p(exp(neg(abs(x))));
  }
  if constexpr (Op == UnaryOp::Floor) return floor(x);
  if constexpr (Op == UnaryOp::Ceil) return neg(floor(neg(x)));
  if constexpr (Op == UnaryOp::Round) return round_even(x);
  if constexpr (Op == UnaryOp::Sin) return sin_cos(x, false);
  if constexpr (Op == UnaryOp::Cos) return sin_cos(x, true);
  if constexpr (Op == UnaryOp::Atan) return atan(x);
}

template <UnaryOp Op>
void unary_loop(const UnaryParams& p, const float* x, float* y, size_t n) {
  constexpr size_t W = VecF::width;
  size_t i = 0;
  for (; i + W <= n; i += W) unary_apply<Op>(VecF::load(x + i), p).store(y + i);
  if (i < n) unary_apply<Op>(VecF::load_partial(x + i, static_cast<int>(n - i)), p).store_partial(y + i, static_cast<int>(n - i));
}

inline void unary(const UnaryParams& p, const float* x, float* y, size_t n) {
  switch (p.op) {
#define VI_UNARY_CASE(name) \
  case UnaryOp::name: return unary_loop<UnaryOp::name>(p, x, y, n);
    VI_UNARY_CASE(Identity) VI_UNARY_CASE(Relu) VI_UNARY_CASE(LeakyRelu) VI_UNARY_CASE(Sigmoid)
    VI_UNARY_CASE(Tanh) VI_UNARY_CASE(Exp) VI_UNARY_CASE(Log) VI_UNARY_CASE(Sqrt) VI_UNARY_CASE(Erf)
    VI_UNARY_CASE(GeluErf) VI_UNARY_CASE(GeluTanh) VI_UNARY_CASE(Abs) VI_UNARY_CASE(Neg) VI_UNARY_CASE(Clip)
    VI_UNARY_CASE(HardSigmoid) VI_UNARY_CASE(Softplus) VI_UNARY_CASE(Floor) VI_UNARY_CASE(Ceil)
    VI_UNARY_CASE(Round) VI_UNARY_CASE(Sin) VI_UNARY_CASE(Cos) VI_UNARY_CASE(Atan)
#undef VI_UNARY_CASE
    case UnaryOp::Count: break;
  }
}

// A sum or product of two NaNs keeps the payload of the instruction's first operand, and compilers may
// swap the operands of a commutative operation. With b replaced by a where a is NaN, the result is a's
// NaN (quieted) in either order. Sub and Div are never swapped: a stays first.
inline VecF nan_from_a(VecF a, VecF b) { return select(is_nan(a), a, b); }

template <BinaryOp Op>
inline VecF binary_apply(VecF a, VecF b) {
  if constexpr (Op == BinaryOp::Add) return a + nan_from_a(a, b);
  if constexpr (Op == BinaryOp::Sub) return a - b;
  if constexpr (Op == BinaryOp::Mul) return a * nan_from_a(a, b);
  if constexpr (Op == BinaryOp::Div) return a / b;
  if constexpr (Op == BinaryOp::Max) return max_ieee(a, b);
  if constexpr (Op == BinaryOp::Min) return min_ieee(a, b);
}

// Loads W elements of a row operand starting at element i (stride 0 repeats its single value).
inline VecF load_operand(RowOperand o, size_t i, int count) {
  if (o.stride == 0) return VecF::set1(o.data[0]);
  return count == VecF::width ? VecF::load(o.data + i) : VecF::load_partial(o.data + i, count);
}

template <BinaryOp Op>
void binary_loop(RowOperand a, RowOperand b, float* y, size_t n) {
  constexpr size_t W = VecF::width;
  size_t i = 0;
  for (; i + W <= n; i += W) binary_apply<Op>(load_operand(a, i, W), load_operand(b, i, W)).store(y + i);
  if (i < n) {
    const int r = static_cast<int>(n - i);
    binary_apply<Op>(load_operand(a, i, r), load_operand(b, i, r)).store_partial(y + i, r);
  }
}

inline void binary(BinaryOp op, RowOperand a, RowOperand b, float* y, size_t n) {
  switch (op) {
    case BinaryOp::Add: return binary_loop<BinaryOp::Add>(a, b, y, n);
    case BinaryOp::Sub: return binary_loop<BinaryOp::Sub>(a, b, y, n);
    case BinaryOp::Mul: return binary_loop<BinaryOp::Mul>(a, b, y, n);
    case BinaryOp::Div: return binary_loop<BinaryOp::Div>(a, b, y, n);
    case BinaryOp::Max: return binary_loop<BinaryOp::Max>(a, b, y, n);
    case BinaryOp::Min: return binary_loop<BinaryOp::Min>(a, b, y, n);
    case BinaryOp::Pow:
      // Pow has one scalar definition shared by all paths (core/pow.cpp).
      for (size_t i = 0; i < n; ++i) y[i] = verinfer::pow_f32(a.data[i * a.stride], b.data[i * b.stride]);
      return;
    case BinaryOp::Count: return;
  }
}

// Comparisons are exact, so one scalar loop (auto-vectorised per ISA) serves every path.
template <CompareOp Op>
void compare_loop(RowOperand a, RowOperand b, uint8_t* y, size_t n) {
  for (size_t i = 0; i < n; ++i) {
    const float x = a.data[i * a.stride], z = b.data[i * b.stride];
    bool r = false;
    if constexpr (Op == CompareOp::Equal) r = x == z;
    if constexpr (Op == CompareOp::Less) r = x < z;
    if constexpr (Op == CompareOp::LessOrEqual) r = x <= z;
    if constexpr (Op == CompareOp::Greater) r = x > z;
    if constexpr (Op == CompareOp::GreaterOrEqual) r = x >= z;
    y[i] = r ? 1 : 0;
  }
}

inline void compare(CompareOp op, RowOperand a, RowOperand b, uint8_t* y, size_t n) {
  switch (op) {
    case CompareOp::Equal: return compare_loop<CompareOp::Equal>(a, b, y, n);
    case CompareOp::Less: return compare_loop<CompareOp::Less>(a, b, y, n);
    case CompareOp::LessOrEqual: return compare_loop<CompareOp::LessOrEqual>(a, b, y, n);
    case CompareOp::Greater: return compare_loop<CompareOp::Greater>(a, b, y, n);
    case CompareOp::GreaterOrEqual: return compare_loop<CompareOp::GreaterOrEqual>(a, b, y, n);
    case CompareOp::Count: return;
  }
}

inline void affine(const float* x, float mean, float scale, float shift, float* y, size_t n) {
  constexpr size_t W = VecF::width;
  const VecF m = VecF::set1(mean), s = VecF::set1(scale), b = VecF::set1(shift);
  size_t i = 0;
  for (; i + W <= n; i += W) ((VecF::load(x + i) - m) * s + b).store(y + i);
  if (i < n) {
    const int r = static_cast<int>(n - i);
    ((VecF::load_partial(x + i, r) - m) * s + b).store_partial(y + i, r);
  }
}

}  // namespace VI_ISA_NS
