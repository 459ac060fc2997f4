// The operator's one signature per batch: EIP-712 over Batch, bound to a chain and the settlement contract.
import { getAddress, Signature, TypedDataEncoder, recoverAddress, type TypedDataDomain } from 'ethers';
import { describe } from './hex';

export interface BatchHeader {
  operator: string;
  sequence: bigint;
  root: string;
  count: number;
}

export interface SettlementDomain {
  chainId: bigint;
  verifyingContract: string;
}

export const BATCH_TYPES = {
  Batch: [
    { name: 'operator', type: 'address' },
    { name: 'sequence', type: 'uint64' },
    { name: 'root', type: 'bytes32' },
    { name: 'count', type: 'uint32' },
  ],
};

// secp256k1 n / 2: signatures with a larger s are the malleable twin of a valid one (EIP-2).
const HALF_CURVE_ORDER = 0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0n;

export function typedDataDomain(domain: SettlementDomain): TypedDataDomain {
  return { name: 'verinfer', version: '1', chainId: domain.chainId, verifyingContract: domain.verifyingContract };
}

/** The EIP-712 digest the operator signs (equal to the contract's batchDigest). */
export function batchDigest(domain: SettlementDomain, batch: BatchHeader): string {
  return TypedDataEncoder.hash(typedDataDomain(domain), BATCH_TYPES, batch);
}

/** Anything that signs EIP-712 typed data: an ethers Wallet or signer. */
export interface TypedDataSigner {
  signTypedData(domain: TypedDataDomain, types: typeof BATCH_TYPES, value: BatchHeader): Promise<string>;
}

export async function signBatch(signer: TypedDataSigner, domain: SettlementDomain, batch: BatchHeader): Promise<string> {
  return signer.signTypedData(typedDataDomain(domain), BATCH_TYPES, batch);
}

/** The signer of a batch; throws on a malformed or high-s signature (as the contract does). */
export function recoverBatchSigner(domain: SettlementDomain, batch: BatchHeader, signature: string): string {
  if (typeof signature !== 'string' || !/^0x[0-9a-fA-F]{130}$/.test(signature)) {
    throw new TypeError(`batch signature: expected 65 bytes of 0x-hex, got ${describe(signature)}`);
  }
  if (BigInt('0x' + signature.slice(66, 130)) > HALF_CURVE_ORDER) {
    throw new RangeError('batch signature: s is in the upper half of the curve order (malleable form)');
  }
  const v = parseInt(signature.slice(130, 132), 16);
  if (v !== 27 && v !== 28) throw new RangeError(`batch signature: v must be 27 or 28, got ${v}`);
  return getAddress(recoverAddress(batchDigest(domain, batch), Signature.from(signature)));
}
