// Runs one ONNX backend conformance case (model.onnx + test_data_set_*/{input,output}_N.pb) on a
// Session and compares within ONNX's own default tolerance (rtol 1e-3, atol 1e-7).
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { Session, type DType, type Tensor } from '../lib';
import { decodeTensor, tensorFromProto } from '../lib/onnx';

export const DATA = '/usr/share/libonnx-testdata/data';
export const SUITES = ['node', 'pytorch-converted', 'pytorch-operator', 'simple'];

export type Outcome = { status: 'pass' } | { status: 'refused'; reason: string } | { status: 'mismatch'; detail: string };

export function conformanceCases(): string[] {
  if (!existsSync(DATA)) throw new Error(`${DATA} is missing: apt-get install libonnx-testdata`);
  return SUITES.flatMap((suite) => readdirSync(path.join(DATA, suite)).map((c) => `${suite}/${c}`)).filter((c) => existsSync(path.join(DATA, c, 'model.onnx')));
}

/** A refusal message without node names or file paths, stable enough to check in. */
function reasonOf(error: unknown): string {
  return String((error as Error).message ?? error).replace(/node '[^']*'/g, 'node').replace(new RegExp(`${DATA}/[^:]*`, 'g'), 'test data');
}

function readTensor(file: string): { name: string; value: Tensor } {
  const proto = decodeTensor(readFileSync(file), file);
  return { name: proto.name ?? '', value: tensorFromProto(proto, undefined, file) };
}

/** The test data stores bfloat16 tensors as UINT16 (the same bits): read them as what the model declares. */
function asDeclared(t: Tensor, dtype: DType): Tensor {
  return t.dtype === 'uint16' && dtype === 'bfloat16' ? { ...t, dtype } as Tensor : t;
}

/** A data set's input_N.pb files as feeds: by the name they carry, else by position. */
export function readFeeds(session: Session, setDir: string): Record<string, Tensor> {
  const feeds: Record<string, Tensor> = {};
  session.inputMetadata.forEach((input, i) => {
    const t = readTensor(path.join(setDir, `input_${i}.pb`));
    feeds[t.name || input.name] = asDeclared(t.value, input.dtype);
  });
  return feeds;
}

function compare(got: Tensor, want: Tensor): string | undefined {
  if (got.dtype !== want.dtype) return `dtype ${got.dtype}, expected ${want.dtype}`;
  if (JSON.stringify(got.shape) !== JSON.stringify(want.shape)) return `shape [${got.shape}], expected [${want.shape}]`;
  for (let i = 0; i < want.data.length; i++) {
    const a = Number(got.data[i]), b = Number(want.data[i]);
    if (a === b || (Number.isNaN(a) && Number.isNaN(b))) continue;
    if (!(Math.abs(a - b) <= 1e-7 + 1e-3 * Math.abs(b))) return `element ${i} is ${a}, expected ${b}`;
  }
  return undefined;
}

export async function runCase(name: string): Promise<Outcome> {
  const dir = path.join(DATA, name);
  let session: Session;
  try {
    session = await Session.create(path.join(dir, 'model.onnx'));
  } catch (error) {
    return { status: 'refused', reason: reasonOf(error) };
  }
  try {
    for (const set of readdirSync(dir).filter((d) => d.startsWith('test_data_set')).sort()) {
      const outputs = await session.run(readFeeds(session, path.join(dir, set)));
      for (const [i, output] of session.outputMetadata.entries()) {
        const want = asDeclared(readTensor(path.join(dir, set, `output_${i}.pb`)).value, output.dtype);
        const problem = compare(outputs[output.name], want);
        if (problem) return { status: 'mismatch', detail: `${set} output '${output.name}': ${problem}` };
      }
    }
  } catch (error) {
    return { status: 'refused', reason: reasonOf(error) };
  } finally {
    session.release();
  }
  return { status: 'pass' };
}
