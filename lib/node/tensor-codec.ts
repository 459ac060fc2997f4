// Tensors on the wire: `{dtype, shape, data}` with data as a JSON array or base64 of little-endian
// bytes, or OpenGradient's fixed-point `ModelInput` form. Outputs go back in the form the inputs came in.
import { float32ToFixed, modelInputToTensors, type ModelInput } from '../attest';
import { elementCount, tensor, type DType, type Tensor } from '../tensor';
import { RequestError } from './request-error';

export type WireEncoding = 'json' | 'base64' | 'fixed';

export interface WireTensor {
  dtype: DType;
  shape: number[];
  data: unknown[] | string;
}

export const WIRE_DTYPES: DType[] = ['float32', 'float16', 'bfloat16', 'float64', 'int8', 'uint8', 'uint16', 'int32', 'uint32', 'int64', 'uint64', 'bool'];
/** JSON numbers cannot carry half floats exactly; those travel as base64 only. */
const JSON_DTYPES = new Set<DType>(['float32', 'float64', 'int8', 'uint8', 'uint16', 'int32', 'uint32', 'int64', 'uint64', 'bool']);
const BIG: Partial<Record<DType, [bigint, bigint]>> = { int64: [-(2n ** 63n), 2n ** 63n - 1n], uint64: [0n, 2n ** 64n - 1n] };
const NON_FINITE: Record<string, number> = { NaN: NaN, Infinity: Infinity, '-Infinity': -Infinity };
const INT_RANGES: Partial<Record<DType, [number, number]>> = {
  int8: [-128, 127], uint8: [0, 255], uint16: [0, 65535], int32: [-(2 ** 31), 2 ** 31 - 1], uint32: [0, 2 ** 32 - 1], bool: [0, 1],
};

export function decodeTensor(wire: WireTensor, field: string): { tensor: Tensor; encoding: 'json' | 'base64' } {
  if (typeof wire !== 'object' || wire === null) throw RequestError.of(field, 'a tensor {dtype, shape, data}', wire);
  const { dtype, shape, data } = wire;
  if (!WIRE_DTYPES.includes(dtype)) throw RequestError.of(`${field}.dtype`, `one of ${WIRE_DTYPES.join(', ')}`, dtype);
  if (!Array.isArray(shape) || shape.some((d) => !Number.isSafeInteger(d) || d < 0)) {
    throw RequestError.of(`${field}.shape`, 'an array of non-negative integers', shape);
  }
  const count = elementCount(shape);
  if (typeof data === 'string') {
    const bytes = Buffer.from(data, 'base64');
    const t = tensor(dtype, shape);
    if (bytes.length !== t.data.byteLength) {
      throw new RequestError(`${field}.data`, `base64 of ${t.data.byteLength} bytes (${count} × ${dtype})`, `${bytes.length} bytes`);
    }
    new Uint8Array(t.data.buffer).set(bytes);
    return { tensor: t, encoding: 'base64' };
  }
  if (!Array.isArray(data)) throw RequestError.of(`${field}.data`, 'a JSON array or a base64 string', data);
  if (!JSON_DTYPES.has(dtype)) throw RequestError.of(`${field}.data`, `base64 bytes for ${dtype} (JSON numbers cannot carry it exactly)`, data);
  if (data.length !== count) throw new RequestError(`${field}.data`, `${count} elements for shape [${shape.join(', ')}]`, `${data.length}`);
  const t = tensor(dtype, shape);
  for (let i = 0; i < count; i++) t.data[i] = jsonElement(dtype, data[i], `${field}.data[${i}]`) as never;
  return { tensor: t, encoding: 'json' };
}

function jsonElement(dtype: DType, v: unknown, field: string): number | bigint {
  if (dtype === 'float32' || dtype === 'float64') {
    if (typeof v === 'number') return v;
    if (typeof v === 'string' && v in NON_FINITE) return NON_FINITE[v];
    throw RequestError.of(field, 'a number (or "NaN", "Infinity", "-Infinity")', v);
  }
  const big = BIG[dtype];
  if (big) {
    const n = typeof v === 'number' && Number.isSafeInteger(v) ? BigInt(v) : typeof v === 'string' && /^-?\d{1,20}$/.test(v) ? BigInt(v) : undefined;
    if (n !== undefined && n >= big[0] && n <= big[1]) return n;
    throw RequestError.of(field, `an ${dtype} (a safe integer or a decimal string)`, v);
  }
  const n = dtype === 'bool' && typeof v === 'boolean' ? Number(v) : v;
  const [lo, hi] = INT_RANGES[dtype]!;
  if (typeof n !== 'number' || !Number.isInteger(n) || n < lo || n > hi) throw RequestError.of(field, `an integer in ${lo}…${hi}`, v);
  return n;
}

