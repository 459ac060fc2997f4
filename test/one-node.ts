// One-node ONNX graphs run through a Session: how the runtime's ops are tested against references.
import { onnx } from 'onnx-proto';
import { Session, type DType, type Tensor } from '../lib';

const ELEM: Record<string, number> = { float32: 1, uint8: 2, int8: 3, int32: 6, int64: 7, bool: 9 };

export function oneNode(op: string, inputs: Tensor[], outputDtype: DType, attribute: onnx.IAttributeProto[] = []): Uint8Array {
  const io = (name: string, t: { dtype: DType; shape: number[] }) => ({ name, type: { tensorType: { elemType: ELEM[t.dtype], shape: { dim: t.shape.map((d) => ({ dimValue: d })) } } } });
  return onnx.ModelProto.encode({
    irVersion: 8, opsetImport: [{ domain: '', version: 18 }],
    graph: {
      name: op, node: [{ name: op, opType: op, input: inputs.map((_, i) => `in${i}`), output: ['out'], attribute }],
      input: inputs.map((t, i) => io(`in${i}`, t)), output: [{ name: 'out', type: { tensorType: { elemType: ELEM[outputDtype] } } }],
    },
  }).finish();
}

export async function runNode(op: string, inputs: Tensor[], outputDtype: DType, attribute: onnx.IAttributeProto[] = []): Promise<Tensor> {
  const session = await Session.create(oneNode(op, inputs, outputDtype, attribute));
  return (await session.run(Object.fromEntries(inputs.map((t, i) => [`in${i}`, t])))).out;
}

export const intAttr = (name: string, i: number): onnx.IAttributeProto => ({ name, type: onnx.AttributeProto.AttributeType.INT, i });
export const intsAttr = (name: string, ints: number[]): onnx.IAttributeProto => ({ name, type: onnx.AttributeProto.AttributeType.INTS, ints });
