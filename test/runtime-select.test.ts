// The integer, logical and selection kernels (native/ops/integer.cpp, select.cpp) through one-node ONNX
// graphs, against plain TypeScript references: wrap-around, truncating division, Python-style Mod,
// broadcasting, negative and out-of-range indices, ties and NaN in ArgMax.
import test from 'ava';
import { onnx } from 'onnx-proto';
import { Session, tensor, type Tensor } from '../lib';
import { intAttr as int, oneNode, runNode as run } from './one-node';

const values = (t: Tensor) => Array.from(t.data as ArrayLike<number | bigint>, (v) => (typeof v === 'bigint' ? v : Number(v)));

test('integer arithmetic wraps, divides toward zero and takes Mod with the sign of the divisor', async (t) => {
  const a = tensor('int32', [6], [7, -7, 7, -7, 2 ** 31 - 1, -(2 ** 31)]);
  const b = tensor('int32', [6], [2, 2, -2, -2, 1, -1]);
  t.deepEqual(values(await run('Add', [a, b], 'int32')), [9, -5, 5, -9, -(2 ** 31), 2 ** 31 - 1]);
  t.deepEqual(values(await run('Div', [a, b], 'int32')), [3, -3, -3, 3, 2 ** 31 - 1, -(2 ** 31)]);
  t.deepEqual(values(await run('Mod', [a, b], 'int32')), [1, 1, -1, -1, 0, 0]);
  t.deepEqual(values(await run('Mod', [a, b], 'int32', [int('fmod', 1)])), [1, -1, 1, -1, 0, 0]);
  t.deepEqual(values(await run('Mul', [tensor('int8', [2], [100, -128]), tensor('int8', [2], [3, -1])], 'int8')), [44, -128]);
  t.deepEqual(values(await run('Pow', [tensor('int64', [3], [3n, -2n, 2n]), tensor('int64', [3], [4n, 3n, 63n])], 'int64')), [81n, -8n, -(2n ** 63n)]);
  // Broadcasting: [2, 1] against [3].
  const sum = await run('Sub', [tensor('int64', [2, 1], [10n, 20n]), tensor('int64', [3], [1n, 2n, 3n])], 'int64');
  t.deepEqual(sum.shape, [2, 3]);
  t.deepEqual(values(sum), [9n, 8n, 7n, 19n, 18n, 17n]);
  await t.throwsAsync(run('Div', [a, tensor('int32', [6], [1, 1, 0, 1, 1, 1])], 'int32'), { message: /integer division by zero/ });
});

test('logical ops, integer comparisons, Neg, Abs and Clip on integers', async (t) => {
  const p = tensor('bool', [4], [0, 0, 1, 1]), q = tensor('bool', [4], [0, 1, 0, 1]);
  t.deepEqual(values(await run('And', [p, q], 'bool')), [0, 0, 0, 1]);
  t.deepEqual(values(await run('Or', [p, q], 'bool')), [0, 1, 1, 1]);
  t.deepEqual(values(await run('Xor', [p, q], 'bool')), [0, 1, 1, 0]);
  t.deepEqual(values(await run('Not', [p], 'bool')), [1, 1, 0, 0]);
  const x = tensor('int64', [4], [-3n, 0n, 5n, -(2n ** 63n)]);
  t.deepEqual(values(await run('Less', [x, tensor('int64', [], [0n])], 'bool')), [1, 0, 0, 1]);
  t.deepEqual(values(await run('Neg', [x], 'int64')), [3n, 0n, -5n, -(2n ** 63n)]);
  t.deepEqual(values(await run('Abs', [x], 'int64')), [3n, 0n, 5n, -(2n ** 63n)]);
  t.deepEqual(values(await run('Clip', [tensor('int32', [4], [-9, 0, 4, 9]), tensor('int32', [], [-2]), tensor('int32', [], [3])], 'int32')), [-2, 0, 3, 3]);
});

test('Where broadcasts its three operands and keeps every bit of the picked element', async (t) => {
  const c = tensor('bool', [2, 1], [1, 0]);
  const x = tensor('float32', [3], [-0, NaN, Infinity]);
  const y = tensor('float32', [], [7]);
  const out = await run('Where', [c, x, y], 'float32');
  t.deepEqual(out.shape, [2, 3]);
  const got = values(out) as number[];
  t.true(Object.is(got[0], -0));
  t.true(Number.isNaN(got[1]));
  t.deepEqual(got.slice(2), [Infinity, 7, 7, 7]);
});

