// The node's models: content-addressed files under <dataDir>/models named by model hash, an index of
// aliases and metadata, and sessions loaded on first use and evicted least-recently-used under a
// memory budget. A model is checked (decoded, every op supported) before it is stored.
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';
import { modelHash } from '../attest';
import type { ValueInfo } from '../onnx';
import { Session } from '../runtime';

export interface StoredModel {
  hash: string;
  aliases: string[];
  bytes: number;
  addedAt: string;
  /** Where it came from: a file path, a URL or 'upload'. */
  source: string;
  inputs: ValueInfo[];
  outputs: ValueInfo[];
}

export interface AddOptions {
  alias?: string;
  /** The model hash the bytes must have (required for URLs: what comes over a network is pinned). */
  expectedHash?: string;
  /** Where the bytes came from, for the index. */
  source?: string;
}

export interface LoadedModel {
  model: StoredModel;
  session: Session;
  /** Unpins the session; the store may evict it once nothing holds it. */
  release(): void;
}

interface Resident {
  session: Promise<Session>;
  cost: number;
  pins: number;
}

const ALIAS = /^[A-Za-z][A-Za-z0-9._-]{0,63}$/;
const HASH = /^0x[0-9a-f]{64}$/;
export const DEFAULT_MAX_MODEL_BYTES = 2 ** 31;

export class ModelStore {
  private index: StoredModel[] = [];
  /** Map order is recency: the first entry is the least recently used. */
  private readonly resident = new Map<string, Resident>();

  private constructor(readonly dir: string, private readonly memoryBudgetBytes: number, private readonly maxModelBytes: number) {
    this.reload();
  }

  static open(dataDir: string, options: { memoryBudgetBytes?: number; maxModelBytes?: number } = {}): ModelStore {
    const dir = path.join(dataDir, 'models');
    mkdirSync(dir, { recursive: true });
    return new ModelStore(dir, options.memoryBudgetBytes ?? 4 * 2 ** 30, options.maxModelBytes ?? DEFAULT_MAX_MODEL_BYTES);
  }

  list(): StoredModel[] {
    this.reload();
    return this.index.map((m) => ({ ...m, aliases: [...m.aliases] }));
  }

  /** A model by hash or alias; re-reads the index on a miss, so `verinfer models add` beside a running node shows up. */
  resolve(ref: string): StoredModel | undefined {
    const find = () => this.index.find((m) => m.hash === ref.toLowerCase() || m.aliases.includes(ref));
    return find() ?? (this.reload(), find());
  }

  /** Adds a model from a file path, an http(s) URL or bytes; adding a stored model again only adds the alias. */
  async add(source: string | Uint8Array, options: AddOptions = {}): Promise<StoredModel> {
    if (options.alias !== undefined && !ALIAS.test(options.alias)) {
      throw new RangeError(`alias must be a letter then up to 63 letters, digits, '.', '_' or '-', got ${JSON.stringify(options.alias)}`);
    }
    if (options.expectedHash !== undefined && !HASH.test(options.expectedHash.toLowerCase())) {
      throw new RangeError(`expected hash must be 0x and 64 hex digits, got ${JSON.stringify(options.expectedHash)}`);
    }
    const isUrl = typeof source === 'string' && /^https?:\/\//.test(source);
    if (isUrl && options.expectedHash === undefined) throw new RangeError(`a model from a URL needs its expected hash (--hash 0x…), to pin what the network sends`);
    const bytes = typeof source !== 'string' ? source : isUrl ? await download(source, this.maxModelBytes) : readModelFile(source, this.maxModelBytes);
    const hash = modelHash(bytes);
    if (options.expectedHash !== undefined && hash !== options.expectedHash.toLowerCase()) {
      throw new Error(`model hash mismatch: expected ${options.expectedHash.toLowerCase()}, the bytes hash to ${hash}`);
    }
    this.reload();
    const taken = options.alias === undefined ? undefined : this.index.find((m) => m.aliases.includes(options.alias!));
    if (taken && taken.hash !== hash) throw new Error(`alias '${options.alias}' already names model ${taken.hash}; remove it first`);
    let entry = this.index.find((m) => m.hash === hash);
    if (!entry) {
      const session = await Session.create(bytes); // rejects undecodable models and unsupported ops
      entry = {
        hash, aliases: [], bytes: bytes.length, addedAt: new Date().toISOString(),
        source: options.source ?? (typeof source === 'string' ? source : 'upload'),
        inputs: session.inputMetadata, outputs: session.outputMetadata,
      };
      session.release();
      writeDurably(this.fileOf(hash), bytes);
      this.index.push(entry);
    }
    if (options.alias !== undefined && !entry.aliases.includes(options.alias)) entry.aliases.push(options.alias);
    this.saveIndex();
    return { ...entry, aliases: [...entry.aliases] };
  }

