// The checked-in contract artifacts (built by scripts/build-contracts.js) and ethers helpers to deploy
// or attach to them.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Contract, ContractFactory, type ContractRunner, type InterfaceAbi, type Signer } from 'ethers';

export type ContractName = 'VerinferSettlement' | 'InferenceHub' | 'ForecastConsumer';

export interface ContractArtifact {
  contractName: string;
  compiler: string;
  /** Source path → keccak256 of its text, for every source compiled into `bytecode`. */
  sources: Record<string, string>;
  abi: InterfaceAbi;
  bytecode: string;
}

// Compiled to dist/lib/chain/, three levels below the package root.
const ARTIFACTS_DIR = path.join(__dirname, '..', '..', '..', 'contracts', 'artifacts');
const cache = new Map<ContractName, ContractArtifact>();

export function contractArtifact(name: ContractName): ContractArtifact {
  let artifact = cache.get(name);
  if (!artifact) {
    artifact = JSON.parse(readFileSync(path.join(ARTIFACTS_DIR, `${name}.json`), 'utf8')) as ContractArtifact;
    cache.set(name, artifact);
  }
  return artifact;
}

/** Deploys `name` from `signer` with constructor `args` and waits until it is mined. */
export async function deployContract(name: ContractName, signer: Signer, args: unknown[]): Promise<Contract> {
  const { abi, bytecode } = contractArtifact(name);
  const deployed = await new ContractFactory(abi, bytecode, signer).deploy(...args);
  await deployed.waitForDeployment();
  return contractAt(name, await deployed.getAddress(), signer);
}

/** Contract `name` at `address`, for calls through `runner` (a provider, or a signer to send). */
export function contractAt(name: ContractName, address: string, runner: ContractRunner): Contract {
  return new Contract(address, contractArtifact(name).abi, runner);
}
