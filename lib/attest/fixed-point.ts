// OpenGradient's on-chain tensor form (docs/protocol.md §3): exact conversion to and from float32.
import { elementCount, tensor, type Tensor } from '../tensor';
import { describe } from './hex';
import type { StringTensor } from './tensor-hash';

/** OpenGradient `Number {int128 value; int128 decimals}`: value × 10^-decimals. */
export interface FixedNumber {
  value: bigint;
  decimals: bigint;
}

/** OpenGradient `MultiDimensionalNumberTensor`. */
export interface NumberTensor {
  name: string;
  values: FixedNumber[];
  shape: number[];
}

/** OpenGradient `StringTensor`. */
export interface NamedStringTensor {
  name: string;
  values: string[];
}

/** OpenGradient `ModelInput`. */
export interface ModelInput {
  numbers: NumberTensor[];
  strings: NamedStringTensor[];
}

export const MAX_DECIMALS = 18;
const INT128_MAX = (1n << 127n) - 1n;
const INT128_MIN = -(1n << 127n);

/** The float32 nearest to value × 10^-decimals (ties to even), computed exactly. */
export function fixedToFloat32(n: FixedNumber, where = 'number'): number {
  const value = toBigInt(n.value, `${where}.value`);
  const decimals = toBigInt(n.decimals, `${where}.decimals`);
  if (value > INT128_MAX || value < INT128_MIN) throw new RangeError(`${where}.value ${value} does not fit int128`);
  if (decimals < 0n || decimals > BigInt(MAX_DECIMALS)) {
    throw new RangeError(`${where}.decimals must be 0…${MAX_DECIMALS}, got ${decimals}`);
  }
  if (value === 0n) return 0;
  // |value| < 2^127 < FLT_MAX, so every int128 at any decimals lands inside the float32 range.
  const magnitude = roundRatioToFloat32(value < 0n ? -value : value, 10n ** decimals);
  return value < 0n ? -magnitude : magnitude;
}

/** a / b (both positive) rounded to the float32 grid, ties to even. */
function roundRatioToFloat32(a: bigint, b: bigint): number {
  let log2 = bitLength(a) - bitLength(b); // floor(log2(a/b)) is log2 or log2 - 1
  if (shift(a, -log2) < b) log2 -= 1;
  const quantum = Math.max(log2 - 23, -149); // exponent of the float32 ulp at a/b (subnormals: 2^-149)
  const q = quantum >= 0 ? divideRounded(a, b << BigInt(quantum)) : divideRounded(a << BigInt(-quantum), b);
  return Number(q) * 2 ** quantum; // q ≤ 2^24: exact
}

/** n / d for n ≥ 0, d > 0, rounded half to even. */
function divideRounded(n: bigint, d: bigint): bigint {
  const q = n / d;
  const twiceRemainder = 2n * (n - q * d);
  return twiceRemainder > d || (twiceRemainder === d && (q & 1n) === 1n) ? q + 1n : q;
}

function shift(x: bigint, left: number): bigint {
  return left >= 0 ? x << BigInt(left) : x >> BigInt(-left);
}

function bitLength(x: bigint): number {
  return x.toString(2).length;
}

/**
 * value = x × 10^decimals rounded half to even. With `decimals` omitted, the largest 0…18 whose value fits
 * int128, keeping all the precision int128 allows; |x| ≥ 2^127 is beyond int128 even at 0 decimals: an error.
 */
export function float32ToFixed(x: number, decimals?: number, where = 'number'): FixedNumber {
  if (!Number.isFinite(x)) throw new RangeError(`${where} is ${x}; only finite numbers have a fixed-point form`);
  if (decimals !== undefined && (!Number.isInteger(decimals) || decimals < 0 || decimals > MAX_DECIMALS)) {
    throw new RangeError(`decimals must be an integer 0…${MAX_DECIMALS}, got ${describe(decimals)}`);
  }
  const exact = exactBinary(Math.fround(x));
  for (let d = decimals ?? MAX_DECIMALS; d >= (decimals ?? 0); d--) {
    const value = scaleRounded(exact, d);
    if (value <= INT128_MAX && value >= INT128_MIN) return { value, decimals: BigInt(d) };
  }
  throw new RangeError(`${where} = ${x} does not fit int128 at ${decimals ?? 0} decimals`);
}

