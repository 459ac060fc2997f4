import test from 'ava';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { conformanceCases, runCase, SUITES } from './conformance-runner';

// The checked-in list of conformance cases the runtime does not support yet, each with its reason.
// Every other case must pass; a listed case that starts passing must come off the list.
// UPDATE_CONFORMANCE=1 npm test rewrites it from the current runtime.
const LIST = path.join(__dirname, '..', '..', 'test', 'conformance', 'unsupported.json');

test('ONNX conformance: every case passes except the listed unsupported ones, for the listed reason', async (t) => {
  const listed: Record<string, string> = JSON.parse(readFileSync(LIST, 'utf8'));
  const refused: Record<string, string> = {};
  const problems: string[] = [];
  const passed: Record<string, number> = {};
  const total: Record<string, number> = {};
  for (const name of conformanceCases()) {
    const suite = name.split('/')[0];
    total[suite] = (total[suite] ?? 0) + 1;
    const outcome = await runCase(name);
    if (outcome.status === 'mismatch') problems.push(`${name}: ${outcome.detail}`);
    else if (outcome.status === 'refused') {
      refused[name] = outcome.reason;
      if (!(name in listed)) problems.push(`${name}: refused but not listed: ${outcome.reason}`);
      else if (listed[name] !== outcome.reason) problems.push(`${name}: refused for '${outcome.reason}', listed for '${listed[name]}'`);
    } else {
      passed[suite] = (passed[suite] ?? 0) + 1;
      if (name in listed) problems.push(`${name}: passes now; take it off the list`);
    }
  }
  if (process.env.UPDATE_CONFORMANCE) writeFileSync(LIST, JSON.stringify(refused, Object.keys(refused).sort(), 2) + '\n');
  for (const suite of SUITES) t.log(`${suite}: ${passed[suite] ?? 0} of ${total[suite]} pass`);
  t.deepEqual(problems, []);
});
