#!/usr/bin/env node
// The `verinfer` command line.
import { Command } from 'commander';
import { registerDemo } from './demo';
import { registerDev } from './dev';
import { registerInfer } from './infer';
import { registerInfo } from './info';
import { registerKeys } from './keys';
import { registerModels } from './models';
import { registerServe } from './serve';
import { registerVerify } from './verify';

const program = new Command('verinfer')
  .description('run ML inference bit-identically, attest what you computed and settle it on-chain')
  .version(require('../../../package.json').version as string);
registerServe(program);
registerDev(program);
registerInfer(program);
registerModels(program);
registerKeys(program);
registerVerify(program);
registerInfo(program);
registerDemo(program);

program.parseAsync(process.argv).catch((error: Error) => {
  console.error(`verinfer: ${error.message}`);
  process.exitCode = 2;
});
