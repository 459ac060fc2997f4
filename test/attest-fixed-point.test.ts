import test from 'ava';
import {
  fixedToFloat32, float32ToFixed, modelInputToTensors, namedTensorsHash, numberTensorToTensor, tensorToNumberTensor,
} from '../lib/attest';
import { tensor } from '../lib/tensor';
import { rng } from './helpers';

const bits = new Uint32Array(1);
const asFloat = new Float32Array(bits.buffer);
function float32FromBits(b: number): number {
  bits[0] = b;
  return asFloat[0];
}
function bitsOf(x: number): number {
  asFloat[0] = x;
  return bits[0];
}

/** |x − value·10^-decimals| scaled by 10^decimals·2^200, exactly. */
function scaledDistance(x: number, value: bigint, decimals: bigint): bigint {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const raw = view.getBigUint64(0);
  const biased = Number((raw >> 52n) & 0x7ffn);
  let mantissa = (raw & ((1n << 52n) - 1n)) | (biased ? 1n << 52n : 0n);
  if (raw >> 63n) mantissa = -mantissa;
  const exponent = Math.max(biased, 1) - 1075 + 200;
  const scaled = mantissa * 10n ** decimals * (1n << BigInt(exponent));
  const d = scaled - (value << 200n);
  return d < 0n ? -d : d;
}

/** The float32 result is at least as close as both neighbours, and even on a tie. */
function assertNearest(t: import('ava').ExecutionContext, value: bigint, decimals: bigint): void {
  const got = fixedToFloat32({ value, decimals });
  const b = bitsOf(got);
  const here = scaledDistance(got, value, decimals);
  for (const neighbour of [b + 1, b - 1]) {
    const n = float32FromBits(neighbour >>> 0);
    if (!Number.isFinite(n) || Math.sign(n) !== Math.sign(got)) continue;
    const there = scaledDistance(n, value, decimals);
    if (there < here || (there === here && (b & 1) === 1)) {
      t.fail(`${value}e-${decimals} → ${got} but ${n} is nearer (or the even tie)`);
      return;
    }
  }
}

test('fixed → float32 is the nearest float32, ties to even, over a sweep', (t) => {
  const random = rng(7);
  for (let i = 0; i < 3000; i++) {
    const digits = 1 + Math.floor(random() * 38);
    let value = 0n;
    for (let k = 0; k < digits; k++) value = value * 10n + BigInt(Math.floor(random() * 10));
    if (random() < 0.5) value = -value;
    assertNearest(t, value, BigInt(Math.floor(random() * 19)));
  }
  t.is(fixedToFloat32({ value: 1n, decimals: 1n }), Math.fround(0.1));
  t.is(fixedToFloat32({ value: -15n, decimals: 1n }), -1.5);
  t.is(fixedToFloat32({ value: 1n, decimals: 18n }), Math.fround(1e-18));
  t.is(fixedToFloat32({ value: 0n, decimals: 5n }), 0);
  // 2^24 + 1 is a tie between 2^24 and 2^24 + 2: the even mantissa wins.
  t.is(fixedToFloat32({ value: 16777217n, decimals: 0n }), 16777216);
  t.is(fixedToFloat32({ value: 16777219n, decimals: 0n }), 16777220);
});

test('float32 → fixed → float32 round-trips every float32 of magnitude in [2^-35, 2^127)', (t) => {
  const random = rng(11);
  let checked = 0;
  for (let i = 0; i < 20000; i++) {
    const x = float32FromBits(Math.floor(random() * 2 ** 32));
    if (!Number.isFinite(x) || Math.abs(x) < 2 ** -35 || Math.abs(x) >= 2 ** 127) continue;
    const fixed = float32ToFixed(x);
    const back = fixedToFloat32(fixed);
    if (back !== x) return t.fail(`${x} → ${fixed.value}e-${fixed.decimals} → ${back}`);
    checked++;
  }
  for (const x of [1.7e38, -1.7e38, 2 ** -35, 1, -1, 0.1, 123456.789]) {
    const f = Math.fround(x);
    t.is(fixedToFloat32(float32ToFixed(f)), f, String(x));
  }
  t.true(checked > 11000);
});

test('float32 → fixed picks the largest decimals that fit int128, or the one asked for', (t) => {
  t.deepEqual(float32ToFixed(1.5), { value: 1500000000000000000n, decimals: 18n });
  t.deepEqual(float32ToFixed(1.5, 2), { value: 150n, decimals: 2n });
  t.deepEqual(float32ToFixed(Math.fround(0.1), 3), { value: 100n, decimals: 3n });
  t.deepEqual(float32ToFixed(2.5, 0), { value: 2n, decimals: 0n }, 'half to even');
  t.deepEqual(float32ToFixed(-3.5, 0), { value: -4n, decimals: 0n }, 'half to even, negative');
  const big = float32ToFixed(Math.fround(1.7e38));
  t.is(big.decimals, 0n);
  t.is(big.value, BigInt(Math.fround(1.7e38)));
  t.is(float32ToFixed(Math.fround(1e20)).decimals, 18n);
  t.is(float32ToFixed(Math.fround(1e21)).decimals, 17n);
});

test('fixed-point conversion names what is out of range', (t) => {
  t.throws(() => fixedToFloat32({ value: 1n, decimals: 19n }), { message: /decimals must be 0…18, got 19/ });
  t.throws(() => fixedToFloat32({ value: 1n, decimals: -1n }), { message: /decimals/ });
  t.throws(() => fixedToFloat32({ value: 1n << 127n, decimals: 0n }), { message: /does not fit int128/ });
  t.is(fixedToFloat32({ value: (1n << 127n) - 1n, decimals: 0n }), 2 ** 127, 'int128 max rounds to 2^127, inside float32 range');
  t.throws(() => fixedToFloat32({ value: 1.5 as never, decimals: 0n }), { message: /value: expected an integer/ });
  t.throws(() => float32ToFixed(NaN), { message: /NaN; only finite/ });
  t.throws(() => float32ToFixed(Infinity), { message: /Infinity/ });
  t.throws(() => float32ToFixed(Math.fround(3e38), 18), { message: /does not fit int128 at 18 decimals/ });
  t.throws(() => float32ToFixed(Math.fround(3e38)), { message: /does not fit int128 at 0 decimals/ });
  t.throws(() => float32ToFixed(1, 19), { message: /decimals must be an integer 0…18/ });
});

test('ModelInput converts to named tensors whose hash matches the float form', (t) => {
  const x = tensor('float32', [2, 2], [0.5, -1.25, 3, Math.fround(0.1)]);
  const numbers = tensorToNumberTensor('x', x);
  t.deepEqual(numbers.shape, [2, 2]);
  const input = { numbers: [{ ...numbers, values: numbers.values.map((n) => ({ value: n.value.toString(), decimals: Number(n.decimals) })) as never }], strings: [{ name: 'prompt', values: ['hi'] }] };
  const tensors = modelInputToTensors(input);
  t.deepEqual(tensors.x, x);
  t.is(namedTensorsHash(tensors), namedTensorsHash({ x, prompt: { dtype: 'string', shape: [1], data: ['hi'] } }));
  t.throws(() => numberTensorToTensor({ name: 'y', shape: [3], values: [] }), { message: /'y': shape \[3\] needs 3 values, got 0/ });
  t.throws(() => modelInputToTensors({ numbers: [numbers, numbers], strings: [] }), { message: /'x' appears twice/ });
  t.throws(() => numberTensorToTensor({ name: 'z', shape: [1], values: [{ value: 1n, decimals: 40n }] }), { message: /'z' values\[0\]\.decimals/ });
});