  /** Removes a model (by hash or alias) and its file; false if there was none. */
  remove(ref: string): boolean {
    const entry = this.resolve(ref);
    if (!entry) return false;
    this.index = this.index.filter((m) => m !== entry);
    this.saveIndex();
    rmSync(this.fileOf(entry.hash), { force: true });
    const resident = this.resident.get(entry.hash);
    if (resident && resident.pins === 0) this.evict(entry.hash);
    return true;
  }

  /** The model's session, loaded if needed and pinned until `release()`. */
  async acquire(ref: string): Promise<LoadedModel> {
    const model = this.resolve(ref);
    if (!model) throw new ModelNotFoundError(ref);
    let resident = this.resident.get(model.hash);
    if (resident) this.resident.delete(model.hash);
    else resident = { session: Session.create(this.fileOf(model.hash)), cost: 2 * model.bytes, pins: 0 };
    this.resident.set(model.hash, resident); // most recently used
    resident.pins++;
    let released = false;
    const release = () => {
      if (released) return;
      released = true;
      resident!.pins--;
      this.fitBudget();
    };
    try {
      const session = await resident.session;
      this.fitBudget();
      return { model, session, release };
    } catch (error) {
      release();
      this.resident.delete(model.hash);
      throw error;
    }
  }

  /** Bytes the resident sessions are estimated to hold (weights and their packed copies). */
  residentBytes(): number {
    let total = 0;
    for (const r of this.resident.values()) total += r.cost;
    return total;
  }

  residentModels(): string[] {
    return [...this.resident.keys()];
  }

  private fitBudget(): void {
    for (const [hash, r] of this.resident) {
      if (this.residentBytes() <= this.memoryBudgetBytes) return;
      if (r.pins === 0) this.evict(hash);
    }
  }

  private evict(hash: string): void {
    const r = this.resident.get(hash)!;
    this.resident.delete(hash);
    r.session.then((s) => s.release(), () => undefined);
  }

  private fileOf(hash: string): string {
    return path.join(this.dir, `${hash.slice(2)}.onnx`);
  }

  private reload(): void {
    const file = path.join(this.dir, 'index.json');
    if (!existsSync(file)) return;
    const parsed = JSON.parse(readFileSync(file, 'utf8')) as { version: number; models: StoredModel[] };
    if (parsed.version !== 1 || !Array.isArray(parsed.models)) throw new Error(`${file}: not a version-1 model index`);
    this.index = parsed.models;
  }

  private saveIndex(): void {
    writeDurably(path.join(this.dir, 'index.json'), Buffer.from(JSON.stringify({ version: 1, models: this.index }, null, 2) + '\n'));
  }
}

export class ModelNotFoundError extends Error {
  constructor(readonly ref: string) {
    super(`no model '${ref}' in the store (by hash or alias)`);
  }
}

/** Write to a temporary file, fsync, rename: readers see the old file or the new one, never half. */
function writeDurably(file: string, bytes: Uint8Array): void {
  const tmp = `${file}.${randomBytes(6).toString('hex')}.tmp`;
  const fd = openSync(tmp, 'w', 0o644);
  try {
    writeSync(fd, bytes);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, file);
}

function readModelFile(file: string, maxBytes: number): Uint8Array {
  let bytes: Buffer;
  try {
    bytes = readFileSync(file);
  } catch (error) {
    throw new Error(`model file ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  if (bytes.length > maxBytes) throw new RangeError(`model file ${file} is ${bytes.length} bytes, over the ${maxBytes}-byte limit`);
  return bytes;
}

async function download(url: string, maxBytes: number): Promise<Uint8Array> {
  const response = await fetch(url, { redirect: 'follow' }).catch((error: Error) => {
    throw new Error(`cannot fetch ${url}: ${error.message}`);
  });
  if (!response.ok || !response.body) throw new Error(`cannot fetch ${url}: HTTP ${response.status}`);
  const declared = Number(response.headers.get('content-length'));
  if (declared > maxBytes) throw new RangeError(`${url} declares ${declared} bytes, over the ${maxBytes}-byte limit`);
  // Counted as it streams: a server may lie about its length.
  const chunks: Uint8Array[] = [];
  let total = 0;
  for await (const chunk of response.body as AsyncIterable<Uint8Array>) {
    total += chunk.length;
    if (total > maxBytes) throw new RangeError(`${url} sent more than the ${maxBytes}-byte limit`);
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}
