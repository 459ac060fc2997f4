// The VerinferSettlement artifact (built by scripts/build-contracts.js, checked in) and helpers to
// deploy or attach to it with ethers v6.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Contract, ContractFactory, type ContractRunner, type InterfaceAbi, type Signer } from 'ethers';

export interface SettlementArtifact {
  contractName: string;
  compiler: string;
  /** Source path → keccak256 of its text, for every source compiled into `bytecode`. */
  sources: Record<string, string>;
  abi: InterfaceAbi;
  bytecode: string;
}

export interface SettlementParams {
  /** Smallest bonded stake, in wei, with which an operator may commit. */
  minStake: bigint;
  /** Seconds unbonding stake stays slashable before withdrawal. */
  unbondingPeriod: bigint | number;
  /** Reporter's share of a slash in basis points, 0…10000. */
  reporterShareBps: number;
}

/** `reason` values of the Slashed event. */
export const SlashReason = { Equivocation: 1, Inconsistency: 2 } as const;

// Compiled to dist/lib/settle/, three levels below the package root.
const ARTIFACT_PATH = path.join(__dirname, '..', '..', '..', 'contracts', 'artifacts', 'VerinferSettlement.json');

let cached: SettlementArtifact | undefined;

/** The checked-in VerinferSettlement artifact (ABI, bytecode, compiler, source hashes). */
export function settlementArtifact(): SettlementArtifact {
  cached ??= JSON.parse(readFileSync(ARTIFACT_PATH, 'utf8')) as SettlementArtifact;
  return cached;
}

/** Deploys VerinferSettlement from `signer` and waits until it is mined. */
export async function deploySettlement(signer: Signer, params: SettlementParams): Promise<Contract> {
  const { abi, bytecode } = settlementArtifact();
  const factory = new ContractFactory(abi, bytecode, signer);
  const deployed = await factory.deploy(params.minStake, BigInt(params.unbondingPeriod), params.reporterShareBps);
  await deployed.waitForDeployment();
  return settlementAt(await deployed.getAddress(), signer);
}

/** VerinferSettlement at `address`, for calls through `runner` (a provider, or a signer to send). */
export function settlementAt(address: string, runner: ContractRunner): Contract {
  return new Contract(address, settlementArtifact().abi, runner);
}

/** Registers `operator` with `stake` unless it is already active; waits until the stake is mined. */
export async function ensureRegistered(settlement: string, operator: Signer, stake: bigint): Promise<void> {
  const contract = settlementAt(settlement, operator);
  if (await contract.isActive(await operator.getAddress())) return;
  await (await contract.register({ value: stake })).wait();
}
