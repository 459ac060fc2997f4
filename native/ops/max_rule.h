// The scalar max of N-d pooling, the rule of the vector max_first_nan of 2-D pooling (simd/math.h):
// the first NaN wins, and +0 is above -0.
#pragma once
#include <cmath>

namespace verinfer {

// Written as one select, no branches, so pooling loops vectorize.
inline float max_rule(float a, float b) {
  const bool take_b = (b > a) | ((a == b) & std::signbit(a)) | (std::isnan(b) & !std::isnan(a));
  return take_b ? b : a;
}

}  // namespace verinfer
