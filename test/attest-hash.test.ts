import test from 'ava';
import { concat, hexlify, keccak256, randomBytes, toUtf8Bytes } from 'ethers';
import { modelHash, namedTensorsHash, tensorHash } from '../lib/attest';
import { keccak256 as nativeKeccak } from '../lib/attest/keccak';
import { tensor } from '../lib/tensor';

// The encoding of docs/protocol.md §1 built byte by byte, hashed with ethers' keccak (an independent one).
function u64le(n: number): Uint8Array {
  const b = new Uint8Array(8);
  new DataView(b.buffer).setBigUint64(0, BigInt(n), true);
  return b;
}
function u32le(n: number): Uint8Array {
  const b = new Uint8Array(4);
  new DataView(b.buffer).setUint32(0, n, true);
  return b;
}
function specHash(tag: number, shape: number[], elementBytes: Uint8Array): string {
  return keccak256(concat([Uint8Array.of(1, tag, shape.length), ...shape.map(u64le), elementBytes]));
}

test('tensorHash follows the spec encoding for every dtype', (t) => {
  const f32 = new Float32Array([1.5, -0, 3.25, -7, 0.1, 1e30]);
  t.is(tensorHash(tensor('float32', [2, 3], f32)), specHash(1, [2, 3], new Uint8Array(f32.buffer)));
  const i64 = new BigInt64Array([-1n, 1n << 40n]);
  t.is(tensorHash(tensor('int64', [2], i64)), specHash(7, [2], new Uint8Array(i64.buffer)));
  const cases = [
    ['float16', 2, new Uint16Array([0x3c00, 0x8000])],
    ['bfloat16', 3, new Uint16Array([0x3f80, 0xc000])],
    ['int8', 4, new Int8Array([-128, 127])],
    ['uint8', 5, new Uint8Array([0, 255])],
    ['int32', 6, new Int32Array([-5, 1 << 30])],
    ['bool', 8, new Uint8Array([0, 1])],
  ] as const;
  for (const [dtype, tag, data] of cases) {
    t.is(tensorHash(tensor(dtype, [2], data as never)), specHash(tag, [2], new Uint8Array(data.buffer)), dtype);
  }
  t.is(tensorHash(tensor('float32', [], [2])), specHash(1, [], new Uint8Array(new Float32Array([2]).buffer)), 'scalar');
  t.is(tensorHash(tensor('float32', [0, 4])), specHash(1, [0, 4], new Uint8Array(0)), 'empty');
  const strings = { dtype: 'string' as const, shape: [2], data: ['hé', ''] };
  const utf8 = toUtf8Bytes('hé');
  t.is(tensorHash(strings), specHash(9, [2], concat([u32le(utf8.length), utf8, u32le(0)]) as unknown as Uint8Array));
});

test('tensorHash folds NaNs and non-canonical bools, and keeps -0, shape and dtype apart', (t) => {
  const nans = new Uint32Array([0x7fc00000, 0xffc00000, 0x7f800001, 0xffffffff]);
  const canonical = new Uint32Array([0x7fc00000, 0x7fc00000, 0x7fc00000, 0x7fc00000]);
  const f32 = (w: Uint32Array) => tensor('float32', [4], new Float32Array(w.buffer));
  t.is(tensorHash(f32(nans)), tensorHash(f32(canonical)));
  t.deepEqual(nans, new Uint32Array([0x7fc00000, 0xffc00000, 0x7f800001, 0xffffffff]), 'input left untouched');
  t.not(tensorHash(f32(new Uint32Array([0x7f800000, 0, 0, 0]))), tensorHash(f32(new Uint32Array([0x7fc00000, 0, 0, 0]))), 'Inf is not NaN');
  t.is(tensorHash(tensor('float16', [2], new Uint16Array([0xfe01, 0x7c01]))), tensorHash(tensor('float16', [2], new Uint16Array([0x7e00, 0x7e00]))));
  t.is(tensorHash(tensor('bfloat16', [1], new Uint16Array([0xffc1]))), tensorHash(tensor('bfloat16', [1], new Uint16Array([0x7fc0]))));
  t.is(tensorHash(tensor('bool', [2], new Uint8Array([7, 0]))), tensorHash(tensor('bool', [2], new Uint8Array([1, 0]))));
  t.not(tensorHash(tensor('float32', [1], [0])), tensorHash(tensor('float32', [1], [-0])));
  t.not(tensorHash(tensor('float32', [6])), tensorHash(tensor('float32', [2, 3])));
  t.not(tensorHash(tensor('int32', [2])), tensorHash(tensor('float32', [2])));
});

test('tensorHash reads a view at an offset without touching its neighbours', (t) => {
  const backing = new Float32Array([9, 1, 2, 3, 9]);
  t.is(tensorHash(tensor('float32', [3], backing.subarray(1, 4))), tensorHash(tensor('float32', [3], [1, 2, 3])));
});

test('namedTensorsHash sorts by UTF-8 name and binds names', (t) => {
  const a = tensor('float32', [1], [1]);
  const b = tensor('int64', [1], [2n]);
  const expected = keccak256(concat([
    u32le(2),
    u32le(1), toUtf8Bytes('B'), tensorHash(b),
    u32le(1), toUtf8Bytes('a'), tensorHash(a),
  ]));
  t.is(namedTensorsHash({ a, B: b }), expected);
  t.is(namedTensorsHash({ B: b, a }), expected);
  t.not(namedTensorsHash({ a: b, B: a }), expected);
  t.is(namedTensorsHash({}), keccak256(u32le(0)));
  t.throws(() => namedTensorsHash({ '': a }), { message: /non-empty/ });
});

test('tensorHash rejects malformed tensors with a named reason', (t) => {
  t.throws(() => tensorHash({ dtype: 'float32', shape: [3], data: new Float32Array(2) }), { message: /needs 3 elements, data has 2/ });
  t.throws(() => tensorHash({ dtype: 'complex' as never, shape: [1], data: new Float32Array(1) }), { message: /unknown dtype 'complex'/ });
  t.throws(() => tensorHash({ dtype: 'float32', shape: [-1], data: new Float32Array(1) }), { message: /shape\[0\]/ });
});

test('modelHash is keccak256 of the bytes', (t) => {
  const bytes = toUtf8Bytes('onnx model bytes');
  t.is(modelHash(bytes), keccak256(bytes));
});

test('the native keccak256 equals ethers over block boundaries and any split into parts', (t) => {
  for (const length of [0, 1, 31, 135, 136, 137, 271, 272, 273, 1000, 4096]) {
    const bytes = randomBytes(length);
    for (const cut of new Set([0, 1, length >> 1, length])) {
      const got = hexlify(nativeKeccak(bytes.subarray(0, cut), bytes.subarray(cut)));
      if (got !== keccak256(bytes)) return t.fail(`length ${length}, split at ${cut}`);
    }
  }
  t.pass();
});
