// The receipt a client gets for each result (docs/protocol.md §6): JSON form and the offline checks.
import { getAddress } from 'ethers';
import { checkAttestation, type Attestation } from './attestation';
import { recoverBatchSigner, type SettlementDomain } from './batch-signature';
import { describe, hexToBytes } from './hex';
import { verifyProof } from './merkle';

export interface BatchSeal {
  sequence: bigint;
  root: string;
  count: number;
  signature: string;
}

export interface CommitRecord {
  txHash: string;
  blockNumber: number;
}

export interface Receipt {
  version: 1;
  attestation: Attestation;
  proof: string[];
  batch: BatchSeal;
  domain: SettlementDomain;
  /** null until the batch's root is committed on-chain. */
  commit: CommitRecord | null;
}

/** The receipt as JSON-safe values (64-bit numbers as decimal strings). */
export function receiptToJSON(r: Receipt): object {
  return {
    version: r.version,
    attestation: { ...r.attestation, timestamp: r.attestation.timestamp.toString() },
    proof: r.proof,
    batch: { ...r.batch, sequence: r.batch.sequence.toString() },
    domain: { chainId: r.domain.chainId.toString(), verifyingContract: r.domain.verifyingContract },
    commit: r.commit,
  };
}

/** Validates a parsed JSON receipt, naming the first field that is wrong. */
export function parseReceipt(json: unknown): Receipt {
  const r = record(json, 'receipt');
  if (r.version !== 1) throw new TypeError(`receipt.version: expected 1, got ${describe(r.version)}`);
  if (!Array.isArray(r.proof)) throw new TypeError(`receipt.proof: expected an array of 32-byte hashes, got ${describe(r.proof)}`);
  r.proof.forEach((p, i) => hexToBytes(p, 32, `receipt.proof[${i}]`));
  const batch = record(r.batch, 'receipt.batch');
  hexToBytes(batch.root, 32, 'receipt.batch.root');
  if (typeof batch.count !== 'number' || !Number.isInteger(batch.count) || batch.count < 1 || batch.count > 0xffffffff) {
    throw new TypeError(`receipt.batch.count: expected a uint32 ≥ 1, got ${describe(batch.count)}`);
  }
  hexToBytes(batch.signature, 65, 'receipt.batch.signature');
  const domain = record(r.domain, 'receipt.domain');
  let commit: CommitRecord | null = null;
  if (r.commit !== null && r.commit !== undefined) {
    const c = record(r.commit, 'receipt.commit');
    hexToBytes(c.txHash, 32, 'receipt.commit.txHash');
    if (!Number.isSafeInteger(c.blockNumber) || (c.blockNumber as number) < 0) {
      throw new TypeError(`receipt.commit.blockNumber: expected a block number, got ${describe(c.blockNumber)}`);
    }
    commit = { txHash: c.txHash as string, blockNumber: c.blockNumber as number };
  }
  return {
    version: 1,
    attestation: checkAttestation(r.attestation, 'receipt.attestation'),
    proof: (r.proof as string[]).map((p) => p.toLowerCase()),
    batch: {
      sequence: unsigned(batch.sequence, 'receipt.batch.sequence'),
      root: (batch.root as string).toLowerCase(),
      count: batch.count,
      signature: batch.signature as string,
    },
    domain: { chainId: unsigned(domain.chainId, 'receipt.domain.chainId'), verifyingContract: address(domain.verifyingContract, 'receipt.domain.verifyingContract') },
    commit,
  };
}

export interface Check {
  ok: boolean;
  detail: string;
}

/** The checks that need no chain: the batch signature is the operator's, and the proof reaches the root. */
export function verifyReceiptOffline(r: Receipt): { signature: Check; proof: Check } {
  let signature: Check;
  try {
    const signer = recoverBatchSigner(r.domain, { operator: r.attestation.operator, ...r.batch }, r.batch.signature);
    signature = signer === r.attestation.operator
      ? { ok: true, detail: `batch ${r.batch.sequence} signed by operator ${signer}` }
      : { ok: false, detail: `batch signature recovers ${signer}, not the attestation's operator ${r.attestation.operator}` };
  } catch (error) {
    signature = { ok: false, detail: (error as Error).message };
  }
  const inTree = verifyProof(r.attestation, r.proof, r.batch.root);
  const proof = { ok: inTree, detail: inTree ? `leaf is in root ${r.batch.root}` : `proof does not lead from the leaf to root ${r.batch.root}` };
  return { signature, proof };
}

function record(v: unknown, where: string): Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) throw new TypeError(`${where}: expected an object, got ${describe(v)}`);
  return v as Record<string, unknown>;
}

function unsigned(v: unknown, where: string): bigint {
  if (typeof v === 'bigint' && v >= 0n) return v;
  if (typeof v === 'string' && /^\d+$/.test(v)) return BigInt(v);
  if (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0) return BigInt(v);
  throw new TypeError(`${where}: expected an unsigned integer (decimal string), got ${describe(v)}`);
}

function address(v: unknown, where: string): string {
  try {
    return getAddress(String(v));
  } catch {
    throw new TypeError(`${where}: expected an address, got ${describe(v)}`);
  }
}
