import test from 'ava';
import { ops, tensor, setThreads } from '../lib';
import { native } from '../lib/native';

const f = (shape: number[]) => tensor('float32', shape);

test('shape mismatches name the argument and both shapes', async (t) => {
  const e = t.throws(() => ops.matmul(f([2, 3]), f([4, 5])));
  t.regex(e!.message, /matmul: inner dimensions differ: a \[2, 3\] gives K = 3, b \[4, 5\] gives K = 4/);
  t.throws(() => ops.binary('add', f([2, 3]), f([4])), { message: /shapes \[2, 3\] and \[4\] cannot be broadcast/ });
  t.throws(() => ops.conv2d(f([1, 3, 5, 5]), f([2, 4, 3, 3])), { message: /weight has 4 input channels per group, expected 3/ });
  t.throws(() => ops.matmul(f([2, 3]), f([3, 4]), f([3, 4])), { message: /c must broadcast to \[2, 4\]/ });
  t.throws(() => ops.concat([f([2, 3]), f([3, 3])], { axis: 1 }), { message: /input 1 has shape \[3, 3\]/ });
});

test('wrong dtypes and argument types are TypeErrors that say what was expected', (t) => {
  t.throws(() => native.unary('relu', tensor('int32', [2])), { instanceOf: TypeError, message: /unary: x must have dtype float32, got int32/ });
  t.throws(() => native.unary('relu', { dtype: 'float32', shape: [2], data: new Int32Array(2) }), {
    instanceOf: TypeError, message: /must be a Float32Array for dtype float32, got a Int32Array/,
  });
  t.throws(() => native.unary('relu', [1, 2, 3]), { instanceOf: TypeError, message: /tensor object \{ dtype, shape, data \}, got an array/ });
  t.throws(() => native.unary('nope', f([1])), { instanceOf: TypeError, message: /unary: op must be one of identity, relu/ });
  t.throws(() => native.matmul(f([2, 2]), f([2, 2]), null, { transA: 'yes' }), { message: /transA must be a boolean, got a string/ });
  t.throws(() => native.unary('relu', { dtype: 'float128', shape: [1], data: new Float64Array(1) }), { message: /dtype must be one of/ });
  t.throws(() => native.matmul(f([2, 2]), { handle: {} }, null, {}), { message: /b.handle is not a packed matrix/ });
  t.throws(() => native.matmul(f([2, 2]), ops.packInt8B(tensor('int8', [2, 2])), null, {}), { message: /not a packed matrix/ });
});

test('negative, fractional, huge or overflowing sizes are rejected before allocating', (t) => {
  const bad = (shape: unknown) => native.unary('relu', { dtype: 'float32', shape, data: new Float32Array(4) });
  t.throws(() => bad([-1, 4]), { instanceOf: RangeError, message: /shape\[0\] must be a non-negative integer/ });
  t.throws(() => bad([2.5]), { instanceOf: RangeError });
  t.throws(() => bad([2 ** 40, 2 ** 40]), { instanceOf: RangeError, message: /exceeds the 2\^34-element limit/ });
  t.throws(() => bad(new Array(17).fill(1)), { message: /rank 17, the maximum is 16/ });
  // Broadcasting two legal inputs into an absurd output is refused too.
  t.throws(() => ops.binary('add', f([2 ** 20, 1]), f([1, 2 ** 20])), { message: /exceeds the 2\^34-element limit/ });
  t.throws(() => ops.pool2d('max', f([1, 1, 4, 4]), { kernelShape: [5, 5] }), { message: /does not fit the padded input 4x4/ });
  t.throws(() => ops.pool2d('max', f([1, 1, 4, 4]), { kernelShape: [2, 2], strides: [0, 1] }), { message: /strides must be >= 1/ });
  t.throws(() => setThreads(0), { message: /threads must be an integer from 1 to 1024/ });
});

test('too-short and detached buffers are refused', (t) => {
  t.throws(() => native.unary('relu', { dtype: 'float32', shape: [5], data: new Float32Array(4) }), {
    message: /unary: x.data has 4 elements, shape \[5\] needs 5/,
  });
  const buf = new ArrayBuffer(16);
  const data = new Float32Array(buf);
  structuredClone(buf, { transfer: [buf] });
  t.throws(() => native.unary('relu', { dtype: 'float32', shape: [4], data }), { message: /detached or empty/ });
});

test('out-of-range gather indices and bad slice steps are errors, not crashes', (t) => {
  t.throws(() => ops.gather(f([3, 2]), tensor('int64', [1], [3n])), { message: /indices\[0\] = 3 is out of range \[-3, 3\)/ });
  t.throws(() => ops.slice(f([3]), { starts: [0], ends: [3], steps: [0] }), { message: /steps must be non-zero/ });
  t.throws(() => ops.transpose(f([2, 3]), { perm: [0, 0] }), { message: /perm must be a permutation/ });
  t.throws(() => ops.reduce('sum', f([2, 3]), { axes: [2] }), { message: /axis 2 is out of range for rank 2/ });
});

test('async errors reject the promise instead of crashing', async (t) => {
  await t.throwsAsync(async () => ops.softmax(f([2]), { axis: 3 }), { message: /axis 3 is out of range/ });
});
