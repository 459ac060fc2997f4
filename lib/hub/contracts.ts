// InferenceHub and the example ForecastConsumer: deploy and attach (artifacts in contracts/artifacts/).
import type { Contract, ContractRunner, Interface, Signer } from 'ethers';
import { contractAt, deployContract } from '../chain/artifacts';

/** Request status on the hub (the `Status` enum of InferenceHub.sol). */
export const RequestStatus = { None: 0n, Open: 1n, Fulfilled: 2n, Paid: 3n, Refunded: 4n } as const;

export interface HubParams {
  /** Address of the VerinferSettlement whose operators may fulfil. */
  settlement: string;
  /** Seconds after a fulfilment before its fee can be claimed. */
  challengeWindow: number;
  /** Seconds after which an unfulfilled request can be refunded. */
  requestTimeout: number;
}

export function deployHub(signer: Signer, params: HubParams): Promise<Contract> {
  return deployContract('InferenceHub', signer, [params.settlement, params.challengeWindow, params.requestTimeout]);
}

export function hubAt(address: string, runner: ContractRunner): Contract {
  return contractAt('InferenceHub', address, runner);
}

/** The example consumer: a price series in, the model's forecast out, on request or as a workflow. */
export function deployForecastConsumer(signer: Signer, hub: string, modelHash: string, priceDecimals: number): Promise<Contract> {
  return deployContract('ForecastConsumer', signer, [hub, modelHash, priceDecimals]);
}

export function forecastConsumerAt(address: string, runner: ContractRunner): Contract {
  return contractAt('ForecastConsumer', address, runner);
}

/**
 * The custom error a failed transaction reverted with (e.g. 'NotOpen'), or undefined. A wallet's own
 * gas estimate reports revert data undecoded, so it is decoded here against the contract's ABI.
 */
export function revertName(error: unknown, iface: Interface): string | undefined {
  const e = error as { revert?: { name?: string }; data?: string; info?: { error?: { data?: string } } };
  if (e.revert?.name) return e.revert.name;
  const data = e.data ?? e.info?.error?.data;
  if (typeof data !== 'string' || data.length < 10) return undefined;
  try {
    return iface.parseError(data)?.name;
  } catch {
    return undefined;
  }
}
