import test from 'ava';
import { keccak256 } from 'ethers';
import { onnx } from 'onnx-proto';
import { Session, tensor, type Tensor } from '../lib';
import { bytesEqual, randomTensor } from './helpers';
import { CNN, io, MLP, MLP_WEIGHTS, REFERENCE_MODELS } from './models';
import { oneNode } from './one-node';

const { W1, B1, W2, B2 } = MLP_WEIGHTS;

function reference(x: Tensor<'float32'>): number[] {
  const n = x.shape[0];
  const out: number[] = [];
  for (let r = 0; r < n; r++) {
    const h = Array.from({ length: 32 }, (_, j) => {
      let s = B1.data[j];
      for (let k = 0; k < 16; k++) s += x.data[r * 16 + k] * W1.data[k * 32 + j];
      return Math.max(s, 0);
    });
    const z = Array.from({ length: 4 }, (_, j) => {
      let s = B2.data[j];
      for (let k = 0; k < 32; k++) s += h[k] * W2.data[k * 4 + j];
      return s;
    });
    const m = Math.max(...z);
    const e = z.map((v) => Math.exp(v - m));
    const sum = e.reduce((a, b) => a + b, 0);
    out.push(...e.map((v) => v / sum));
  }
  return out;
}

test('a session exposes the model and runs it like a float64 reference', async (t) => {
  const session = await Session.create(MLP);
  t.deepEqual(session.inputNames, ['x']);
  t.deepEqual(session.outputNames, ['probs']);
  t.deepEqual(session.inputMetadata, [{ name: 'x', dtype: 'float32', shape: ['N', 16] }]);
  t.is(session.modelHash, keccak256(MLP));
  const x = randomTensor([5, 16], 9);
  const { probs } = await session.run({ x });
  t.deepEqual(probs.shape, [5, 4]);
  reference(x).forEach((want, i) => t.true(Math.abs(probs.data[i] as number - want) <= 1e-6, `probs[${i}] = ${probs.data[i]}, expected ${want}`));
  t.true(session.arenaBytes({ x }) > 0);
});

test('sample i of a batch of 8 is bit-identical to running sample i alone', async (t) => {
  const session = await Session.create(MLP);
  const batch = randomTensor([8, 16], 11);
  const { probs } = await session.run({ x: batch });
  for (let i = 0; i < 8; i++) {
    const alone = await session.run({ x: tensor('float32', [1, 16], batch.data.slice(i * 16, (i + 1) * 16)) });
    t.true(bytesEqual(alone.probs.data, (probs.data as Float32Array).subarray(i * 4, (i + 1) * 4)), `sample ${i}`);
  }
});

test('bad feeds and unsupported models are refused with the name of what is wrong', async (t) => {
  const session = await Session.create(MLP);
  await t.throwsAsync(session.run({}), { message: /input 'x' is missing/ });
  await t.throwsAsync(session.run({ x: randomTensor([2, 16], 1), y: randomTensor([1], 1) }), { message: /'y' is not an input of this model/ });
  await t.throwsAsync(session.run({ x: tensor('int32', [2, 16]) as never }), { message: /input 'x' must be float32, got int32/ });
  await t.throwsAsync(session.run({ x: randomTensor([2, 15], 1) }), { message: /input 'x' has shape \[2,15\], the model expects \[N,16\]/ });
  session.release();
  await t.throwsAsync(session.run({ x: randomTensor([2, 16], 1) }), { message: /session is released/ });
  const unsupported = onnx.ModelProto.encode({
    irVersion: 8, opsetImport: [{ domain: '', version: 13 }],
    graph: { input: [io('x', [2])], output: [io('y', [2])], node: [{ name: 'odd', opType: 'NonMaxSuppression', input: ['x'], output: ['y'] }] },
  }).finish();
  await t.throwsAsync(Session.create(unsupported), { message: /does not support at opset 13: NonMaxSuppression \(first: node 'odd'\)/ });
});

test('a plan run again on a reused arena gives the same bytes as its first run', async (t) => {
  const session = await Session.create(CNN);
  const a = randomTensor([2, 3, 16, 16], 41), b = randomTensor([2, 3, 16, 16], 42);
  const first = (await session.run({ image: a })).logits;
  await session.run({ image: b }); // leaves b's intermediates in the arena the next run takes
  const again = (await session.run({ image: a })).logits;
  t.true(bytesEqual(first.data, again.data));
});

test("a model's plans for different batch sizes hold its constants once and agree with fresh sessions", async (t) => {
  for (const [name, model] of Object.entries(REFERENCE_MODELS)) {
    const session = await Session.create(model.bytes);
    const run = async (s: Session, n: number) => Object.values(await s.run({ [model.input]: randomTensor([n, ...model.sample], 50 + n) }))[0];
    await run(session, 1);
    const held = session.constantBytes;
    t.true(held > 0, `${name}: constants are held natively`);
    for (const n of [2, 3, 5]) await run(session, n);
    t.is(session.constantBytes, held, `${name}: four plans hold one copy of the constants and packed weights`);
    for (const n of [3, 1, 5, 2]) {
      const fresh = await run(await Session.create(model.bytes), n);
      t.true(bytesEqual((await run(session, n)).data, fresh.data), `${name}: batch ${n} on shared constants`);
    }
  }
});

test('a by-value input tensor the caller rewrites in place is planned from its new values', async (t) => {
  // Small int64 inputs are planned by value (here Add of an input with itself is folded at plan time):
  // the same tensor object with new contents must give the new answer, not a remembered one.
  const ids = tensor('int64', [2], [1n, 2n]);
  const session = await Session.create(oneNode('Add', [ids, ids], 'int64'));
  t.deepEqual([...(await session.run({ in0: ids, in1: ids })).out.data], [2n, 4n]);
  ids.data[0] = 5n;
  t.deepEqual([...(await session.run({ in0: ids, in1: ids })).out.data], [10n, 4n]);
});

test('a model with more than 1024 constants plans and runs', async (t) => {
  const count = 1100;
  const initializer = Array.from({ length: count }, (_, i) => ({ name: `c${i}`, dataType: 1, dims: [1], floatData: [i] }));
  const node = Array.from({ length: count }, (_, i) => ({ name: `add${i}`, opType: 'Add', input: [i ? `s${i - 1}` : 'x', `c${i}`], output: [`s${i}`] }));
  const bytes = onnx.ModelProto.encode({
    irVersion: 8, opsetImport: [{ version: 13 }],
    graph: { name: 'many', initializer, node, input: [io('x', [1])], output: [io(`s${count - 1}`, [1])] },
  }).finish();
  const out = Object.values(await (await Session.create(bytes)).run({ x: tensor('float32', [1], [0.5]) }))[0];
  t.is(out.data[0], 0.5 + (count * (count - 1)) / 2);
});
