// The runtime against the peer: the seeded reference models (an MLP, a CNN, a transformer encoder layer)
// give the same results on onnxruntime-node within float32 rounding.
import test from 'ava';
import { Session } from '../lib';
import { randomTensor } from './helpers';
import { REFERENCE_MODELS } from './models';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const ort = require('onnxruntime-node');

for (const [name, model] of Object.entries(REFERENCE_MODELS)) {
  test(`${name}: verinfer and onnxruntime-node agree within 1e-5 relative plus 1e-6 absolute`, async (t) => {
    const x = randomTensor([4, ...model.sample], 5);
    const ours = Object.values(await (await Session.create(model.bytes)).run({ [model.input]: x }))[0];
    const peer = await ort.InferenceSession.create(model.bytes, { intraOpNumThreads: 1 });
    const theirs = Object.values(await peer.run({ [model.input]: new ort.Tensor('float32', x.data, x.shape) }))[0] as { data: Float32Array; dims: number[] };
    await peer.release();
    t.deepEqual(ours.shape, [...theirs.dims]);
    // float32 rounding on both sides: relative for large outputs, absolute near zero (after LayerNorm).
    let worst = 0, largest = 0;
    ours.data.forEach((v, i) => {
      const d = Math.abs(Number(v) - theirs.data[i]);
      largest = Math.max(largest, d);
      worst = Math.max(worst, d / (1e-6 + 1e-5 * Math.abs(theirs.data[i])));
    });
    t.log(`largest difference ${largest.toExponential(2)}; ${(100 * worst).toFixed(1)}% of the tolerance`);
    t.true(worst <= 1);
  });
}
