#include "ops/integer.h"

#include <cmath>
#include <stdexcept>
#include <type_traits>

#include "ops/broadcast.h"

namespace verinfer {
namespace {

// Arithmetic in the unsigned type of the same width: wrapping is defined there.
template <class T>
T wrap(std::make_unsigned_t<T> v) {
  return static_cast<T>(v);
}

// float64: IEEE arithmetic on the baseline ISA (no fma contraction), NaN propagating through max/min.
double apply_double(IntOp op, double a, double b) {
  switch (op) {
    case IntOp::Add: return a + b;
    case IntOp::Sub: return a - b;
    case IntOp::Mul: return a * b;
    case IntOp::Div: return a / b;
    case IntOp::Max: return std::isnan(a) || a > b ? a : b;
    case IntOp::Min: return std::isnan(a) || a < b ? a : b;
    case IntOp::FMod: return std::fmod(a, b);
    case IntOp::Mod: {
      const double r = std::fmod(a, b);
      return r != 0 && ((r < 0) != (b < 0)) ? r + b : r;
    }
    default: return 0;
  }
}

template <class T>
T apply_int(IntOp op, T a, T b) {
  using U = std::make_unsigned_t<T>;
  switch (op) {
    case IntOp::Add: return wrap<T>(static_cast<U>(static_cast<U>(a) + static_cast<U>(b)));
    case IntOp::Sub: return wrap<T>(static_cast<U>(static_cast<U>(a) - static_cast<U>(b)));
    case IntOp::Mul: return wrap<T>(static_cast<U>(static_cast<U>(a) * static_cast<U>(b)));
    case IntOp::Div:
      // The one overflowing quotient (INT_MIN / -1) wraps to INT_MIN.
      if (std::is_signed_v<T> && b == static_cast<T>(-1)) return wrap<T>(static_cast<U>(U{0} - static_cast<U>(a)));
      return static_cast<T>(a / b);
    case IntOp::Max: return a > b ? a : b;
    case IntOp::Min: return a < b ? a : b;
    case IntOp::FMod:
      if (std::is_signed_v<T> && b == static_cast<T>(-1)) return 0;
      return static_cast<T>(a % b);
    case IntOp::Mod: {
      // Python's %: the remainder takes the sign of the divisor.
      if constexpr (std::is_signed_v<T>) {
        if (b == -1) return 0;
        T r = static_cast<T>(a % b);
        if (r != 0 && ((r < 0) != (b < 0))) r = static_cast<T>(r + b);
        return r;
      }
      return static_cast<T>(a % b);
    }
    case IntOp::Pow: {
      // A negative exponent leaves only 1 and -1 with integer powers; the rest truncate to 0.
      if constexpr (std::is_signed_v<T>) {
        if (b < 0) return a == 1 ? T{1} : (a == -1 ? ((b & 1) ? a : T{1}) : T{0});
      }
      U result = 1, base = static_cast<U>(a);
      for (auto e = static_cast<U>(b); e; e >>= 1) {
        if (e & 1) result = static_cast<U>(result * base);
        base = static_cast<U>(base * base);
      }
      return wrap<T>(result);
    }
    case IntOp::And: return static_cast<T>(a & b);
    case IntOp::Or: return static_cast<T>(a | b);
    case IntOp::Xor: return static_cast<T>(a ^ b);
    case IntOp::ShiftLeft:
      return static_cast<U>(b) >= sizeof(T) * 8 ? T{0} : wrap<T>(static_cast<U>(static_cast<U>(a) << static_cast<U>(b)));
    case IntOp::ShiftRight:
      return static_cast<U>(b) >= sizeof(T) * 8 ? T{0} : static_cast<T>(static_cast<U>(a) >> static_cast<U>(b));
    case IntOp::Count: break;
  }
  return 0;
}

template <class T>
T apply(IntOp op, T a, T b) {
  if constexpr (std::is_floating_point_v<T>) return static_cast<T>(apply_double(op, a, b));
  else return apply_int<T>(op, a, b);
}

template <class T>
bool compare_one(CompareOp op, T a, T b) {
  switch (op) {
    case CompareOp::Equal: return a == b;
    case CompareOp::Less: return a < b;
    case CompareOp::LessOrEqual: return a <= b;
    case CompareOp::Greater: return a > b;
    case CompareOp::GreaterOrEqual: return a >= b;
    case CompareOp::Count: break;
  }
  return false;
}

template <class T>
void binary_typed(IntOp op, const T* a, const Shape& as, const T* b, const Shape& bs, T* y) {
  if (!std::is_floating_point_v<T> && (op == IntOp::Div || op == IntOp::Mod || op == IntOp::FMod)) {
    const int64_t n = numel(bs, "divisor");
    for (int64_t i = 0; i < n; ++i)
      if (b[i] == 0) throw std::domain_error("integer division by zero");
  }
  for_each_broadcast_row(as, bs, [&](int64_t oa, int64_t sa, int64_t ob, int64_t sb, int64_t oy, int64_t n) {
    for (int64_t i = 0; i < n; ++i) y[oy + i] = apply<T>(op, a[oa + i * sa], b[ob + i * sb]);
  });
}

template <class T>
void compare_typed(CompareOp op, const T* a, const Shape& as, const T* b, const Shape& bs, uint8_t* y) {
  for_each_broadcast_row(as, bs, [&](int64_t oa, int64_t sa, int64_t ob, int64_t sb, int64_t oy, int64_t n) {
    for (int64_t i = 0; i < n; ++i) y[oy + i] = compare_one<T>(op, a[oa + i * sa], b[ob + i * sb]) ? 1 : 0;
  });
}

// Calls f(T{}) with T the C type of an integer or bool dtype.
template <class F>
void with_int_type(DType dtype, F f) {
  switch (dtype) {
    case DType::I8: return f(int8_t{});
    case DType::U8: case DType::Bool: return f(uint8_t{});
    case DType::I32: return f(int32_t{});
    case DType::I64: return f(int64_t{});
    case DType::U16: return f(uint16_t{});
    case DType::U32: return f(uint32_t{});
    case DType::U64: return f(uint64_t{});
    case DType::F64: return f(double{});
    case DType::F32: return f(float{});
    default: throw std::invalid_argument(std::string("integer op on ") + dtype_name(dtype));
  }
}

}  // namespace

bool int_op_supports(IntOp op, DType dtype) {
  const bool logical = op == IntOp::And || op == IntOp::Or || op == IntOp::Xor;
  if (dtype == DType::Bool) return logical;
  if (dtype == DType::F64) return op <= IntOp::FMod;  // arithmetic, max/min and the two remainders
  if (dtype == DType::F32) return op == IntOp::FMod;  // the rest of float32 has SIMD kernels
  return dtype == DType::I8 || dtype == DType::U8 || dtype == DType::I32 || dtype == DType::I64 || dtype == DType::U16 ||
         dtype == DType::U32 || dtype == DType::U64;
}

void int_binary(IntOp op, DType dtype, const void* a, const Shape& a_shape, const void* b, const Shape& b_shape, void* y) {
  if (!int_op_supports(op, dtype)) throw std::invalid_argument(std::string("integer op not defined on ") + dtype_name(dtype));
  with_int_type(dtype, [&](auto tag) {
    using T = decltype(tag);
    binary_typed<T>(op, static_cast<const T*>(a), a_shape, static_cast<const T*>(b), b_shape, static_cast<T*>(y));
  });
}

void int_compare(CompareOp op, DType dtype, const void* a, const Shape& a_shape, const void* b, const Shape& b_shape,
                 uint8_t* y) {
  with_int_type(dtype, [&](auto tag) {
    using T = decltype(tag);
    compare_typed<T>(op, static_cast<const T*>(a), a_shape, static_cast<const T*>(b), b_shape, y);
  });
}

void cumsum(DType dtype, const void* x, const Shape& shape, int64_t axis, bool exclusive, bool reverse, void* y) {
  if (dtype == DType::Bool || dtype == DType::F16 || dtype == DType::BF16) throw std::invalid_argument(std::string("cumsum on ") + dtype_name(dtype));
  const auto a = static_cast<size_t>(normalize_axis(axis, static_cast<int64_t>(shape.size()), "cumsum"));
  const int64_t dim = shape[a];
  const int64_t outer = numel(Shape(shape.begin(), shape.begin() + static_cast<int64_t>(a)), "cumsum");
  const int64_t inner = numel(Shape(shape.begin() + static_cast<int64_t>(a) + 1, shape.end()), "cumsum");
  with_int_type(dtype, [&](auto tag) {
    using T = decltype(tag);
    const T* src = static_cast<const T*>(x);
    T* dst = static_cast<T*>(y);
    for (int64_t o = 0; o < outer; ++o)
      for (int64_t i = 0; i < inner; ++i) {
        T acc = 0;
        for (int64_t step = 0; step < dim; ++step) {
          const int64_t k = reverse ? dim - 1 - step : step;
          const int64_t at = (o * dim + k) * inner + i;
          if (exclusive) dst[at] = acc;
          acc = apply<T>(IntOp::Add, acc, src[at]);
          if (!exclusive) dst[at] = acc;
        }
      }
  });
}

}  // namespace verinfer
