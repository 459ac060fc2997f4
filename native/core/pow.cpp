// Pow, the one transcendental with a single scalar definition shared by every path: log2 and exp2
// in IEEE double (own series, no libm), one final rounding to float.
#include <cmath>
#include <cstdint>
#include <cstring>

#include "core/kernel_table.h"

namespace verinfer {
namespace {

// log2(x) for finite x > 0: x = m * 2^e with m in [sqrt(1/2), sqrt(2)), log(m) = 2 atanh(s).
double log2_positive(double x) {
  int e = 0;
  uint64_t bits;
  std::memcpy(&bits, &x, 8);
  e = static_cast<int>((bits >> 52) & 0x7ff) - 1023;
  bits = (bits & 0x000fffffffffffffull) | 0x3ff0000000000000ull;
  double m;
  std::memcpy(&m, &bits, 8);
  if (m > 1.4142135623730951) {
    m *= 0.5;
    e += 1;
  }
  const double s = (m - 1.0) / (m + 1.0), z = s * s;
  double p = 2.0 / 21.0;
  for (int k = 9; k >= 0; --k) p = std::fma(p, z, 2.0 / (2 * k + 1));
  return e + (s * p) * 1.4426950408889634;
}

// 2^t for |t| < 1100: 2^n * e^(f ln2), Taylor to degree 13.
double exp2_double(double t) {
  const double n = std::nearbyint(t);
  const double r = (t - n) * 0.6931471805599453;
  double p = 1.0 / 6227020800.0;
  double fact = 6227020800.0;
  for (int k = 12; k >= 0; --k) {
    fact /= (k + 1);
    p = std::fma(p, r, 1.0 / fact);
  }
  return std::ldexp(p, static_cast<int>(n));
}

bool is_integer(float y) { return std::nearbyint(y) == y; }
bool is_odd_integer(float y) { return is_integer(y) && std::fabs(y) < 16777216.0f && (static_cast<int64_t>(y) & 1); }

}  // namespace

float pow_f32(float x, float y) {
  if (y == 0.0f || x == 1.0f) return 1.0f;
  if (std::isnan(x) || std::isnan(y)) return std::nanf("");
  const float inf = INFINITY;
  if (std::isinf(y)) {
    const float ax = std::fabs(x);
    if (ax == 1.0f) return 1.0f;
    return (ax > 1.0f) == (y > 0.0f) ? inf : 0.0f;
  }
  const bool odd = is_odd_integer(y);
  if (x == 0.0f) {
    const float mag = y < 0.0f ? inf : 0.0f;
    return odd ? std::copysign(mag, x) : mag;
  }
  if (std::isinf(x)) {
    const float mag = (y > 0.0f) ? inf : 0.0f;
    return (x < 0.0f && odd) ? -mag : mag;
  }
  if (x < 0.0f && !is_integer(y)) return std::nanf("");
  const double t = static_cast<double>(y) * log2_positive(std::fabs(static_cast<double>(x)));
  double r;
  if (t > 200.0) r = INFINITY;
  else if (t < -200.0) r = 0.0;
  else r = exp2_double(t);
  const float out = static_cast<float>(r);
  return (x < 0.0f && odd) ? -out : out;
}

}  // namespace verinfer