export function encodeTensor(t: Tensor, encoding: 'json' | 'base64'): WireTensor {
  if (encoding === 'base64' || !JSON_DTYPES.has(t.dtype)) {
    return { dtype: t.dtype, shape: [...t.shape], data: Buffer.from(t.data.buffer, t.data.byteOffset, t.data.byteLength).toString('base64') };
  }
  const data: unknown[] = new Array(t.data.length);
  for (let i = 0; i < t.data.length; i++) {
    const v = t.data[i];
    if (t.dtype === 'int64' || t.dtype === 'uint64') data[i] = String(v);
    else if (t.dtype === 'bool') data[i] = v !== 0;
    else data[i] = Number.isFinite(v) ? v : String(v);
  }
  return { dtype: t.dtype, shape: [...t.shape], data };
}

/** The fixed-point form: ModelInput in, OpenGradient-style `numbers` out (values as decimal strings). */
function decodeModelInput(input: ModelInput, field: string): Record<string, Tensor> {
  let tensors;
  try {
    tensors = modelInputToTensors(input);
  } catch (error) {
    throw new RequestError(field, 'a valid ModelInput (docs/protocol.md §3)', (error as Error).message);
  }
  for (const [name, t] of Object.entries(tensors)) {
    if (t.dtype === 'string') throw new RequestError(`${field}.strings`, 'numeric tensors only (no model here takes strings)', `string tensor '${name}'`);
  }
  return tensors as Record<string, Tensor>;
}

export interface JsonNumberTensor {
  name: string;
  values: { value: string; decimals: string }[];
  shape: number[];
}

export function encodeFixed(name: string, t: Tensor): JsonNumberTensor {
  const shape = [...t.shape];
  if (t.dtype === 'float32') {
    const values = Array.from(t.data as Float32Array, (x, i) => {
      if (!Number.isFinite(x)) throw new Error(`output '${name}'[${i}] is ${x}, which the fixed-point form cannot carry; ask for json or base64`);
      const n = float32ToFixed(x, undefined, `output '${name}'[${i}]`);
      return { value: n.value.toString(), decimals: n.decimals.toString() };
    });
    return { name, shape, values };
  }
  if (t.dtype === 'float16' || t.dtype === 'bfloat16') throw new Error(`output '${name}' is ${t.dtype}, which the fixed-point form does not carry; ask for base64`);
  // Integers and bools are exact with zero decimals.
  return { name, shape, values: Array.from(t.data as ArrayLike<number | bigint>, (v) => ({ value: String(v), decimals: '0' })) };
}

/** What a request carries: named wire tensors, or the fixed-point form; `encoding` asks for the outputs' form. */
export interface WireInputs {
  inputs?: Record<string, WireTensor>;
  modelInput?: ModelInput;
  encoding?: WireEncoding;
}

export function decodeInputs(body: WireInputs): { feeds: Record<string, Tensor>; encoding: WireEncoding } {
  if ((body.inputs === undefined) === (body.modelInput === undefined)) {
    throw new RequestError('body', 'exactly one of "inputs" (named tensors) or "modelInput" (fixed-point form)', body.inputs ? 'both' : 'neither');
  }
  if (body.modelInput) return { feeds: decodeModelInput(body.modelInput, 'modelInput'), encoding: body.encoding ?? 'fixed' };
  if (typeof body.inputs !== 'object' || body.inputs === null) throw RequestError.of('inputs', 'an object of named tensors', body.inputs);
  const feeds: Record<string, Tensor> = {};
  let asked: WireEncoding | undefined;
  for (const [name, wire] of Object.entries(body.inputs)) {
    const decoded = decodeTensor(wire, `inputs.${name}`);
    feeds[name] = decoded.tensor;
    asked ??= decoded.encoding;
  }
  return { feeds, encoding: body.encoding ?? asked ?? 'json' };
}

export function encodeOutputs(outputs: Record<string, Tensor>, encoding: WireEncoding): { outputs: Record<string, WireTensor> } | { modelOutput: { numbers: JsonNumberTensor[]; strings: [] } } {
  if (encoding === 'fixed') return { modelOutput: { numbers: Object.entries(outputs).map(([name, t]) => encodeFixed(name, t)), strings: [] } };
  return { outputs: Object.fromEntries(Object.entries(outputs).map(([name, t]) => [name, encodeTensor(t, encoding)])) };
}
