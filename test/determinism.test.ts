// The bit-identical contract: every kernel's output bytes are equal across threads {1, 2, 3, 7} x
// ISA {scalar, avx2, avx512} x a row alone vs inside a batch of 8 x misaligned buffers.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { info } from '../lib';

const probe = path.join(__dirname, 'fixtures', 'determinism-probe.js');
const cpuIsa = info().isa;
const supported = { scalar: true, avx2: cpuIsa !== 'scalar', avx512: cpuIsa === 'avx512' };

interface ProbeResult {
  isa: string;
  threads: number;
  hashes: Record<string, string>;
  problems: string[];
}

function runProbe(isa: string, threads: number): ProbeResult {
  const out = execFileSync(process.execPath, [probe, String(threads)], {
    env: { ...process.env, VERINFER_ISA: isa },
    encoding: 'utf8',
    timeout: 120_000,
  });
  return JSON.parse(out) as ProbeResult;
}

let baseline: ProbeResult | undefined;
function reference(): ProbeResult {
  baseline ??= runProbe('scalar', 1);
  return baseline;
}

for (const isa of ['scalar', 'avx2', 'avx512'] as const) {
  const body = (threads: number) => async (t: import('ava').ExecutionContext) => {
    const r = runProbe(isa, threads);
    t.is(r.isa, isa);
    t.is(r.threads, threads);
    t.deepEqual(r.problems, []);
    const ref = reference();
    const differing = Object.keys(ref.hashes).filter((k) => r.hashes[k] !== ref.hashes[k]);
    t.deepEqual(differing, [], `outputs differing from scalar/1 thread: ${differing.join(', ')}`);
    t.is(Object.keys(r.hashes).length, Object.keys(ref.hashes).length);
  };
  for (const threads of [1, 2, 3, 7]) {
    const name = `bit-identical: ${isa} x ${threads} threads vs scalar x 1 thread (batch, alignment)`;
    if (supported[isa]) test.serial(name, body(threads));
    else test.skip(`${name} — this CPU lacks ${isa}`, body(threads));
  }
}

test('VERINFER_ISA names an unknown or unavailable ISA: a clear error at load', (t) => {
  const err = t.throws(() =>
    execFileSync(process.execPath, ['-e', "require(process.argv[1]).info()", path.join(__dirname, '..', 'lib')], {
      env: { ...process.env, VERINFER_ISA: 'sse9' },
      encoding: 'utf8',
      stdio: 'pipe',
    }),
  );
  t.regex(String((err as { stderr?: string }).stderr), /VERINFER_ISA must be scalar, avx2 or avx512; got 'sse9'/);
});
