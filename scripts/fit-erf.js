// Fits the coefficient table of erf in native/simd/math.h and prints it with the worst error of a
// float32 evaluation over [-6, 6]. Run after `npm run build:ts` (it borrows the tests' float64 erf).
//   node scripts/fit-erf.js
'use strict';
const { erf64, ulpDistance } = require('../dist/test/helpers.js');

const INTERVALS = 8; // |x| in [i/2, (i+1)/2)
const DEGREE = 6;
const TAIL_FROM = 1; // intervals from here on fit erfc, so 1 - erfc keeps results near 1 accurate
const NODES = 64;

const isTail = (interval) => interval / 2 >= TAIL_FROM;
const fitted = (a, interval) => (isTail(interval) ? 1 - erf64(a) : a === 0 ? 2 / Math.sqrt(Math.PI) : erf64(a) / a);

// Chebyshev series of the fitted function in u = 2t on [-1, 1], truncated at DEGREE, then
// expanded into powers of t and rounded to float32.
function fitInterval(interval) {
  const cheb = new Float64Array(DEGREE + 1);
  for (let k = 0; k < NODES; k++) {
    const u = Math.cos((Math.PI * (k + 0.5)) / NODES);
    const y = fitted((interval + 0.5 + u / 2) / 2, interval);
    for (let j = 0; j <= DEGREE; j++) cheb[j] += (2 / NODES) * y * Math.cos(j * Math.acos(u));
  }
  cheb[0] /= 2;
  const basis = [[1], [0, 1]]; // T_j as powers of u
  for (let j = 2; j <= DEGREE; j++) {
    const next = new Array(j + 1).fill(0);
    basis[j - 1].forEach((c, i) => (next[i + 1] += 2 * c));
    basis[j - 2].forEach((c, i) => (next[i] -= c));
    basis.push(next);
  }
  const powersOfU = new Float64Array(DEGREE + 1);
  for (let j = 0; j <= DEGREE; j++) basis[j].forEach((c, i) => (powersOfU[i] += cheb[j] * c));
  return Array.from(powersOfU, (c, i) => Math.fround(c * 2 ** i));
}

const table = Array.from({ length: INTERVALS }, (_, i) => fitInterval(i));

// The float32 evaluation of math.h's erf, step by step. fma is emulated as the double result rounded
// to float, which can differ from a true fma by double rounding: the error it reports is an estimate.
const f = Math.fround;
const fma = (a, b, c) => f(a * b + c);
function erf32(x) {
  const a = Math.min(Math.abs(x), 4);
  const s = a + a;
  const interval = Math.min(Math.floor(s), INTERVALS - 1);
  const t = f(f(s - interval) - 0.5);
  let p = table[interval][DEGREE];
  for (let j = DEGREE - 1; j >= 0; j--) p = fma(p, t, table[interval][j]);
  const y = isTail(interval) ? fma(-1, p, 1) : f(a * p);
  return x < 0 ? -y : y;
}

let worst = 0, at = 0;
for (let i = 0; i <= 1_200_000; i++) {
  const x = f(-6 + i / 100_000);
  const d = ulpDistance(erf32(x), erf64(x));
  if (d > worst) [worst, at] = [d, x];
}

const literal = (c) => `${c.toPrecision(9)}f`;
console.log(`constexpr float kErfCoefficients[${DEGREE + 1}][${INTERVALS}] = {`);
for (let j = 0; j <= DEGREE; j++) console.log(`  {${table.map((row) => literal(row[j])).join(', ')}},`);
console.log('};');
console.log(`// worst float32 error on [-6, 6]: ${worst.toFixed(2)} ulp at x = ${at}`);
