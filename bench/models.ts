// Whole-model latency: verinfer Session vs onnxruntime-node (its graph optimizations on) on the same
// seeded models, same thread count, in one run: the MLP 784-1024-1024-10 (batch 1 and 64), the small
// CNN (batch 1 and 16), one BERT-base encoder layer (hidden 768, 12 heads, seq 128) and a
// ResNet-50-shaped network at 224×224 (batch 1).
import os from 'node:os';
import { Session, setThreads } from '../lib';
import { encoderLayer } from '../test/models';
import { CNN, MLP, resnet50, seeded } from './bench-models';
import { loadOrt } from './peers';
import { fmt, interleavedMedians } from './timing';

const BERT_LAYER = encoderLayer({ hidden: 768, heads: 12, ff: 3072, seq: 128 }, 7);
const MODELS: { name: string; bytes: Uint8Array; sample: number[]; batches: number[] }[] = [
  { name: 'mlp', bytes: MLP, sample: [784], batches: [1, 64] },
  { name: 'cnn', bytes: CNN, sample: [3, 32, 32], batches: [1, 16] },
  { name: 'bert-layer', bytes: BERT_LAYER, sample: [128, 768], batches: [1] },
  { name: 'resnet50', bytes: resnet50(), sample: [3, 224, 224], batches: [1] },
];

export async function benchModels(): Promise<void> {
  const ort = loadOrt();
  if (!ort) console.log('onnxruntime-node not installed: its column is empty');
  console.log('model       batch  thr  verinfer ms  ort ms  ort/verinfer (>1: verinfer faster)  verinfer items/s  arena MiB');
  for (const threads of [1, os.availableParallelism()]) {
    setThreads(threads);
    for (const m of MODELS) {
      const session = await Session.create(m.bytes);
      const peer = ort && (await ort.InferenceSession.create(m.bytes, { intraOpNumThreads: threads, interOpNumThreads: 1, graphOptimizationLevel: 'all' }));
      for (const batch of m.batches) {
        const x = seeded([batch, ...m.sample], 99, 1);
        const runs: (() => unknown)[] = [() => session.run({ x })];
        if (peer) runs.push(() => peer.run({ x: new ort.Tensor('float32', x.data, x.shape) }));
        const [ours, theirs = NaN] = (await interleavedMedians(runs)).map((s) => s * 1e3);
        const arena = session.arenaBytes({ x }) / 2 ** 20;
        console.log(`${m.name.padEnd(11)} ${String(batch).padStart(5)} ${String(threads).padStart(4)} ${fmt(ours, 3).padStart(12)} ${fmt(theirs, 3).padStart(7)} ${fmt(theirs / ours, 2).padStart(13)} ${fmt((1e3 * batch) / ours, 0).padStart(31)} ${fmt(arena, 1).padStart(10)}`);
      }
      await peer?.release();
      session.release();
    }
  }
}
