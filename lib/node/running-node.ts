// A node serving HTTP: the operator node plus its fastify server, started and stopped as one.
import type { HDNodeWallet, Wallet } from 'ethers';
import type { FastifyInstance } from 'fastify';
import type { NodeConfig } from './config';
import { OperatorNode } from './operator-node';
import { buildServer } from './server';

export interface RunningNode {
  node: OperatorNode;
  app: FastifyInstance;
  /** Base URL of the HTTP API. */
  url: string;
  /** Stops taking connections, lets requests in flight finish, drains the queue and flushes the outbox. */
  stop(): Promise<void>;
}

export async function startNode(config: NodeConfig, wallet: Wallet | HDNodeWallet, options: { logger?: boolean } = {}): Promise<RunningNode> {
  const node = await OperatorNode.start(config, wallet);
  const app = await buildServer(node, options);
  try {
    await app.listen({ host: config.host, port: config.port });
  } catch (error) {
    await node.stop({ settleTimeoutMs: 0 });
    throw new Error(`cannot listen on ${config.host}:${config.port}: ${(error as Error).message}`);
  }
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : config.port;
  const host = config.host.includes(':') ? `[${config.host}]` : config.host;
  let stopping: Promise<void> | undefined;
  return {
    node, app, url: `http://${host}:${port}`,
    stop: () => (stopping ??= app.close().then(() => node.stop())),
  };
}
