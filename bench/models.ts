// Whole-model latency: verinfer Session vs onnxruntime-node on the same seeded MLP and CNN, same thread
// count, batch 1 and 32, in one run.
import os from 'node:os';
import { Session, setThreads } from '../lib';
import { CNN, MLP, seeded } from './bench-models';
import { loadOrt } from './peers';
import { fmt, medianSeconds } from './timing';

export async function benchModels(): Promise<void> {
  const ort = loadOrt();
  if (!ort) console.log('onnxruntime-node not installed: its column is empty');
  console.log('model  batch  thr   verinfer ms   ort ms   ort/verinfer (>1: verinfer faster)');
  for (const threads of [1, os.availableParallelism()]) {
    setThreads(threads);
    for (const [name, bytes, sample] of [['mlp', MLP, [784]], ['cnn', CNN, [3, 32, 32]]] as const) {
      const session = await Session.create(bytes);
      const peer = ort && (await ort.InferenceSession.create(bytes, { intraOpNumThreads: threads, interOpNumThreads: 1 }));
      for (const batch of [1, 32]) {
        const x = seeded([batch, ...sample], 99, 1);
        const ours = (await medianSeconds(() => session.run({ x }))) * 1e3;
        const theirs = peer ? (await medianSeconds(() => peer.run({ x: new ort.Tensor('float32', x.data, x.shape) }))) * 1e3 : NaN;
        console.log(`${name.padEnd(6)} ${String(batch).padStart(5)} ${String(threads).padStart(4)} ${fmt(ours, 3).padStart(13)} ${fmt(theirs, 3).padStart(8)} ${fmt(theirs / ours, 2).padStart(10)}`);
      }
      await peer?.release();
      session.release();
    }
  }
}
