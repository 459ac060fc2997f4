// VerinferSettlement: deploy, attach, register an operator (the artifact is in contracts/artifacts/).
import type { Contract, ContractRunner, Signer } from 'ethers';
import { contractArtifact, contractAt, deployContract, type ContractArtifact } from '../chain/artifacts';

export type SettlementArtifact = ContractArtifact;

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

/** The checked-in VerinferSettlement artifact (ABI, bytecode, compiler, source hashes). */
export function settlementArtifact(): SettlementArtifact {
  return contractArtifact('VerinferSettlement');
}

/** Deploys VerinferSettlement from `signer` and waits until it is mined. */
export async function deploySettlement(signer: Signer, params: SettlementParams): Promise<Contract> {
  return deployContract('VerinferSettlement', signer, [params.minStake, BigInt(params.unbondingPeriod), params.reporterShareBps]);
}

/** VerinferSettlement at `address`, for calls through `runner` (a provider, or a signer to send). */
export function settlementAt(address: string, runner: ContractRunner): Contract {
  return contractAt('VerinferSettlement', address, runner);
}

/** Registers `operator` with `stake` unless it is already active; waits until the stake is mined. */
export async function ensureRegistered(settlement: string, operator: Signer, stake: bigint): Promise<void> {
  const contract = settlementAt(settlement, operator);
  if (await contract.isActive(await operator.getAddress())) return;
  await (await contract.register({ value: stake })).wait();
}
