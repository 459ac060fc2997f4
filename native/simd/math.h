// Transcendental functions written once over the VecF wrapper of the including ISA file.
// Range reduction plus Horner polynomials with explicit fma: every path rounds the same operations
// in the same order, so scalar, AVX2 and AVX-512 agree bit for bit (docs/determinism.md).
#pragma once

namespace VI_ISA_NS {

inline VecF clamp_below(VecF x, float lo) { return select(lt(x, VecF::set1(lo)), VecF::set1(lo), x); }
inline VecF clamp_above(VecF x, float hi) { return select(gt(x, VecF::set1(hi)), VecF::set1(hi), x); }

// Max/min with explicit NaN and signed-zero rules: a NaN operand wins (b's if both are NaN),
// max(-0, +0) = +0 and min(-0, +0) = -0, independent of argument order.
inline VecF max_ieee(VecF a, VecF b) {
  VecF r = select(gt(a, b), a, b);
  r = select(eq(a, b), select(eq(a, VecF::zero()), a + b, a), r);
  return select(is_nan(b), b, select(is_nan(a), a, r));
}
inline VecF min_ieee(VecF a, VecF b) {
  VecF r = select(lt(a, b), a, b);
  r = select(eq(a, b), select(eq(a, VecF::zero()), neg(neg(a) + neg(b)), a), r);
  return select(is_nan(b), b, select(is_nan(a), a, r));
}

// The pooling max, lane by lane the max_rule of ops/max_rule.h: a NaN wins (a's if both are NaN, where
// max_ieee keeps b's), and +0 is above -0.
inline VecF max_first_nan(VecF a, VecF b) {
  // Equal values keep their common bits, which makes +0 of a ±0 pair; b wins ties with a NaN b.
  const VecF r = select(eq(a, b), bit_and(a, b), select(gt(a, b), a, b));
  return select(is_nan(a), a, r);
}

// max_first_nan of two operands that are not NaN, in three instructions: of unequal values both
// orders give the larger, and of equal ones the AND of the two is max_first_nan's common bits.
inline VecF max_of_numbers(VecF a, VecF b) { return bit_and(max_or_second(a, b), max_or_second(b, a)); }

constexpr float kLn2Hi = 0.693145751953125f;
constexpr float kLn2Lo = 1.42860682030941723212e-6f;
constexpr float kLog2e = 1.44269504088896341f;

// e^r - 1 for |r| <= ln2/2: Taylor to r^8 (truncation error < 1e-9 relative).
inline VecF expm1_reduced(VecF r) {
  VecF p = VecF::set1(1.0f / 40320.0f);
  p = fma(p, r, VecF::set1(1.0f / 5040.0f));
  p = fma(p, r, VecF::set1(1.0f / 720.0f));
  p = fma(p, r, VecF::set1(1.0f / 120.0f));
  p = fma(p, r, VecF::set1(1.0f / 24.0f));
  p = fma(p, r, VecF::set1(1.0f / 6.0f));
  p = fma(p, r, VecF::set1(0.5f));
  p = fma(p, r, VecF::set1(1.0f));
  return p * r;
}

// n = round(x / ln2), r = x - n*ln2 in two fma steps (ln2_hi has few bits, so n*ln2_hi is exact).
inline VecF reduce_ln2(VecF x, VecF* n) {
  *n = round_even(x * VecF::set1(kLog2e));
  VecF r = fma(*n, VecF::set1(-kLn2Hi), x);
  return fma(*n, VecF::set1(-kLn2Lo), r);
}

// e^x for |x| <= 87, where n = round(x / ln2) lies in [-126, 126]: p * 2^n in one scaling. exp below
// scales in two halves, the first exact, so both round the same product once: the same bits.
inline VecF exp_moderate(VecF x) {
  VecF n;
  VecF r = reduce_ln2(x, &n);
  return (expm1_reduced(r) + VecF::set1(1.0f)) * pow2i(n);
}

inline VecF exp(VecF x) {
  if (all_true(mask_and(ge(x, VecF::set1(-87.0f)), le(x, VecF::set1(87.0f))))) return exp_moderate(x);
  // NaN lanes (restored at the end) reduce 0 instead, so no NaN reaches pow2i's float-to-int conversion.
  VecF xc = select(is_nan(x), VecF::zero(), clamp_above(clamp_below(x, -104.0f), 89.0f));
  VecF n;
  VecF r = reduce_ln2(xc, &n);
  VecF p = expm1_reduced(r) + VecF::set1(1.0f);
  // Scale by 2^n in two halves so results reach the subnormal range and overflow to Inf cleanly.
  VecF n1 = trunc(n * VecF::set1(0.5f));
  VecF y = (p * pow2i(n1)) * pow2i(n - n1);
  return select(is_nan(x), x, y);
}

// e^x - 1 for 0 <= x <= 20 (used by tanh): exact 2^n - 1 keeps small results accurate.
inline VecF expm1_nonneg(VecF x) {
  VecF n;
  VecF q = expm1_reduced(reduce_ln2(x, &n));
  VecF s = pow2i(n);
  return fma(s, q, s - VecF::set1(1.0f));
}

inline VecF log(VecF x) {
  const VecF one = VecF::set1(1.0f);
  auto subnormal = lt(x, VecF::set1(1.17549435e-38f));
  VecF xs = select(subnormal, x * VecF::set1(8388608.0f), x);
  VecF e = exponent_of(xs) - select(subnormal, VecF::set1(23.0f), VecF::zero());
  VecF m = mantissa_of(xs);
  auto high = gt(m, VecF::set1(1.41421356f));
  m = select(high, m * VecF::set1(0.5f), m);
  e = select(high, e + one, e);
  // log(m) = 2 atanh(s), s = (m-1)/(m+1), |s| <= 0.1716: series to s^9.
  VecF s = (m - one) / (m + one);
  VecF z = s * s;
  VecF p = VecF::set1(2.0f / 9.0f);
  p = fma(p, z, VecF::set1(2.0f / 7.0f));
  p = fma(p, z, VecF::set1(2.0f / 5.0f));
  p = fma(p, z, VecF::set1(2.0f / 3.0f));
  p = fma(p, z, VecF::set1(2.0f));
  VecF y = fma(e, VecF::set1(kLn2Hi), fma(e, VecF::set1(kLn2Lo), s * p));
  const float inf = __builtin_inff();
  y = select(eq(x, VecF::zero()), VecF::set1(-inf), y);
  y = select(eq(x, VecF::set1(inf)), x, y);
  y = select(lt(x, VecF::zero()), VecF::set1(__builtin_nanf("")), y);
  return select(is_nan(x), x, y);
}

inline VecF log1p(VecF u) {
  const VecF one = VecF::set1(1.0f);
  VecF w = u + one;
  // Goldberg's correction: log(w) * u / (w - 1) cancels the rounding of 1 + u.
  return select(eq(w, one), u, log(w) * (u / (w - one)));
}

inline VecF tanh(VecF x) {
  VecF a = clamp_above(abs(x), 10.0f);
  VecF z = a * a;
  // |x| < 0.25: Taylor series to x^11.
  VecF p = VecF::set1(-1382.0f / 155925.0f);
  p = fma(p, z, VecF::set1(62.0f / 2835.0f));
  p = fma(p, z, VecF::set1(-17.0f / 315.0f));
  p = fma(p, z, VecF::set1(2.0f / 15.0f));
  p = fma(p, z, VecF::set1(-1.0f / 3.0f));
  VecF small = fma(a, z * p, a);
  // otherwise (e^2a - 1) / (e^2a + 1) with an accurate e^2a - 1.
  VecF u = expm1_nonneg(a + a);
  VecF large = u / (u + VecF::set1(2.0f));
  return copysign(select(lt(a, VecF::set1(0.25f)), small, large), x);
}

inline VecF sigmoid(VecF x) {
  const VecF one = VecF::set1(1.0f);
  return one / (one + exp(neg(x)));
}

// erf in eight intervals of |x| of width 1/2, each a degree-6 polynomial in t = 2|x| - i - 1/2, t in
// [-1/2, 1/2] (1/2 only at the clamp, 4), whose coefficients lanes look up by their interval i:
// erf(a)/a on [0, 1), erfc(a) on [1, 4].
// One path for every lane, so no vector pays for two fits. Chebyshev fits from scripts/fit-erf.js.
constexpr float kErfCoefficients[7][8] = {
  {1.10530555f, 0.948207498f, 0.0770998746f, 0.0133283287f, 0.00146271673f, 0.000100621910f, 0.00000430276987f, 1.13725889e-7f},
  {-0.0905827433f, -0.203517556f, -0.118260615f, -0.0263874177f, -0.00357114989f, -0.000293147139f, -0.0000145968233f, -4.40943325e-7f},
  {-0.0838377625f, -0.0250544045f, 0.0739129335f, 0.0230890512f, 0.00401753932f, 0.000403066864f, 0.0000237173335f, 8.26517748e-7f},
  {0.0130864820f, 0.0211655311f, -0.0209403858f, -0.0112722078f, -0.00271587237f, -0.000344775879f, -0.0000244024104f, -9.88966008e-7f},
  {0.00556386029f, -0.00155343313f, 0.000383252191f, 0.00300659519f, 0.00119301607f, 0.000203606905f, 0.0000178855898f, 8.61588035e-7f},
  {-0.00109283871f, -0.00116471027f, 0.00146177912f, -0.000186548132f, -0.000330660696f, -0.0000883072862f, -0.0000103942493f, -6.31414480e-7f},
  {-0.000281611457f, 0.000221016438f, -0.000321839645f, -0.000141398355f, 0.0000434307076f, 0.0000260601755f, 0.00000427747591f, 3.23319114e-7f},
};

inline VecF erf(VecF x) {
  // |x| >= 4 and NaN lanes evaluate at 4, where 1 - erfc rounds to 1; NaN is restored at the end.
  const VecF a = abs(x);
  const VecF ac = select(lt(a, VecF::set1(4.0f)), a, VecF::set1(4.0f));
  const VecF s = ac + ac;
  const VecF interval = select(lt(s, VecF::set1(8.0f)), floor(s), VecF::set1(7.0f));
  const VecF t = (s - interval) - VecF::set1(0.5f);
  VecF p = lookup8(kErfCoefficients[6], interval);
  for (int j = 5; j >= 0; j--) p = fma(p, t, lookup8(kErfCoefficients[j], interval));
  // a * (erf(a)/a) below 1, 1 - erfc(a) from 1 on.
  const auto tail = ge(ac, VecF::set1(1.0f));
  const VecF y = fma(select(tail, VecF::set1(-1.0f), ac), p, select(tail, VecF::set1(1.0f), VecF::zero()));
  return select(is_nan(x), x, copysign(y, x));
}

// sin or cos: x = n·π/2 + r with |r| <= π/4 (Cody-Waite, π/2 in three parts: r is accurate while
// |x| < 2^17, and deterministic beyond), then the quadrant n mod 4 picks ±sin r or ±cos r.
constexpr float kPio2Hi = 1.5707962513f, kPio2Mid = 7.5497894159e-08f, kPio2Lo = 5.3903029534e-15f;

inline VecF sin_cos(VecF x, bool cosine) {
  const VecF n = round_even(x * VecF::set1(0.636619772367581343f));
  VecF r = fma(n, VecF::set1(-kPio2Hi), x);
  r = fma(n, VecF::set1(-kPio2Mid), r);
  r = fma(n, VecF::set1(-kPio2Lo), r);
  const VecF z = r * r;
  VecF s = VecF::set1(2.7557319224e-06f);  // Taylor to r^11 and r^10: error < 2e-9 on |r| <= π/4
  s = fma(s, z, VecF::set1(-1.9841269841e-04f));
  s = fma(s, z, VecF::set1(8.3333333333e-03f));
  s = fma(s, z, VecF::set1(-1.6666666667e-01f));
  const VecF sin_r = fma(s * z, r, r);
  VecF c = VecF::set1(-2.7557319224e-07f);
  c = fma(c, z, VecF::set1(2.4801587302e-05f));
  c = fma(c, z, VecF::set1(-1.3888888889e-03f));
  c = fma(c, z, VecF::set1(4.1666666667e-02f));
  c = fma(c, z, VecF::set1(-0.5f));
  const VecF cos_r = fma(c, z, VecF::set1(1.0f));
  // Quadrant in [0, 4), exact as a float for |n| < 2^22; cosine is sine a quadrant on.
  VecF q = n - VecF::set1(4.0f) * floor(n * VecF::set1(0.25f));
  if (cosine) q = select(eq(q, VecF::set1(3.0f)), VecF::zero(), q + VecF::set1(1.0f));
  const VecF odd = select(eq(q, VecF::set1(1.0f)), VecF::set1(1.0f), select(eq(q, VecF::set1(3.0f)), VecF::set1(1.0f), VecF::zero()));
  const VecF y = select(eq(odd, VecF::set1(1.0f)), cos_r, sin_r);
  return select(lt(q, VecF::set1(2.0f)), y, neg(y));
}

// atan: reduced to |t| <= tan(π/8) around 0, π/4 or π/2 (Cephes' split and polynomial), odd in x.
inline VecF atan(VecF x) {
  const VecF a = abs(x);
  const VecF big = VecF::set1(2.414213562373095f), mid = VecF::set1(0.4142135623730950f);
  const VecF t = select(gt(a, big), neg(VecF::set1(1.0f) / a),
                        select(gt(a, mid), (a - VecF::set1(1.0f)) / (a + VecF::set1(1.0f)), a));
  const VecF base = select(gt(a, big), VecF::set1(1.570796326794896619f),
                           select(gt(a, mid), VecF::set1(0.785398163397448310f), VecF::zero()));
  const VecF z = t * t;
  VecF p = VecF::set1(8.05374449538e-2f);
  p = fma(p, z, VecF::set1(-1.38776856032e-1f));
  p = fma(p, z, VecF::set1(1.99777106478e-1f));
  p = fma(p, z, VecF::set1(-3.33329491539e-1f));
  const VecF y = base + fma(p * z, t, t);
  // ±0 and NaN come back as they are.
  return select(eq(x, VecF::zero()), x, select(lt(x, VecF::zero()), neg(y), select(is_nan(x), x, y)));
}

}  // namespace VI_ISA_NS
