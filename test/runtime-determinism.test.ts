// The bit-identical contract end to end: every supported conformance model and the seeded reference
// models give the same output bytes across threads {1, 2, 7} x ISA {scalar, avx2, avx512}, and a sample
// inside a batch of 8 equals its batch-1 run. Golden hashes pin the reference models across versions.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { info } from '../lib';

const probe = path.join(__dirname, 'fixtures', 'runtime-probe.js');
const GOLDEN = path.join(__dirname, '..', '..', 'test', 'conformance', 'golden-hashes.json');
const cpuIsa = info().isa;
const supported = { scalar: true, avx2: cpuIsa !== 'scalar', avx512: cpuIsa === 'avx512' };

interface ProbeResult { isa: string; threads: number; hashes: Record<string, string>; problems: string[] }

function runProbe(isa: string, threads: number): ProbeResult {
  const out = execFileSync(process.execPath, [probe, String(threads)], { env: { ...process.env, VERINFER_ISA: isa }, encoding: 'utf8', timeout: 300_000, maxBuffer: 64 << 20 });
  return JSON.parse(out) as ProbeResult;
}

let baseline: ProbeResult | undefined;
const reference = () => (baseline ??= runProbe('scalar', 1));

test.serial('reference models match their checked-in golden hashes', (t) => {
  const golden: Record<string, string> = JSON.parse(readFileSync(GOLDEN, 'utf8'));
  const ref = reference();
  t.deepEqual(ref.problems, []);
  for (const [name, hash] of Object.entries(golden)) t.is(ref.hashes[name], hash, name);
  t.true(Object.keys(ref.hashes).length > 300, `${Object.keys(ref.hashes).length} outputs hashed`);
});

for (const isa of ['scalar', 'avx2', 'avx512'] as const) {
  for (const threads of [1, 2, 7]) {
    if (isa === 'scalar' && threads === 1) continue;
    const name = `models bit-identical: ${isa} x ${threads} threads vs scalar x 1 thread, batch of 8 vs alone`;
    const body = (t: import('ava').ExecutionContext) => {
      const r = runProbe(isa, threads);
      t.is(r.isa, isa);
      t.deepEqual(r.problems, []);
      const ref = reference();
      const differing = Object.keys(ref.hashes).filter((k) => r.hashes[k] !== ref.hashes[k]);
      t.deepEqual(differing, [], `outputs differing: ${differing.join(', ')}`);
    };
    if (supported[isa]) test.serial(name, body);
    else test.skip(`${name} — this CPU lacks ${isa}`, body);
  }
}
