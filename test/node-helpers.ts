// Operator nodes on a real local chain for the HTTP tests: each node gets its own dev-key operator,
// data directory and loopback port.
import type { Wallet } from 'ethers';
import { loadConfig, startNode, type NodeConfig, type RunningNode } from '../lib/node';
import { until } from './poll';
import { registeredOperator, tempDir, type Chain } from './settle-helpers';

export async function startTestNode(chain: Chain, keyIndex: number, overrides: Partial<NodeConfig> = {}): Promise<RunningNode & { wallet: Wallet }> {
  const wallet = await registeredOperator(chain, keyIndex);
  const config = { ...loadConfig(), dataDir: tempDir('node'), port: 0, rpcUrl: chain.anvil.url, contract: chain.address, settleBatchSize: 64, settleDelayMs: 100, ...overrides };
  return { ...(await startNode(config, wallet)), wallet };
}

export interface Reply<T = any> {
  status: number;
  headers: Headers;
  body: T;
}

export async function post<T = any>(url: string, body: unknown, headers: Record<string, string> = {}, signal?: AbortSignal): Promise<Reply<T>> {
  const response = await fetch(url, { method: 'POST', body: typeof body === 'string' ? body : body instanceof Uint8Array ? Buffer.from(body) : JSON.stringify(body), headers: { 'content-type': 'application/json', ...headers }, signal });
  return { status: response.status, headers: response.headers, body: await response.json() as T };
}

export async function get<T = any>(url: string): Promise<Reply<T>> {
  const response = await fetch(url);
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: (response.headers.get('content-type') ?? '').includes('json') ? JSON.parse(text) : text };
}

/** Polls a receipt until its batch is committed on-chain. */
export async function committedReceipt(base: string, requestId: string, timeoutMs = 20_000): Promise<any> {
  let last = '';
  return until(() => `receipt ${requestId} to be committed (last: ${last})`, async () => {
    const reply = await get(`${base}/v1/receipts/${requestId}`);
    last = `${reply.status} ${JSON.stringify(reply.body).slice(0, 200)}`;
    return reply.status === 200 && reply.body.state === 'committed' && reply.body.receipt;
  }, timeoutMs);
}

export function wire(t: { dtype: string; shape: number[]; data: Float32Array }, encoding: 'json' | 'base64' = 'base64') {
  return { dtype: t.dtype, shape: t.shape, data: encoding === 'json' ? Array.from(t.data) : Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).toString('base64') };
}
