import test from 'ava';
import { fixedToFloat32, float32ToFixed } from '../lib/attest';
import { decodeInputs, decodeTensor, encodeOutputs, encodeTensor, RequestError } from '../lib/node';
import { tensor, type DType } from '../lib';

const SAMPLES: [DType, unknown[]][] = [
  ['float32', [0, -0, 1.5, -3.25e-7, 'NaN', 'Infinity', '-Infinity', 3.4028234663852886e38]],
  ['int8', [-128, 0, 127]],
  ['uint8', [0, 255, 7]],
  ['int32', [-(2 ** 31), 2 ** 31 - 1, 0]],
  ['int64', ['-9223372036854775808', '9223372036854775807', 5]],
  ['uint64', ['18446744073709551615', '0', 7]],
  ['float64', [0.1, -0, 1e300, 'NaN', '-Infinity']],
  ['uint16', [0, 65535]],
  ['uint32', [0, 4294967295]],
  ['bool', [true, false, 1, 0]],
];

test('JSON arrays decode to the exact elements and encode back the same way', (t) => {
  for (const [dtype, data] of SAMPLES) {
    const { tensor: decoded, encoding } = decodeTensor({ dtype, shape: [data.length], data }, 'x');
    t.is(encoding, 'json');
    const again = decodeTensor(encodeTensor(decoded, 'json'), 'x').tensor;
    t.deepEqual(Buffer.from(again.data.buffer), Buffer.from(decoded.data.buffer), dtype);
  }
  const f = decodeTensor({ dtype: 'float32', shape: [2], data: [-0, 'NaN'] }, 'x').tensor.data as Float32Array;
  t.true(Object.is(f[0], -0));
  t.true(Number.isNaN(f[1]));
  t.deepEqual(encodeTensor(tensor('int64', [1], [2n ** 62n]), 'json').data, [String(2n ** 62n)]);
});

test('base64 carries the little-endian bytes of every dtype, half floats included', (t) => {
  for (const dtype of ['float32', 'float16', 'bfloat16', 'float64', 'int8', 'uint8', 'uint16', 'int32', 'uint32', 'int64', 'uint64', 'bool'] as DType[]) {
    const original = tensor(dtype, [2, 3]);
    new Uint8Array(original.data.buffer).forEach((_, i, bytes) => (bytes[i] = (i * 37 + 11) & (dtype === 'bool' ? 1 : 0xff)));
    const wire = encodeTensor(original, 'base64');
    t.is(typeof wire.data, 'string');
    const back = decodeTensor(wire, 'x');
    t.is(back.encoding, 'base64');
    t.deepEqual(Buffer.from(back.tensor.data.buffer), Buffer.from(original.data.buffer), dtype);
  }
  // Half floats have no exact JSON form, so even a JSON request gets them back as base64.
  t.is(typeof encodeTensor(tensor('float16', [1]), 'json').data, 'string');
});

test('bad tensors are refused with the field, what was expected and what came', (t) => {
  const cases: [unknown, string, RegExp][] = [
    [{ dtype: 'float128', shape: [1], data: [1] }, 'x.dtype', /one of float32/],
    [{ dtype: 'float32', shape: [-1], data: [] }, 'x.shape', /non-negative integers/],
    [{ dtype: 'float32', shape: [2], data: [1] }, 'x.data', /2 elements/],
    [{ dtype: 'float32', shape: [1], data: ['1'] }, 'x.data[0]', /a number/],
    [{ dtype: 'int8', shape: [1], data: [128] }, 'x.data[0]', /-128…127/],
    [{ dtype: 'int64', shape: [1], data: ['9223372036854775808'] }, 'x.data[0]', /int64/],
    [{ dtype: 'int32', shape: [1], data: [1.5] }, 'x.data[0]', /integer/],
    [{ dtype: 'float16', shape: [1], data: [1] }, 'x.data', /base64/],
    [{ dtype: 'float32', shape: [2], data: Buffer.alloc(4).toString('base64') }, 'x.data', /8 bytes/],
    [{ dtype: 'float32', shape: [1], data: { length: 1 } }, 'x.data', /JSON array or a base64/],
    [null, 'x', /tensor/],
  ];
  for (const [wire, field, expected] of cases) {
    const error = t.throws(() => decodeTensor(wire as never, 'x'), { instanceOf: RequestError });
    t.is(error!.field, field);
    t.regex(error!.expected, expected);
    t.truthy(error!.received);
  }
});

test('the fixed-point form decodes exactly and outputs come back in it', (t) => {
  const { feeds, encoding } = decodeInputs({ modelInput: { numbers: [{ name: 'x', shape: [1, 2], values: [{ value: '15' as never, decimals: 1n }, { value: -3n, decimals: 0n }] }], strings: [] } });
  t.is(encoding, 'fixed');
  t.deepEqual(Array.from(feeds.x.data as Float32Array), [1.5, -3]);
  const out = encodeOutputs({ y: tensor('float32', [2], [0.1, -2]), n: tensor('int64', [1], [2n ** 60n]) }, 'fixed');
  if (!('modelOutput' in out)) return t.fail();
  const [y, n] = out.modelOutput.numbers;
  t.is(fixedToFloat32({ value: BigInt(y.values[0].value), decimals: BigInt(y.values[0].decimals) }), Math.fround(0.1));
  t.deepEqual(y.values[1], { value: float32ToFixed(-2).value.toString(), decimals: float32ToFixed(-2).decimals.toString() });
  t.deepEqual(n.values[0], { value: String(2n ** 60n), decimals: '0' });
  t.throws(() => encodeOutputs({ y: tensor('float32', [1], [NaN]) }, 'fixed'), { message: /NaN.*json or base64/ });
});

test('a request carries exactly one of inputs or modelInput', (t) => {
  t.throws(() => decodeInputs({}), { message: /exactly one of/ });
  t.throws(() => decodeInputs({ inputs: {}, modelInput: { numbers: [], strings: [] } }), { message: /got both/ });
  t.throws(() => decodeInputs({ modelInput: { numbers: [], strings: [{ name: 's', values: ['a'] }] } }), { message: /numeric tensors only/ });
  t.is(decodeInputs({ inputs: { a: { dtype: 'uint8', shape: [1], data: 'AQ==' } } }).encoding, 'base64');
  t.is(decodeInputs({ inputs: { a: { dtype: 'uint8', shape: [1], data: [1] } }, encoding: 'base64' }).encoding, 'base64');
});
