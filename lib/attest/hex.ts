// 0x-hex ⇄ bytes for fixed-size protocol values, with errors that name the field.

export function bytesToHex(bytes: Uint8Array): string {
  return '0x' + Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Parses a 0x-prefixed hex string of exactly `size` bytes. */
export function hexToBytes(hex: unknown, size: number, field: string): Uint8Array {
  if (typeof hex !== 'string' || !/^0x[0-9a-fA-F]*$/.test(hex) || hex.length !== 2 + 2 * size) {
    throw new TypeError(`${field}: expected 0x-hex of ${size} bytes, got ${describe(hex)}`);
  }
  return Buffer.from(hex.slice(2), 'hex');
}

export function describe(value: unknown): string {
  if (typeof value === 'string') return value.length > 80 ? `a ${value.length}-character string` : JSON.stringify(value);
  if (value === null) return 'null';
  if (Array.isArray(value)) return `an array of ${value.length}`;
  return typeof value === 'bigint' ? `${value}n` : typeof value === 'object' ? 'an object' : String(value);
}
