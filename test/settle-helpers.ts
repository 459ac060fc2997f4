// A real chain for settlement tests: anvil, a deployed VerinferSettlement and registered operators.
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { hexlify, JsonRpcProvider, parseEther, randomBytes, Wallet, type Contract } from 'ethers';
import type { Attestation } from '../lib/attest';
import { startAnvil, type AnvilNode } from '../lib/chain/anvil';
import { deploySettlement, ensureRegistered } from '../lib/settle';

export interface Chain {
  anvil: AnvilNode;
  provider: JsonRpcProvider;
  contract: Contract;
  address: string;
  stop(): Promise<void>;
}

export const MIN_STAKE = parseEther('1');

export async function startChain(): Promise<Chain> {
  const anvil = await startAnvil();
  const provider = new JsonRpcProvider(anvil.url, undefined, { staticNetwork: true, cacheTimeout: -1 });
  const deployer = new Wallet(anvil.devKeys[0], provider);
  const contract = await deploySettlement(deployer, { minStake: MIN_STAKE, unbondingPeriod: 3600, reporterShareBps: 1000 });
  return {
    anvil,
    provider,
    contract,
    address: await contract.getAddress(),
    async stop() {
      provider.destroy();
      await anvil.stop();
    },
  };
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
