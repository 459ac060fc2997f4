// The attestation: one Merkle leaf per result (docs/protocol.md §4).
import { getAddress } from 'ethers';
import { describe, hexToBytes } from './hex';
import { keccak256 } from './keccak';

export interface Attestation {
  requestId: string;
  modelHash: string;
  inputHash: string;
  outputHash: string;
  /** Checksummed address of the operator that computed the result and signs its batch. */
  operator: string;
  /** Unix milliseconds when the result was produced. */
  timestamp: bigint;
  /** Version of the determinism contract the output was computed under. */
  runtimeVersion: number;
}

/** The leaf encoding, as OpenZeppelin StandardMerkleTree and the contracts spell it. */
export const LEAF_TYPES = ['bytes32', 'bytes32', 'bytes32', 'bytes32', 'address', 'uint64', 'uint32'] as const;

const UINT64_MAX = (1n << 64n) - 1n;

/** The leaf's values in LEAF_TYPES order (for StandardMerkleTree and contract calls). */
export function attestationValues(a: Attestation): [string, string, string, string, string, bigint, number] {
  return [a.requestId, a.modelHash, a.inputHash, a.outputHash, a.operator, a.timestamp, a.runtimeVersion];
}

/** Checks every field and returns a normalised copy (checksummed operator, lower-case hashes). */
export function checkAttestation(a: unknown, where = 'attestation'): Attestation {
  if (typeof a !== 'object' || a === null) throw new TypeError(`${where}: expected an object, got ${describe(a)}`);
  const r = a as Record<string, unknown>;
  const hash = (field: string) => {
    hexToBytes(r[field], 32, `${where}.${field}`);
    return (r[field] as string).toLowerCase();
  };
  let operator: string;
  try {
    operator = getAddress(String(r.operator));
  } catch {
    throw new TypeError(`${where}.operator: expected an address, got ${describe(r.operator)}`);
  }
  const timestamp = typeof r.timestamp === 'bigint' ? r.timestamp : typeof r.timestamp === 'string' && /^\d+$/.test(r.timestamp) ? BigInt(r.timestamp) : typeof r.timestamp === 'number' && Number.isSafeInteger(r.timestamp) ? BigInt(r.timestamp) : -1n;
  if (timestamp < 0n || timestamp > UINT64_MAX) throw new TypeError(`${where}.timestamp: expected a uint64 (milliseconds), got ${describe(r.timestamp)}`);
  const runtimeVersion = r.runtimeVersion;
  if (typeof runtimeVersion !== 'number' || !Number.isInteger(runtimeVersion) || runtimeVersion < 0 || runtimeVersion > 0xffffffff) {
    throw new TypeError(`${where}.runtimeVersion: expected a uint32, got ${describe(runtimeVersion)}`);
  }
  return {
    requestId: hash('requestId'),
    modelHash: hash('modelHash'),
    inputHash: hash('inputHash'),
    outputHash: hash('outputHash'),
    operator,
    timestamp,
    runtimeVersion,
  };
}

/** abi.encode of the leaf fields: seven 32-byte words. */
export const LEAF_BYTES = 7 * 32;

const HASH_HEX = /^0x[0-9a-fA-F]{64}$/;
const ADDRESS_HEX = /^0x[0-9a-fA-F]{40}$/;

/** Writes abi.encode(leaf) at `offset` of `out` (zeroed). */
export function encodeLeafInto(a: Attestation, out: Buffer, offset: number): void {
  for (const [i, field] of (['requestId', 'modelHash', 'inputHash', 'outputHash'] as const).entries()) {
    if (!HASH_HEX.test(a[field])) throw new TypeError(`attestation.${field}: expected 0x-hex of 32 bytes, got ${describe(a[field])}`);
    out.write(a[field].slice(2), offset + 32 * i, 'hex');
  }
  if (!ADDRESS_HEX.test(a.operator)) throw new TypeError(`attestation.operator: expected an address, got ${describe(a.operator)}`);
  out.write(a.operator.slice(2), offset + 128 + 12, 'hex');
  out.writeBigUInt64BE(a.timestamp, offset + 160 + 24);
  out.writeUInt32BE(a.runtimeVersion, offset + 192 + 28);
}

/** keccak256(keccak256(abi.encode(leaf))): OpenZeppelin StandardMerkleTree's leaf hash. */
export function leafHash(a: Attestation): Uint8Array {
  const encoded = Buffer.alloc(LEAF_BYTES);
  encodeLeafInto(a, encoded, 0);
  return keccak256(keccak256(encoded));
}
