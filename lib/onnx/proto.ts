// ModelProto decoding with onnx-proto (protobufjs, generated from the official onnx.proto), and the
// conversions its 64-bit Long fields need.
import { onnx } from 'onnx-proto';

export { onnx };

/** Anything protobufjs puts in an int64 field: a Long, or a number when it fits. */
type Int64 = number | { toString(): string } | null | undefined;

/** A non-negative int64 as a safe JS integer, or an error naming `what`. */
export function safeInt(value: Int64, what: string): number {
  const n = value === null || value === undefined ? 0 : typeof value === 'number' ? value : Number(value.toString());
  if (!Number.isSafeInteger(n)) throw new RangeError(`${what} = ${String(value)} is beyond 2^53`);
  return n;
}

export function int64(value: Int64): bigint {
  return value === null || value === undefined ? 0n : BigInt(value.toString());
}

/** Decodes ONNX bytes; a malformed file is an error that says so, never a crash. */
export function decodeModel(bytes: Uint8Array): onnx.ModelProto {
  try {
    return onnx.ModelProto.decode(bytes);
  } catch (error) {
    throw new Error(`not a valid ONNX model (${bytes.length} bytes): ${(error as Error).message}`);
  }
}

export function decodeTensor(bytes: Uint8Array, what: string): onnx.TensorProto {
  try {
    return onnx.TensorProto.decode(bytes);
  } catch (error) {
    throw new Error(`${what}: not a valid TensorProto: ${(error as Error).message}`);
  }
}
