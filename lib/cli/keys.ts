// `verinfer keys new | address`: the operator's encrypted keystore.
import type { Command } from 'commander';
import { createKeystore, keystoreAddress, readPassword, PASSWORD_ENV } from '../settle/keystore';

export function registerKeys(program: Command): void {
  const keys = program.command('keys').description('create and inspect the operator key (encrypted JSON keystore, scrypt)');
  keys
    .command('new')
    .description('create a new random key and write it encrypted; prints only its address')
    .requiredOption('-k, --keystore <file>', 'keystore file to create (never overwritten)')
    .option('-p, --password-file <file>', `file holding the password (default: $${PASSWORD_ENV})`)
    .action(async (options: { keystore: string; passwordFile?: string }) => {
      const address = await createKeystore(options.keystore, readPassword({ passwordFile: options.passwordFile }));
      console.log(address);
    });
  keys
    .command('address')
    .description('print the address a keystore holds (no password needed)')
    .requiredOption('-k, --keystore <file>', 'keystore file')
    .action((options: { keystore: string }) => {
      console.log(keystoreAddress(options.keystore));
    });
}
