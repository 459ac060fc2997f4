import test from 'ava';
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { envName, flagName, loadConfig, requireSettings, SETTINGS } from '../lib/node';
import { tempDir } from './settle-helpers';

test('defaults, then the file, then environment variables, then flags', (t) => {
  const file = path.join(tempDir('config'), 'node.json');
  writeFileSync(file, JSON.stringify({ port: 1000, maxBatch: 4, host: '0.0.0.0', preferredBatch: [2, 4] }));
  const config = loadConfig({ file, env: { VERINFER_PORT: '2000', VERINFER_MAX_BATCH: '8' }, flags: { port: '3000' } });
  t.is(config.port, 3000);
  t.is(config.maxBatch, 8);
  t.is(config.host, '0.0.0.0');
  t.deepEqual(config.preferredBatch, [2, 4]);
  t.is(config.maxQueue, SETTINGS.maxQueue.default);
  t.deepEqual(loadConfig({ env: { VERINFER_PREFERRED_BATCH: '1,8' } }).preferredBatch, [1, 8]);
});

test('names map the same way everywhere', (t) => {
  t.is(envName('settleDelayMs'), 'VERINFER_SETTLE_DELAY_MS');
  t.is(flagName('settleDelayMs'), 'settle-delay-ms');
});

test('bad values name the setting, where it came from, what was expected and what came', (t) => {
  const file = path.join(tempDir('config'), 'node.json');
  writeFileSync(file, JSON.stringify({ prot: 1 }));
  t.throws(() => loadConfig({ file }), { message: /config file .*node\.json: unknown setting 'prot'/ });
  writeFileSync(file, '{"port": ');
  t.throws(() => loadConfig({ file }), { message: /config file .*node\.json: .*JSON/ });
  t.throws(() => loadConfig({ file: '/nonexistent/verinfer.json' }), { message: /ENOENT/ });
  t.throws(() => loadConfig({ env: { VERINFER_PORT: 'eighty' } }), { message: 'environment VERINFER_PORT: port must be an integer in 0…65535, got "eighty"' });
  t.throws(() => loadConfig({ flags: { maxBatch: '0' } }), { message: /flag --max-batch: maxBatch must be an integer in 1…4096, got 0/ });
  t.throws(() => loadConfig({ flags: { rpcUrl: 'localhost:8545' } }), { message: /rpcUrl must be an http\(s\) or ws\(s\) URL/ });
  t.throws(() => loadConfig({ flags: { contract: '0x1234' } }), { message: /contract must be a 0x-prefixed 20-byte address/ });
  t.throws(() => loadConfig({ env: { VERINFER_PREFERRED_BATCH: '2,x' } }), { message: /preferredBatch must be a list of integers/ });
});

test('settings a command needs are asked for by every name they can be given', (t) => {
  const error = t.throws(() => requireSettings(loadConfig(), ['rpcUrl', 'keystore']));
  t.regex(error!.message, /missing settings: rpcUrl \(--rpc-url or VERINFER_RPC_URL or "rpcUrl" in the config file\); keystore/);
});
