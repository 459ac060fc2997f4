// verifyReceipt: what an integrator runs to check a result without trusting the operator.
import { getAddress, ZeroHash, type Provider } from 'ethers';
import { parseReceipt, verifyReceiptOffline, type Check, type Receipt } from '../attest';
import { settlementAt } from './contracts';

export interface ReceiptVerdict {
  ok: boolean;
  signature: Check;
  proof: Check;
  /** Only with a provider: the chain is the receipt's, the root is committed, the operator in good standing. */
  chain?: Check;
  committed?: Check;
  operator?: Check;
}

export interface VerifyOptions {
  /** A node of the chain to check the commit on. */
  provider?: Provider;
  /**
   * The settlement contract you trust; required with a provider. The receipt names its own contract,
   * and a forger could name a mock that reports anything as committed.
   */
  contract?: string;
}

/** Checks a receipt (object or parsed JSON); with a provider, also against the settlement contract. */
export async function verifyReceipt(receipt: Receipt | unknown, options: VerifyOptions = {}): Promise<ReceiptVerdict> {
  const r = parseReceipt(receipt);
  const verdict: ReceiptVerdict = { ok: false, ...verifyReceiptOffline(r) };
  if (options.provider) {
    if (!options.contract) throw new TypeError('verifyReceipt: checking on-chain needs options.contract, the settlement contract you trust');
    if (getAddress(options.contract) !== r.domain.verifyingContract) {
      verdict.chain = { ok: false, detail: `receipt is for contract ${r.domain.verifyingContract}, not the trusted ${getAddress(options.contract)}` };
    } else Object.assign(verdict, await verifyOnChain(r, options.provider));
  }
  verdict.ok = [verdict.signature, verdict.proof, verdict.chain, verdict.committed, verdict.operator].every((c) => c === undefined || c.ok);
  return verdict;
}

async function verifyOnChain(r: Receipt, provider: Provider): Promise<Pick<ReceiptVerdict, 'chain' | 'committed' | 'operator'>> {
  const { chainId } = await provider.getNetwork();
  if (chainId !== r.domain.chainId) {
    return { chain: { ok: false, detail: `provider is on chain ${chainId}, the receipt is for chain ${r.domain.chainId}` } };
  }
  const chain = { ok: true, detail: `chain ${chainId}` };
  const contract = settlementAt(r.domain.verifyingContract, provider);
  const { operator } = r.attestation;
  let root: string;
  try {
    root = await contract.rootOf(operator, r.batch.sequence);
  } catch (error) {
    return { chain, committed: { ok: false, detail: `no settlement contract answers at ${r.domain.verifyingContract}: ${(error as Error).message.split('\n')[0]}` } };
  }
  const committed = root === r.batch.root
    ? { ok: true, detail: `root committed by ${operator} as batch ${r.batch.sequence}` }
    : { ok: false, detail: root === ZeroHash ? `batch ${r.batch.sequence} of ${operator} is not committed (yet)` : `chain has root ${root} for batch ${r.batch.sequence}, the receipt ${r.batch.root}` };
  const stake = await contract.stakeOf(operator);
  const registered = stake.registered as boolean;
  const slashed = stake.slashed as boolean;
  const operatorCheck = registered && !slashed
    ? { ok: true, detail: `operator ${operator} is registered and not slashed` }
    : { ok: false, detail: slashed ? `operator ${operator} has been slashed` : `operator ${operator} is not registered` };
  return { chain, committed, operator: operatorCheck };
}