test('GatherElements takes negative indices from the end and refuses out-of-range ones without writing', async (t) => {
  const data = tensor('float32', [2, 3], [1, 2, 3, 4, 5, 6]);
  const out = await run('GatherElements', [data, tensor('int64', [2, 2], [0n, -1n, 2n, 1n])], 'float32', [int('axis', 1)]);
  t.deepEqual(values(out), [1, 3, 6, 5]);
  const rows = await run('GatherElements', [data, tensor('int64', [1, 3], [1n, 0n, 1n])], 'float32', [int('axis', 0)]);
  t.deepEqual(values(rows), [4, 2, 6]);
  await t.throwsAsync(run('GatherElements', [data, tensor('int64', [1, 1], [3n])], 'float32', [int('axis', 1)]), { message: /index 3 is out of range for axis size 3/ });
});

test('ArgMax and ArgMin: first or last of ties, NaN wins like numpy, keepdims either way', async (t) => {
  const x = tensor('float32', [2, 4], [1, 5, 5, 2, 3, NaN, 9, NaN]);
  t.deepEqual(values(await run('ArgMax', [x], 'int64', [int('axis', 1)])), [1n, 1n]);
  t.deepEqual(values(await run('ArgMax', [x], 'int64', [int('axis', 1), int('select_last_index', 1)])), [2n, 1n]);
  const min = await run('ArgMin', [x], 'int64', [int('axis', 0), int('keepdims', 0)]);
  t.deepEqual(min.shape, [4]);
  t.deepEqual(values(min), [0n, 1n, 0n, 1n]);
});

test('TopK returns values and indices best first, ties in index order, NaN above every number', async (t) => {
  const model = onnx.ModelProto.decode(oneNode('TopK', [tensor('float32', [2, 5]), tensor('int64', [1])], 'float32', [int('axis', 1)]));
  model.graph!.output = [...model.graph!.output!, { name: 'idx', type: { tensorType: { elemType: 7 } } }];
  model.graph!.node![0].output = ['out', 'idx'];
  const session = await Session.create(onnx.ModelProto.encode(model).finish());
  const x = tensor('float32', [2, 5], [3, 1, 3, NaN, 2, -1, -1, -2, 5, 0]);
  const largest = await session.run({ in0: x, in1: tensor('int64', [1], [3n]) });
  t.deepEqual(values(largest.idx), [3n, 0n, 2n, 3n, 4n, 0n]);
  t.deepEqual((values(largest.out) as number[]).slice(1), [3, 3, 5, 0, -1]);
  t.true(Number.isNaN(values(largest.out)[0] as number));
  const none = await session.run({ in0: x, in1: tensor('int64', [1], [0n]) });
  t.deepEqual(none.idx.shape, [2, 0]);
});

test('ScatterElements applies duplicates in order, ScatterND writes slices, GatherND reads them; bad indices are refused', async (t) => {
  const data = tensor('float32', [2, 3], [1, 2, 3, 4, 5, 6]);
  const added = await run('ScatterElements', [data, tensor('int64', [1, 3], [1n, 1n, -2n]), tensor('float32', [1, 3], [10, 20, 30])], 'float32', [int('axis', 1)]);
  // reduction none: the last write to an index wins
  t.deepEqual(values(added), [1, 30, 3, 4, 5, 6]);
  const nd = await run('ScatterND', [data, tensor('int64', [1, 1], [1n]), tensor('float32', [1, 3], [7, 8, 9])], 'float32');
  t.deepEqual(values(nd), [1, 2, 3, 7, 8, 9]);
  const gathered = await run('GatherND', [data, tensor('int64', [2, 2], [1n, 2n, 0n, -3n])], 'float32');
  t.deepEqual(values(gathered), [6, 1]);
  await t.throwsAsync(run('GatherND', [data, tensor('int64', [1, 2], [2n, 0n])], 'float32'), { message: /index 2 is out of range for axis size 2/ });
  await t.throwsAsync(run('ScatterND', [data, tensor('int64', [1, 1], [5n]), tensor('float32', [1, 3], [7, 8, 9])], 'float32'), { message: /out of range/ });
});
