// The operator key: an ethers encrypted JSON keystore (scrypt). The password comes from a file or an
// environment variable; neither it nor the key ever reaches a log line or an error message.
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { getAddress, Wallet, type HDNodeWallet } from 'ethers';

export const PASSWORD_ENV = 'VERINFER_KEY_PASSWORD';

export interface PasswordSource {
  /** A file whose contents (trailing newline removed) are the password. */
  passwordFile?: string;
  /** Environment variable to read when no file is given (default VERINFER_KEY_PASSWORD). */
  env?: string;
}

export function readPassword(source: PasswordSource = {}): string {
  if (source.passwordFile) {
    let text: string;
    try {
      text = readFileSync(source.passwordFile, 'utf8');
    } catch (error) {
      throw new Error(`keystore password file ${source.passwordFile} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    const password = text.replace(/\r?\n$/, '');
    if (!password) throw new Error(`keystore password file ${source.passwordFile} is empty`);
    return password;
  }
  const name = source.env ?? PASSWORD_ENV;
  const password = process.env[name];
  if (!password) throw new Error(`no keystore password: pass a password file or set ${name}`);
  return password;
}

/** Creates a new random key, writes it encrypted to `file` (never overwriting) and returns its address. */
export async function createKeystore(file: string, password: string): Promise<string> {
  if (existsSync(file)) throw new Error(`keystore ${file} already exists; refusing to overwrite a key`);
  const wallet = Wallet.createRandom();
  const json = await wallet.encrypt(password);
  writeFileSync(file, json + '\n', { mode: 0o600, flag: 'wx' });
  return wallet.address;
}

/** The address a keystore holds, read without decrypting it. */
export function keystoreAddress(file: string): string {
  const json = readKeystoreJson(file);
  try {
    return getAddress((JSON.parse(json) as { address?: string }).address ?? '');
  } catch {
    throw new Error(`keystore ${file} is not an encrypted JSON keystore with an address`);
  }
}

export async function loadKeystore(file: string, password: string): Promise<Wallet | HDNodeWallet> {
  const json = readKeystoreJson(file);
  try {
    return await Wallet.fromEncryptedJson(json, password);
  } catch {
    throw new Error(`keystore ${file} cannot be decrypted: wrong password or not a keystore`);
  }
}

function readKeystoreJson(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`keystore ${file} cannot be read (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
}
