#!/usr/bin/env node
// The `verinfer` command line.
import { Command } from 'commander';
import { registerDemo } from './demo';
import { registerKeys } from './keys';
import { registerVerify } from './verify';

const program = new Command('verinfer')
  .description('run ML inference bit-identically, attest what you computed and settle it on-chain')
  .version(require('../../../package.json').version as string);
registerDemo(program);
registerKeys(program);
registerVerify(program);

program.parseAsync(process.argv).catch((error: Error) => {
  console.error(`verinfer: ${error.message}`);
  process.exitCode = 2;
});
