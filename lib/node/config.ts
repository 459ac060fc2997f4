// The node's configuration: one table of settings, read from a JSON file, then environment variables,
// then command-line flags, each overriding the one before. Every value is checked with a message that
// names the setting, where it came from, what was expected and what came.
import { readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { describe } from '../attest/hex';

type Kind = 'string' | 'int' | 'number' | 'ints' | 'url' | 'address' | 'hashes';

interface Setting {
  kind: Kind;
  description: string;
  default?: unknown;
  min?: number;
  max?: number;
}

export const SETTINGS = {
  dataDir: { kind: 'string', description: 'directory of the model store and the attestation outbox', default: path.join(homedir(), '.verinfer') },
  host: { kind: 'string', description: 'address the HTTP API listens on', default: '127.0.0.1' },
  port: { kind: 'int', description: 'HTTP port (0 picks a free one)', default: 8480, min: 0, max: 65535 },
  rpcUrl: { kind: 'url', description: 'JSON-RPC endpoint of the settlement chain' },
  contract: { kind: 'address', description: 'address of the VerinferSettlement contract' },
  keystore: { kind: 'string', description: 'operator keystore file (verinfer keys new)' },
  passwordFile: { kind: 'string', description: 'file holding the keystore password (else VERINFER_KEY_PASSWORD)' },
  adminToken: { kind: 'string', description: 'bearer token for operator routes (POST /v1/models); unset disables them' },
  threads: { kind: 'int', description: 'kernel threads (default: every core)', min: 1, max: 1024 },
  maxBatch: { kind: 'int', description: 'most rows in one batched run (1 turns batching off)', default: 32, min: 1, max: 4096 },
  maxDelayMs: { kind: 'number', description: 'longest a request waits for others to share its run (0: batches form only while the previous one runs)', default: 0, min: 0, max: 10_000 },
  preferredBatch: { kind: 'ints', description: 'batch sizes dispatched as soon as they form (comma-separated)', default: [], min: 1, max: 4096 },
  maxQueue: { kind: 'int', description: 'requests waiting per model before new ones get 429', default: 256, min: 1, max: 1_000_000 },
  requestTimeoutMs: { kind: 'int', description: 'an inference not answered by then gets 503', default: 30_000, min: 1, max: 3_600_000 },
  bodyLimitMb: { kind: 'number', description: 'largest request body, in MiB', default: 16, min: 0.001, max: 4096 },
  modelLimitMb: { kind: 'number', description: 'largest model upload or download, in MiB', default: 2048, min: 0.001, max: 65536 },
  memoryBudgetMb: { kind: 'number', description: 'memory for resident models; least recently used ones are evicted past it', default: 4096, min: 1, max: 1 << 24 },
  settleBatchSize: { kind: 'int', description: 'a batch of attestations seals at this many…', default: 256, min: 1, max: 65536 },
  settleDelayMs: { kind: 'int', description: '…or this long after its first one', default: 2000, min: 0, max: 3_600_000 },
  confirmations: { kind: 'int', description: 'blocks on top of a commit or an on-chain request before it counts', default: 1, min: 1, max: 1000 },
  hub: { kind: 'address', description: 'address of an InferenceHub whose requests this node fulfils' },
  hubFromBlock: { kind: 'int', description: 'block to start scanning the hub from on the first start', default: 0, min: 0, max: Number.MAX_SAFE_INTEGER },
  hubPollMs: { kind: 'int', description: 'how often to look at the hub for requests, due workflows and fees', default: 1000, min: 10, max: 3_600_000 },
  workflows: { kind: 'hashes', description: 'hub workflow ids (0x + 64 hex, comma-separated) this node runs when due', default: [] },
} satisfies Record<string, Setting>;

export type SettingName = keyof typeof SETTINGS;

type ValueOf<K extends Kind> = K extends 'int' | 'number' ? number : K extends 'ints' ? number[] : K extends 'hashes' ? string[] : string;
export type NodeConfig = { [K in SettingName]: (typeof SETTINGS)[K] extends { default: unknown } ? ValueOf<(typeof SETTINGS)[K]['kind']> : ValueOf<(typeof SETTINGS)[K]['kind']> | undefined };

/** `dataDir` → `VERINFER_DATA_DIR`, `--data-dir`. */
export const envName = (name: string) => 'VERINFER_' + name.replace(/[A-Z]/g, (c) => '_' + c).toUpperCase();
export const flagName = (name: string) => name.replace(/[A-Z]/g, (c) => '-' + c.toLowerCase());

/**
 * Merges the layers, later winning: defaults, the JSON file, environment variables, flags. Flag values
 * arrive as strings from commander and are parsed like environment variables.
 */
export function loadConfig(options: { file?: string; env?: NodeJS.ProcessEnv; flags?: Record<string, unknown> } = {}): NodeConfig {
  const config: Record<string, unknown> = {};
  for (const [name, setting] of Object.entries(SETTINGS) as [SettingName, Setting][]) {
    if (setting.default !== undefined) config[name] = setting.default;
  }
  if (options.file) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(readFileSync(options.file, 'utf8'));
    } catch (error) {
      throw new Error(`config file ${options.file}: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`);
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) throw new Error(`config file ${options.file}: expected a JSON object, got ${describe(parsed)}`);
    for (const [name, value] of Object.entries(parsed)) {
      if (!(name in SETTINGS)) throw new Error(`config file ${options.file}: unknown setting '${name}' (known: ${Object.keys(SETTINGS).join(', ')})`);
      config[name] = check(name as SettingName, value, `config file ${options.file}`);
    }
  }
  for (const name of Object.keys(SETTINGS) as SettingName[]) {
    const raw = options.env?.[envName(name)];
    if (raw !== undefined && raw !== '') config[name] = check(name, fromText(name, raw), `environment ${envName(name)}`);
  }
  for (const name of Object.keys(SETTINGS) as SettingName[]) {
    const raw = options.flags?.[name];
    if (raw !== undefined) config[name] = check(name, typeof raw === 'string' ? fromText(name, raw) : raw, `flag --${flagName(name)}`);
  }
  return config as NodeConfig;
}

