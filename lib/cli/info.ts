// `verinfer info`: what this installation runs with.
import type { Command } from 'commander';
import { info } from '../index';

export function registerInfo(program: Command): void {
  program
    .command('info')
    .description('version, kernel ISA path, threads and build of this installation')
    .action(() => {
      const kernel = info();
      console.log(JSON.stringify({ ...kernel, node: process.version, platform: `${process.platform}-${process.arch}`, napi: process.versions.napi }, null, 2));
    });
}
