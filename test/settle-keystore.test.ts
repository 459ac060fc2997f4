import test from 'ava';
import { execFile } from 'node:child_process';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import { createKeystore, keystoreAddress, loadKeystore, readPassword } from '../lib/settle';
import { tempDir } from './settle-helpers';

const run = promisify(execFile);
const CLI = path.join(__dirname, '..', 'lib', 'cli', 'main.js');
const PASSWORD = 'correct horse battery staple';

test('a keystore round-trips, refuses to overwrite and never echoes its secrets', async (t) => {
  const file = path.join(tempDir('keys'), 'operator.json');
  const address = await createKeystore(file, PASSWORD);
  t.is(statSync(file).mode & 0o777, 0o600);
  const json = JSON.parse(readFileSync(file, 'utf8'));
  t.truthy(json.crypto?.kdf === 'scrypt' || json.Crypto?.kdf === 'scrypt', 'scrypt keystore');
  t.is(keystoreAddress(file), address);
  const wallet = await loadKeystore(file, PASSWORD);
  t.is(wallet.address, address);

  const wrong = await t.throwsAsync(loadKeystore(file, 'not the password'));
  t.regex(wrong!.message, /cannot be decrypted: wrong password/);
  t.false(wrong!.message.includes('not the password'));
  t.false(wrong!.message.includes(wallet.privateKey.slice(2)));
  await t.throwsAsync(createKeystore(file, PASSWORD), { message: /already exists; refusing to overwrite/ });
  t.throws(() => keystoreAddress(path.join(path.dirname(file), 'missing.json')), { message: /cannot be read \(ENOENT\)/ });
});

test('the password comes from a file or the environment, and its absence is named', (t) => {
  const dir = tempDir('pw');
  writeFileSync(path.join(dir, 'pw'), 'from-file\n');
  t.is(readPassword({ passwordFile: path.join(dir, 'pw') }), 'from-file');
  process.env.VERINFER_TEST_PASSWORD = 'from-env';
  t.is(readPassword({ env: 'VERINFER_TEST_PASSWORD' }), 'from-env');
  t.throws(() => readPassword({ env: 'VERINFER_TEST_UNSET_PASSWORD' }), { message: /set VERINFER_TEST_UNSET_PASSWORD/ });
  writeFileSync(path.join(dir, 'empty'), '');
  t.throws(() => readPassword({ passwordFile: path.join(dir, 'empty') }), { message: /is empty/ });
});

test('verinfer keys new | address print the address and nothing secret', async (t) => {
  const dir = tempDir('cli-keys');
  const file = path.join(dir, 'k.json');
  const env = { ...process.env, VERINFER_KEY_PASSWORD: PASSWORD };
  const created = await run(process.execPath, [CLI, 'keys', 'new', '--keystore', file], { env });
  const address = created.stdout.trim();
  t.regex(address, /^0x[0-9a-fA-F]{40}$/);
  t.is(created.stderr, '');
  const shown = await run(process.execPath, [CLI, 'keys', 'address', '-k', file]);
  t.is(shown.stdout.trim(), address);
  const wallet = await loadKeystore(file, PASSWORD);
  for (const out of [created.stdout, shown.stdout]) {
    t.false(out.includes(wallet.privateKey.slice(2)));
    t.false(out.includes(PASSWORD));
  }
  const noPassword = await t.throwsAsync(run(process.execPath, [CLI, 'keys', 'new', '-k', path.join(dir, 'other.json')], { env: { PATH: process.env.PATH } }));
  t.regex((noPassword as unknown as { stderr: string }).stderr, /no keystore password: pass a password file or set VERINFER_KEY_PASSWORD/);
});
