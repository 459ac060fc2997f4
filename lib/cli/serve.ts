// `verinfer serve`: run an operator node against a configured chain with the operator's keystore.
import type { Command } from 'commander';
import { requireSettings } from '../node/config';
import { startNode } from '../node/running-node';
import { loadKeystore, readPassword } from '../settle/keystore';
import { addConfigOptions, configFrom, stopOnSignals } from './node-options';

async function serve(options: Record<string, unknown>): Promise<void> {
  const config = configFrom(options);
  requireSettings(config, ['rpcUrl', 'contract', 'keystore']);
  const wallet = await loadKeystore(config.keystore!, readPassword({ passwordFile: config.passwordFile }));
  const running = await startNode(config, wallet, { logger: true });
  const models = running.node.store.list();
  console.log(`verinfer node: operator ${running.node.operator}, settlement ${config.contract} via ${config.rpcUrl}`);
  console.log(`serving ${running.url} with ${models.length} model(s)${models.length ? ': ' + models.map((m) => m.aliases[0] ?? m.hash).join(', ') : ' (verinfer models add …)'}`);
  stopOnSignals(running.stop);
}

export function registerServe(program: Command): void {
  addConfigOptions(program.command('serve').description('run an operator node: HTTP API, dynamic batching, attestation and on-chain settlement')).action(serve);
}
