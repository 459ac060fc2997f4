// A real chain for settlement tests: anvil, a deployed VerinferSettlement and registered operators.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { hexlify, randomBytes, Wallet, type Contract, type JsonRpcProvider } from 'ethers';
import type { Attestation } from '../lib/attest';
import type { AnvilNode } from '../lib/chain/anvil';
import { DEV_STAKE, startDevChain } from '../lib/chain/dev-chain';
import { ensureRegistered, settlementAt } from '../lib/settle';

export interface Chain {
  anvil: AnvilNode;
  provider: JsonRpcProvider;
  contract: Contract;
  address: string;
  stop(): Promise<void>;
}

export const MIN_STAKE = DEV_STAKE;

export async function startChain(): Promise<Chain> {
  const dev = await startDevChain();
  return { anvil: dev.anvil, provider: dev.provider, contract: settlementAt(dev.settlement, dev.funder), address: dev.settlement, stop: dev.stop };
}

/** A registered operator with its own funded key (a dev key, so tests never print real keys). */
export async function registeredOperator(chain: Chain, keyIndex: number): Promise<Wallet> {
  const wallet = new Wallet(chain.anvil.devKeys[keyIndex], chain.provider);
  await ensureRegistered(chain.address, wallet, MIN_STAKE);
  return wallet;
}

export function tempDir(prefix: string): string {
  return mkdtempSync(path.join(tmpdir(), `verinfer-${prefix}-`));
}

export function randomAttestation(operator: string, timestamp = BigInt(Date.now())): Attestation {
  return {
    requestId: hexlify(randomBytes(32)),
    modelHash: hexlify(randomBytes(32)),
    inputHash: hexlify(randomBytes(32)),
    outputHash: hexlify(randomBytes(32)),
    operator,
    timestamp,
    runtimeVersion: 1,
  };
}
