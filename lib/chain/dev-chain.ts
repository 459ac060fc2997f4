// A throwaway local chain with the settlement contract deployed: what `verinfer dev`, `verinfer demo`
// and the node bench start from.
import { JsonRpcProvider, parseEther, Wallet, type HDNodeWallet } from 'ethers';
import { deploySettlement, ensureRegistered } from '../settle/contracts';
import { startAnvil, type AnvilNode } from './anvil';

export interface DevChain {
  anvil: AnvilNode;
  provider: JsonRpcProvider;
  /** Anvil's first dev account: deploys, funds operators. */
  funder: Wallet;
  /** Address of the deployed VerinferSettlement. */
  settlement: string;
  stop(): Promise<void>;
}

export const DEV_STAKE = parseEther('1');

export async function startDevChain(): Promise<DevChain> {
  const anvil = await startAnvil();
  const provider = new JsonRpcProvider(anvil.url, undefined, { staticNetwork: true, cacheTimeout: -1 });
  try {
    const funder = new Wallet(anvil.devKeys[0], provider);
    const contract = await deploySettlement(funder, { minStake: DEV_STAKE, unbondingPeriod: 3600, reporterShareBps: 1000 });
    return {
      anvil, provider, funder, settlement: await contract.getAddress(),
      async stop() {
        provider.destroy();
        await anvil.stop();
      },
    };
  } catch (error) {
    provider.destroy();
    await anvil.stop();
    throw error;
  }
}

/** Funds `operator` (stake plus gas money) and stakes it with the settlement contract. */
export async function stakeOperator(chain: DevChain, operator: Wallet | HDNodeWallet): Promise<void> {
  const connected = operator.connect(chain.provider);
  await (await chain.funder.sendTransaction({ to: operator.address, value: 2n * DEV_STAKE })).wait();
  await ensureRegistered(chain.settlement, connected, DEV_STAKE);
}
