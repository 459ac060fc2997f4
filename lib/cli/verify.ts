// `verinfer verify <receipt.json> [--rpc URL]`: check a receipt's signature, proof and, given a node,
// that its root is committed on-chain by a registered operator.
import { readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { JsonRpcProvider } from 'ethers';
import { verifyReceipt } from '../settle/verify-receipt';

export function registerVerify(program: Command): void {
  program
    .command('verify')
    .description('verify a receipt; exit code 0 when every check passes, 1 otherwise')
    .argument('<receipt>', 'receipt JSON file')
    .option('--rpc <url>', 'JSON-RPC endpoint of the chain the receipt names, to check the commit on-chain')
    .option('--contract <address>', 'the settlement contract you trust (required with --rpc)')
    .option('--json', 'print the verdict as JSON')
    .action(async (file: string, options: { rpc?: string; contract?: string; json?: boolean }) => {
      if (options.rpc && !options.contract) throw new Error('--rpc needs --contract <address>: the settlement contract you trust');
      let json: unknown;
      try {
        json = JSON.parse(readFileSync(file, 'utf8'));
      } catch (error) {
        throw new Error(`cannot read receipt ${file}: ${(error as Error).message}`);
      }
      const provider = options.rpc ? new JsonRpcProvider(options.rpc, undefined, { staticNetwork: true }) : undefined;
      try {
        const verdict = await verifyReceipt(json, { provider, contract: options.contract });
        if (options.json) console.log(JSON.stringify(verdict, null, 2));
        else {
          for (const [name, check] of Object.entries(verdict)) {
            if (typeof check === 'object') console.log(`${check.ok ? 'ok  ' : 'FAIL'} ${name}: ${check.detail}`);
          }
          console.log(verdict.ok ? 'receipt verified' : 'receipt NOT verified');
          if (!options.rpc) console.log('(not checked on-chain: pass --rpc URL --contract ADDRESS)');
        }
        process.exitCode = verdict.ok ? 0 : 1;
      } finally {
        provider?.destroy();
      }
    });
}