/** x = mantissa × 2^exponent exactly (x a finite double). */
function exactBinary(x: number): { mantissa: bigint; exponent: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, x);
  const bits = view.getBigUint64(0);
  const biased = Number((bits >> 52n) & 0x7ffn);
  let mantissa = bits & ((1n << 52n) - 1n);
  if (biased !== 0) mantissa |= 1n << 52n;
  if (bits >> 63n) mantissa = -mantissa;
  return { mantissa, exponent: Math.max(biased, 1) - 1075 };
}

/** mantissa × 2^exponent × 10^d, rounded half to even. */
function scaleRounded({ mantissa, exponent }: { mantissa: bigint; exponent: number }, d: number): bigint {
  const scaled = mantissa * 10n ** BigInt(d);
  if (exponent >= 0) return scaled << BigInt(exponent);
  const q = divideRounded(scaled < 0n ? -scaled : scaled, 1n << BigInt(-exponent));
  return scaled < 0n ? -q : q;
}

/** MultiDimensionalNumberTensor → float32 tensor. */
export function numberTensorToTensor(t: NumberTensor): Tensor<'float32'> {
  checkName(t.name, 'number tensor');
  if (!Array.isArray(t.values)) throw new TypeError(`number tensor '${t.name}': values must be an array, got ${describe(t.values)}`);
  const shape = checkShape(t.shape, `number tensor '${t.name}'`);
  if (elementCount(shape) !== t.values.length) {
    throw new RangeError(`number tensor '${t.name}': shape [${shape.join(', ')}] needs ${elementCount(shape)} values, got ${t.values.length}`);
  }
  const data = new Float32Array(t.values.length);
  t.values.forEach((n, i) => (data[i] = fixedToFloat32(n, `number tensor '${t.name}' values[${i}]`)));
  return tensor('float32', shape, data);
}

/** A float32 tensor → MultiDimensionalNumberTensor (per-element decimals unless `decimals` is given). */
export function tensorToNumberTensor(name: string, t: Tensor<'float32'>, decimals?: number): NumberTensor {
  const values = Array.from(t.data, (x, i) => float32ToFixed(x, decimals, `tensor '${name}' [${i}]`));
  return { name, values, shape: [...t.shape] };
}

/** ModelInput → the named tensors the runtime and the hashes see. */
export function modelInputToTensors(input: ModelInput): Record<string, Tensor<'float32'> | StringTensor> {
  const out: Record<string, Tensor<'float32'> | StringTensor> = {};
  const add = (name: string, value: Tensor<'float32'> | StringTensor) => {
    if (Object.hasOwn(out, name)) throw new RangeError(`ModelInput: tensor name '${name}' appears twice`);
    out[name] = value;
  };
  for (const t of input.numbers ?? []) add(t.name, numberTensorToTensor(t));
  for (const t of input.strings ?? []) {
    checkName(t.name, 'string tensor');
    if (!Array.isArray(t.values) || t.values.some((v) => typeof v !== 'string')) {
      throw new TypeError(`string tensor '${t.name}': values must be an array of strings`);
    }
    add(t.name, { dtype: 'string', shape: [t.values.length], data: [...t.values] });
  }
  return out;
}

function toBigInt(v: unknown, where: string): bigint {
  if (typeof v === 'bigint') return v;
  if (typeof v === 'number' && Number.isSafeInteger(v)) return BigInt(v);
  if (typeof v === 'string' && /^-?\d+$/.test(v)) return BigInt(v);
  throw new TypeError(`${where}: expected an integer (bigint, safe integer or decimal string), got ${describe(v)}`);
}

function checkName(name: unknown, what: string): void {
  if (typeof name !== 'string' || name.length === 0) throw new TypeError(`${what}: name must be a non-empty string, got ${describe(name)}`);
}

function checkShape(shape: unknown, where: string): number[] {
  if (!Array.isArray(shape) || shape.some((d) => !Number.isSafeInteger(d) || d < 0)) {
    throw new TypeError(`${where}: shape must be an array of non-negative integers, got ${describe(shape)}`);
  }
  return shape as number[];
}
