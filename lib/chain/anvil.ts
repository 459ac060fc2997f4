// Starts a real local chain (anvil from @foundry-rs/anvil) on 127.0.0.1 and a free port.
import { spawn, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';

export interface AnvilOptions {
  chainId?: number;
  /** Seconds between blocks; omitted = a block per transaction (automine). */
  blockTime?: number;
  /** Fixed port; omitted = a free one. */
  port?: number;
  /** Milliseconds to wait for anvil to listen. */
  startTimeoutMs?: number;
}

export interface AnvilNode {
  url: string;
  port: number;
  chainId: number;
  /** Private keys of anvil's funded dev accounts (its well-known test mnemonic). */
  devKeys: string[];
  process: ChildProcess;
  stop(): Promise<void>;
}

// Anvil's default mnemonic ("test test ... junk") accounts 0..9: public, funded only on dev chains.
const DEV_KEYS = [
  '0xac0974bec39a17e36ba4a6b4d238ff944bacb478cbed5efcae784d7bf4f2ff80',
  '0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d',
  '0x5de4111afa1a4b94908f83103eb1f1706367c2e68ca870fc3fb9a804cdab365a',
  '0x7c852118294e51e653712a81e05800f419141751be58f605c371e15141b007a6',
  '0x47e179ec197488593b187f80a00eb0da91f1b9d0b13f8733639f19c30a34926a',
  '0x8b3a350cf5c34c9194ca85829a2df0ec3153be0318b5e2d3348e872092edffba',
  '0x92db14e403b83dfe3df233f83dfa3a0d7096f21ca9b0d6d6b8d88b2b4ec1564e',
  '0x4bbbf85ce3377467afe5d46f804f221813b2bb87f24d81f60f1fcdbf7cbf4356',
  '0xdbda1821b80551c9d65939329250298aa3472ba22feea921c0cf5d620ea67b97',
  '0x2a871d0798f97d79848a013d4936a73bf4cc922c825d33c1cf7073dff6d409c6',
];

const ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64' };

/** The anvil executable: VERINFER_ANVIL, else the platform package @foundry-rs/anvil installs. */
export function anvilPath(): string {
  if (process.env.VERINFER_ANVIL) return process.env.VERINFER_ANVIL;
  const pkg = `@foundry-rs/anvil-${process.platform}-${ARCH[process.arch] ?? process.arch}`;
  try {
    return createRequire(__filename).resolve(`${pkg}/bin/anvil`);
  } catch {
    throw new Error(`anvil: no binary for ${process.platform}-${process.arch} (expected package ${pkg}); set VERINFER_ANVIL to an anvil executable`);
  }
}

export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('freePort: no port'))));
    });
  });
}

export async function startAnvil(options: AnvilOptions = {}): Promise<AnvilNode> {
  const chainId = options.chainId ?? 31337;
  const port = options.port ?? (await freePort());
  const args = ['--host', '127.0.0.1', '--port', String(port), '--chain-id', String(chainId), '--silent'];
  if (options.blockTime !== undefined) args.push('--block-time', String(options.blockTime));
  const child = spawn(anvilPath(), args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-2000)));
  const url = `http://127.0.0.1:${port}`;
  await waitForRpc(url, child, options.startTimeoutMs ?? 20_000, () => stderr);
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  // anvil must not outlive the process that started it, however that process ends.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  void exited.then(() => process.off('exit', killOnExit));
  return {
    url,
    port,
    chainId,
    devKeys: [...DEV_KEYS],
    process: child,
    async stop() {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

async function waitForRpc(url: string, child: ChildProcess, timeoutMs: number, stderr: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`anvil exited with code ${child.exitCode}: ${stderr().trim()}`);
    try {
      const response = await fetch(url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ jsonrpc: '2.0', id: 1, method: 'eth_chainId', params: [] }),
      });
      if (response.ok) return;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`anvil did not answer on ${url} within ${timeoutMs} ms: ${stderr().trim()}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
}
