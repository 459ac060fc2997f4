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

// erf on |x| < 1: x * P(x^2), least-squares fit on Chebyshev nodes (rel. error < 8e-8).
inline VecF erf_small(VecF a) {
  VecF z = a * a;
  VecF p = VecF::set1(-9.634991329e-06f);
  p = fma(p, z, VecF::set1(1.125464041e-04f));
  p = fma(p, z, VecF::set1(-8.482507546e-04f));
  p = fma(p, z, VecF::set1(5.220923107e-03f));
  p = fma(p, z, VecF::set1(-2.686539292e-02f));
  p = fma(p, z, VecF::set1(1.128378212e-01f));
  p = fma(p, z, VecF::set1(-3.761263788e-01f));
  p = fma(p, z, VecF::set1(1.128379226e+00f));
  return a * p;
}

// erf on 1 <= |x| < 4: 1 - e^(-x^2) Q(x), Q = erfc(x) e^(x^2) fitted in (x - 2.5) (rel. error < 5e-8).
inline VecF erf_large(VecF a) {
  VecF z = a * a;
  VecF t = a - VecF::set1(2.5f);
  VecF q = VecF::set1(9.592292827e-08f);
  q = fma(q, t, VecF::set1(-4.237685971e-07f));
  q = fma(q, t, VecF::set1(1.023505661e-06f));
  q = fma(q, t, VecF::set1(-3.763825816e-06f));
  q = fma(q, t, VecF::set1(1.599714597e-05f));
  q = fma(q, t, VecF::set1(-5.948642502e-05f));
  q = fma(q, t, VecF::set1(2.110511414e-04f));
  q = fma(q, t, VecF::set1(-7.331884699e-04f));
  q = fma(q, t, VecF::set1(2.466997597e-03f));
  q = fma(q, t, VecF::set1(-8.001679555e-03f));
  q = fma(q, t, VecF::set1(2.493800782e-02f));
  q = fma(q, t, VecF::set1(-7.434733957e-02f));
  q = fma(q, t, VecF::set1(2.108063698e-01f));
  // Only lanes with -16 < -z <= -1 are kept; the others (NaN included) get -87, inside exp_moderate's domain.
  const VecF kept_z = select(lt(z, VecF::set1(87.0f)), z, VecF::set1(87.0f));
  return VecF::set1(1.0f) - exp_moderate(neg(kept_z)) * q;
}

// Each lane takes one of the two fits by its |x| (1 past 4). A vector whose lanes all fall to one fit
// computes only that one: the same operations on every lane, so the same bits.
inline VecF erf(VecF x) {
  const VecF a = abs(x);
  const auto small = lt(a, VecF::set1(1.0f));
  if (all_true(small)) return copysign(erf_small(a), x);
  const auto below_4 = lt(a, VecF::set1(4.0f));
  VecF y;
  if (all_true(mask_and(mask_not(small), below_4))) y = erf_large(a);
  else y = select(small, erf_small(a), select(below_4, erf_large(a), VecF::set1(1.0f)));
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
