// TensorProto → runtime Tensor: raw little-endian bytes, typed fields or external data beside the model,
// with every size checked against what the file actually holds before anything is allocated.
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import path from 'node:path';
import { elementCount, tensor, type DType, type Tensor } from '../tensor';
import { onnx, safeInt } from './proto';

const DataType = onnx.TensorProto.DataType;

/** ONNX element types the runtime has, with their byte sizes. */
const DTYPES: Partial<Record<number, { dtype: DType; size: number }>> = {
  [DataType.FLOAT]: { dtype: 'float32', size: 4 },
  [DataType.FLOAT16]: { dtype: 'float16', size: 2 },
  [DataType.BFLOAT16]: { dtype: 'bfloat16', size: 2 },
  [DataType.INT8]: { dtype: 'int8', size: 1 },
  [DataType.UINT8]: { dtype: 'uint8', size: 1 },
  [DataType.INT32]: { dtype: 'int32', size: 4 },
  [DataType.INT64]: { dtype: 'int64', size: 8 },
  [DataType.BOOL]: { dtype: 'bool', size: 1 },
  [DataType.DOUBLE]: { dtype: 'float64', size: 8 },
  [DataType.UINT16]: { dtype: 'uint16', size: 2 },
  [DataType.UINT32]: { dtype: 'uint32', size: 4 },
  [DataType.UINT64]: { dtype: 'uint64', size: 8 },
};

/** Largest tensor a model may declare: 2^31 elements (8 GiB of float32). */
const MAX_ELEMENTS = 2 ** 31;

export function onnxDType(type: number, what: string): DType {
  const known = DTYPES[type];
  if (!known) throw new TypeError(`${what}: element type ${DataType[type] ?? type} is not supported (supported: ${Object.values(DTYPES).map((d) => d!.dtype).join(', ')})`);
  return known.dtype;
}

export function checkedShape(dims: readonly unknown[], what: string): number[] {
  const shape = dims.map((d, i) => {
    const n = safeInt(d as number, `${what} dims[${i}]`);
    if (n < 0) throw new RangeError(`${what}: dims[${i}] is negative (${n})`);
    return n;
  });
  let count = 1;
  for (const d of shape) {
    count *= d;
    if (count > MAX_ELEMENTS) throw new RangeError(`${what}: shape [${shape.join(', ')}] declares more than 2^31 elements`);
  }
  return shape;
}

/** Converts an initializer or test-data TensorProto; `baseDir` resolves external data. */
export function tensorFromProto(t: onnx.ITensorProto, baseDir: string | undefined, what = `tensor '${t.name ?? ''}'`): Tensor {
  const type = t.dataType ?? 0;
  const dtype = onnxDType(type, what);
  const { size } = DTYPES[type]!;
  const shape = checkedShape(t.dims ?? [], what);
  const count = elementCount(shape);
  if (t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL) return fromBytes(dtype, shape, readExternal(t, baseDir, count * size, what));
  if (t.rawData && t.rawData.length > 0) {
    if (t.rawData.length !== count * size) {
      throw new RangeError(`${what}: raw_data has ${t.rawData.length} bytes, shape [${shape.join(', ')}] of ${dtype} needs ${count * size}`);
    }
    return fromBytes(dtype, shape, t.rawData);
  }
  const values = typedField(t, type);
  if (values.length !== count) {
    throw new RangeError(`${what}: holds ${values.length} values, shape [${shape.join(', ')}] needs ${count}`);
  }
  if (dtype === 'int64') return tensor('int64', shape, BigInt64Array.from(values as ArrayLike<unknown>, (v) => BigInt(String(v))));
  if (dtype === 'uint64') return tensor('uint64', shape, BigUint64Array.from(values as ArrayLike<unknown>, (v) => BigInt.asUintN(64, BigInt(String(v)))));
  return tensor(dtype, shape, Array.from(values as ArrayLike<unknown>, (v) => Number(v)));
}

/** The typed repeated field ONNX stores this element type in (float16/bfloat16/uint16 bits live in int32_data). */
function typedField(t: onnx.ITensorProto, type: number): ArrayLike<unknown> {
  if (type === DataType.FLOAT) return t.floatData ?? [];
  if (type === DataType.DOUBLE) return t.doubleData ?? [];
  if (type === DataType.INT64) return t.int64Data ?? [];
  if (type === DataType.UINT32 || type === DataType.UINT64) return t.uint64Data ?? [];
  return t.int32Data ?? [];
}

function fromBytes(dtype: DType, shape: number[], bytes: Uint8Array): Tensor {
  const copy = new Uint8Array(bytes); // aligned and owned: the decoder's buffer may be shared and unaligned
  const t = tensor(dtype, shape);
  new Uint8Array(t.data.buffer, t.data.byteOffset, t.data.byteLength).set(copy);
  return t;
}

function readExternal(t: onnx.ITensorProto, baseDir: string | undefined, bytes: number, what: string): Uint8Array {
  const entries = new Map((t.externalData ?? []).map((e) => [e.key ?? '', e.value ?? '']));
  const location = entries.get('location');
  if (!location) throw new Error(`${what}: external data without a location`);
  if (!baseDir) throw new Error(`${what}: external data '${location}' needs the model's directory (load the model from a path)`);
  const file = path.resolve(baseDir, location);
  if (path.isAbsolute(location) || path.relative(baseDir, file).startsWith('..')) {
    throw new Error(`${what}: external data location '${location}' is outside the model's directory`);
  }
  const offset = entries.has('offset') ? Number(entries.get('offset')) : 0;
  const length = entries.has('length') ? Number(entries.get('length')) : bytes;
  if (!Number.isSafeInteger(offset) || offset < 0 || length !== bytes) {
    throw new RangeError(`${what}: external data offset ${entries.get('offset')} / length ${entries.get('length')} do not describe the ${bytes} bytes its shape needs`);
  }
  let fd: number;
  try {
    fd = openSync(file, 'r');
  } catch (error) {
    throw new Error(`${what}: external data file '${location}' cannot be opened (${(error as NodeJS.ErrnoException).code})`);
  }
  try {
    if (offset + bytes > fstatSync(fd).size) throw new RangeError(`${what}: external data file '${location}' is shorter than offset ${offset} + ${bytes} bytes`);
    const out = new Uint8Array(bytes);
    for (let done = 0; done < bytes; ) {
      const n = readSync(fd, out, done, bytes - done, offset + done);
      if (n === 0) throw new RangeError(`${what}: external data file '${location}' ended early`);
      done += n;
    }
    return out;
  } finally {
    closeSync(fd);
  }
}
