import test from 'ava';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';

// Built with the addon by `npm run build:native` (CMake); runs every kernel family on buffers that end
// at a PROT_NONE page, so an over-read or over-write is a SIGSEGV rather than a silent wrong value.
const candidates = ['guard_page_check', 'Release/guard_page_check'].map((p) => path.join(__dirname, '..', '..', 'build', p));
const binary = candidates.find((p) => existsSync(p));

for (const isa of ['scalar', 'avx2', 'avx512']) {
  test(`no kernel reads or writes past a caller's buffer (${isa})`, (t) => {
    if (!binary) return t.fail(`guard_page_check is not built (looked for ${candidates.join(', ')}); run npm run build:native`);
    const out = execFileSync(binary, { env: { ...process.env, VERINFER_ISA: isa }, encoding: 'utf8', timeout: 120_000 });
    t.regex(out, new RegExp(`guard_page_check: ${isa}, \\d+ cases, no access past any buffer`));
  });
}
