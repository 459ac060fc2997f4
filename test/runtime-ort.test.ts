// The runtime against the peer: the seeded reference models (an MLP and a CNN) give the same results
// on onnxruntime-node within float32 rounding.
import test from 'ava';
import { Session } from '../lib';
import { randomTensor } from './helpers';
import { REFERENCE_MODELS } from './models';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const ort = require('onnxruntime-node');

for (const [name, model] of Object.entries(REFERENCE_MODELS)) {
  test(`${name}: verinfer and onnxruntime-node agree within 1e-5 relative`, async (t) => {
    const x = randomTensor([4, ...model.sample], 5);
    const ours = Object.values(await (await Session.create(model.bytes)).run({ [model.input]: x }))[0];
    const peer = await ort.InferenceSession.create(model.bytes, { intraOpNumThreads: 1 });
    const theirs = Object.values(await peer.run({ [model.input]: new ort.Tensor('float32', x.data, x.shape) }))[0] as { data: Float32Array; dims: number[] };
    await peer.release();
    t.deepEqual(ours.shape, [...theirs.dims]);
    let worst = 0;
    ours.data.forEach((v, i) => (worst = Math.max(worst, Math.abs(Number(v) - theirs.data[i]) / Math.max(1e-3, Math.abs(theirs.data[i])))));
    t.log(`largest relative difference: ${worst.toExponential(2)}`);
    t.true(worst <= 1e-5);
  });
}
