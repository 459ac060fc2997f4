// The tensor value passed to and returned by every op: a shape and a typed array of its dtype.

export type DType = 'float32' | 'float16' | 'bfloat16' | 'int8' | 'uint8' | 'int32' | 'int64' | 'bool' | 'float64' | 'uint16' | 'uint32' | 'uint64';

export interface DataOf {
  float32: Float32Array;
  float16: Uint16Array;
  bfloat16: Uint16Array;
  int8: Int8Array;
  uint8: Uint8Array;
  int32: Int32Array;
  int64: BigInt64Array;
  bool: Uint8Array;
  float64: Float64Array;
  uint16: Uint16Array;
  uint32: Uint32Array;
  uint64: BigUint64Array;
}

export interface Tensor<D extends DType = DType> {
  dtype: D;
  shape: number[];
  data: DataOf[D];
}

const constructors = {
  float32: Float32Array,
  float16: Uint16Array,
  bfloat16: Uint16Array,
  int8: Int8Array,
  uint8: Uint8Array,
  int32: Int32Array,
  int64: BigInt64Array,
  bool: Uint8Array,
  float64: Float64Array,
  uint16: Uint16Array,
  uint32: Uint32Array,
  uint64: BigUint64Array,
} as const;

export function elementCount(shape: readonly number[]): number {
  return shape.reduce((n, d) => n * d, 1);
}

/** Builds a tensor; `data` may be a typed array of the dtype (used as is) or a plain array (copied). */
export function tensor<D extends DType>(dtype: D, shape: number[], data?: DataOf[D] | ArrayLike<number | bigint>): Tensor<D> {
  const Ctor = constructors[dtype] as unknown as { new (n: number | ArrayLike<number | bigint>): DataOf[D] };
  if (!Ctor) throw new TypeError(`tensor: unknown dtype '${String(dtype)}'`);
  for (const [i, d] of shape.entries()) {
    if (!Number.isSafeInteger(d) || d < 0) throw new RangeError(`tensor: shape[${i}] must be a non-negative integer, got ${d}`);
  }
  const count = elementCount(shape);
  let values: DataOf[D];
  if (data === undefined) values = new Ctor(count);
  else if (ArrayBuffer.isView(data) && data instanceof (Ctor as unknown as typeof Float32Array)) values = data as DataOf[D];
  else values = new Ctor(data as ArrayLike<number | bigint>);
  if (values.length !== count) {
    throw new RangeError(`tensor: data has ${values.length} elements, shape [${shape.join(', ')}] needs ${count}`);
  }
  return { dtype, shape: [...shape], data: values };
}
