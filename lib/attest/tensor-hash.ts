// Canonical tensor hashes (docs/protocol.md §1–2): one definition for every dtype the runtime has.
import { endianness } from 'node:os';
import type { DType, Tensor } from '../tensor';
import { bytesToHex } from './hex';
import { keccak256 } from './keccak';

if (endianness() !== 'LE') throw new Error('verinfer attest: hashing assumes a little-endian host');

const ENCODING_VERSION = 1;

/** A tensor of strings (OpenGradient StringTensor values); hashed as u32le length ‖ UTF-8 bytes each. */
export interface StringTensor {
  dtype: 'string';
  shape: number[];
  data: string[];
}

export type HashableTensor = Tensor | StringTensor;

const DTYPE_TAGS: Record<DType | 'string', number> = {
  float32: 1, float16: 2, bfloat16: 3, int8: 4, uint8: 5, int32: 6, int64: 7, bool: 8, string: 9,
  float64: 10, uint16: 11, uint32: 12, uint64: 13,
};

function header(t: HashableTensor): Uint8Array {
  const tag = DTYPE_TAGS[t.dtype];
  if (tag === undefined) throw new TypeError(`tensorHash: unknown dtype '${String(t.dtype)}'`);
  if (t.shape.length > 255) throw new RangeError(`tensorHash: rank ${t.shape.length} exceeds 255`);
  const bytes = new Uint8Array(3 + 8 * t.shape.length);
  const view = new DataView(bytes.buffer);
  bytes[0] = ENCODING_VERSION;
  bytes[1] = tag;
  bytes[2] = t.shape.length;
  let count = 1;
  t.shape.forEach((d, i) => {
    if (!Number.isSafeInteger(d) || d < 0) throw new RangeError(`tensorHash: shape[${i}] must be a non-negative integer, got ${d}`);
    view.setBigUint64(3 + 8 * i, BigInt(d), true);
    count *= d;
  });
  if (count !== t.data.length) {
    throw new RangeError(`tensorHash: shape [${t.shape.join(', ')}] needs ${count} elements, data has ${t.data.length}`);
  }
  return bytes;
}

/** Element bytes with NaNs (and bools) folded to their canonical form; copies only when something changes. */
function canonicalElements(t: Tensor): Uint8Array {
  const { buffer, byteOffset, byteLength } = t.data;
  const raw = new Uint8Array(buffer, byteOffset, byteLength);
  switch (t.dtype) {
    case 'float32':
      return foldNaN(new Uint32Array(buffer, byteOffset, byteLength / 4), 0x7f800000, 0x7fffff, 0x7fc00000);
    case 'float16':
      return foldNaN(new Uint16Array(buffer, byteOffset, byteLength / 2), 0x7c00, 0x3ff, 0x7e00);
    case 'bfloat16':
      return foldNaN(new Uint16Array(buffer, byteOffset, byteLength / 2), 0x7f80, 0x7f, 0x7fc0);
    case 'float64':
      return foldNaN64(t.data as Float64Array);
    case 'bool':
      return raw.some((b) => b > 1) ? raw.map((b) => (b ? 1 : 0)) : raw;
    default:
      return raw;
  }
}

/** NaN = all exponent bits set and a non-zero mantissa; every NaN becomes `canonical`. */
function foldNaN(words: Uint32Array | Uint16Array, exponent: number, mantissa: number, canonical: number): Uint8Array {
  const isOtherNaN = (w: number) => (w & exponent) === exponent && (w & mantissa) !== 0 && w !== canonical;
  let folded = words;
  for (let i = 0; i < words.length; i++) {
    if (!isOtherNaN(words[i])) continue;
    if (folded === words) folded = words.slice();
    folded[i] = canonical;
  }
  return new Uint8Array(folded.buffer, folded.byteOffset, folded.byteLength);
}

/** float64: every NaN becomes 0x7ff8000000000000, rewritten as bits so no payload survives. */
const CANONICAL_NAN64 = 0x7ff8000000000000n;

function foldNaN64(values: Float64Array): Uint8Array {
  const bits = new BigUint64Array(values.buffer, values.byteOffset, values.length);
  let folded = bits;
  for (let i = 0; i < bits.length; i++) {
    if (!Number.isNaN(values[i]) || bits[i] === CANONICAL_NAN64) continue;
    if (folded === bits) folded = bits.slice();
    folded[i] = CANONICAL_NAN64;
  }
  return new Uint8Array(folded.buffer, folded.byteOffset, folded.byteLength);
}

function stringElements(t: StringTensor): Uint8Array[] {
  return t.data.flatMap((s, i) => {
    if (typeof s !== 'string') throw new TypeError(`tensorHash: string tensor element ${i} is ${typeof s}, expected a string`);
    const utf8 = new TextEncoder().encode(s);
    const length = new Uint8Array(4);
    new DataView(length.buffer).setUint32(0, utf8.length, true);
    return [length, utf8];
  });
}

export function tensorHashBytes(t: HashableTensor): Uint8Array {
  return keccak256(header(t), ...(t.dtype === 'string' ? stringElements(t) : [canonicalElements(t)]));
}

/** keccak256 of the canonical encoding of one tensor, as 0x-hex. */
export function tensorHash(t: HashableTensor): string {
  return bytesToHex(tensorHashBytes(t));
}

/** Hash of a set of named tensors (a request's inputs or outputs), independent of their order. */
export function namedTensorsHash(tensors: Record<string, HashableTensor>): string {
  const names = Object.keys(tensors);
  const encoded = names.map((name) => ({ name, utf8: Buffer.from(name, 'utf8') }));
  encoded.sort((a, b) => Buffer.compare(a.utf8, b.utf8));
  const parts = [u32le(names.length)];
  for (const { name, utf8 } of encoded) {
    if (utf8.length === 0) throw new RangeError('namedTensorsHash: tensor names must be non-empty');
    parts.push(u32le(utf8.length), utf8, tensorHashBytes(tensors[name]));
  }
  return bytesToHex(keccak256(...parts));
}

/** A model's identity: keccak256 of its file bytes. */
export function modelHash(bytes: Uint8Array): string {
  return bytesToHex(keccak256(bytes));
}

function u32le(n: number): Uint8Array {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, n, true);
  return bytes;
}
