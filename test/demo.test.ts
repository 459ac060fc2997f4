import test from 'ava';
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const CLI = path.join(__dirname, '..', 'lib', 'cli', 'main.js');

test('npm start (verinfer demo) runs inference, attests, commits on a local chain and verifies a receipt', async (t) => {
  const { stdout, stderr } = await run(process.execPath, [CLI, 'demo', '--requests', '20'], { timeout: 120_000 });
  t.regex(stdout, /20 inferences attested in 1 batch\(es\)/);
  t.regex(stdout, /ok {3}committed: root committed by 0x[0-9a-fA-F]{40}/);
  t.regex(stdout, /receipt verified on-chain/);
  t.is(stderr, '');
});