/** Settings a command needs but has no default for. */
export function requireSettings(config: NodeConfig, names: SettingName[]): void {
  const missing = names.filter((n) => config[n] === undefined);
  if (missing.length > 0) {
    throw new Error(`missing setting${missing.length > 1 ? 's' : ''}: ${missing.map((n) => `${n} (--${flagName(n)} or ${envName(n)} or "${n}" in the config file)`).join('; ')}`);
  }
}

function fromText(name: SettingName, text: string): unknown {
  const kind = (SETTINGS[name] as Setting).kind;
  if (kind === 'int' || kind === 'number') return /^\s*-?[\d.]+(e\d+)?\s*$/i.test(text) ? Number(text) : text;
  if (kind === 'ints') return text.trim() === '' ? [] : text.split(',').map((p) => (/^\s*\d+\s*$/.test(p) ? Number(p) : p));
  if (kind === 'hashes') return text.trim() === '' ? [] : text.split(',').map((p) => p.trim());
  return text;
}

function check(name: SettingName, value: unknown, origin: string): unknown {
  const s = SETTINGS[name] as Setting;
  const fail = (expected: string) => new Error(`${origin}: ${name} must be ${expected}, got ${describe(value)}`);
  const inRange = (n: unknown, integer: boolean) =>
    typeof n === 'number' && Number.isFinite(n) && (!integer || Number.isInteger(n)) && n >= (s.min ?? -Infinity) && n <= (s.max ?? Infinity);
  const range = `${s.min ?? '-∞'}…${s.max ?? '∞'}`;
  switch (s.kind) {
    case 'int':
      if (!inRange(value, true)) throw fail(`an integer in ${range}`);
      return value;
    case 'number':
      if (!inRange(value, false)) throw fail(`a number in ${range}`);
      return value;
    case 'ints':
      if (!Array.isArray(value) || !value.every((v) => inRange(v, true))) throw fail(`a list of integers in ${range}`);
      return value;
    case 'url':
      if (typeof value !== 'string' || !/^(https?|wss?):\/\/\S+$/.test(value)) throw fail('an http(s) or ws(s) URL');
      return value;
    case 'hashes':
      if (!Array.isArray(value) || !value.every((v) => typeof v === 'string' && /^0x[0-9a-fA-F]{64}$/.test(v))) throw fail('a list of 0x-prefixed 32-byte ids');
      return value.map((v: string) => v.toLowerCase());
    case 'address':
      if (typeof value !== 'string' || !/^0x[0-9a-fA-F]{40}$/.test(value)) throw fail('a 0x-prefixed 20-byte address');
      return value;
    default:
      if (typeof value !== 'string' || value === '') throw fail('a non-empty string');
      return value;
  }
}
