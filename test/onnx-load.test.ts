import test from 'ava';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { onnx } from 'onnx-proto';
import { decodeTensor, loadModel, tensorFromProto } from '../lib/onnx';
import { rng } from './helpers';
import { tempDir } from './settle-helpers';

const DATA = '/usr/share/libonnx-testdata/data';
const SUITES = ['node', 'pytorch-converted', 'pytorch-operator', 'simple'];
// Reasons a conformance model may be refused at load today; anything else is a loader defect.
const KNOWN_REFUSALS = [/element type \w+ is not supported/, /is not a tensor \(sequences, maps and optionals/, /imports no version of the default/];

function conformanceModels(): string[] {
  if (!existsSync(DATA)) throw new Error(`${DATA} is missing: apt-get install libonnx-testdata`);
  return SUITES.flatMap((suite) => readdirSync(path.join(DATA, suite)).map((c) => path.join(DATA, suite, c, 'model.onnx'))).filter(existsSync);
}

test('every ONNX conformance model loads, or is refused for a named, known reason', (t) => {
  const models = conformanceModels();
  let loaded = 0;
  let dataSets = 0;
  let refusedData = 0;
  for (const file of models) {
    let model;
    try {
      model = loadModel(file);
    } catch (error) {
      if (!KNOWN_REFUSALS.some((r) => r.test((error as Error).message))) return t.fail(`${file}: ${(error as Error).message}`);
      continue;
    }
    loaded++;
    // The test data's input tensors decode and match the graph's declared inputs.
    const set = path.join(path.dirname(file), 'test_data_set_0');
    if (!existsSync(set)) continue;
    for (let i = 0; existsSync(path.join(set, `input_${i}.pb`)); i++) {
      const pb = path.join(set, `input_${i}.pb`);
      const proto = decodeTensor(readFileSync(pb), pb);
      // Test data names its tensor; older sets rely on position.
      const input = model.inputs.find((v) => v.name === proto.name) ?? (proto.name ? undefined : model.inputs[i]);
      if (!input) return t.fail(`${pb}: names '${proto.name}', which is no graph input`);
      let value;
      try {
        value = tensorFromProto(proto, undefined, pb);
      } catch (error) {
        if (!KNOWN_REFUSALS.some((r) => r.test((error as Error).message))) return t.fail(`${pb}: ${(error as Error).message}`);
        refusedData++;
        continue;
      }
      // The Cast tests store bfloat16 tensors as UINT16, the same bits.
      const sameBits = value.dtype === 'uint16' && input.dtype === 'bfloat16';
      if (value.dtype !== input.dtype && !sameBits) return t.fail(`${pb}: ${value.dtype}, graph says ${input.dtype}`);
      // Declared shapes are not compared: some data sets disagree with their own model (CastLike's
      // 'like' holds [1] against a declared [3, 4]); the runtime checks shapes at run time.
      dataSets++;
    }
  }
  t.log(`loaded ${loaded} of ${models.length} conformance models; ${dataSets} test inputs decoded and matched, ${refusedData} refused by element type`);
  t.true(loaded > models.length / 2);
});

test('fuzzed model bytes are loaded or refused with an error, never a crash or a hang', (t) => {
  const random = rng(99);
  const models = conformanceModels().filter((_, i) => i % 40 === 0);
  let refused = 0;
  let runs = 0;
  for (const file of models) {
    const bytes = readFileSync(file);
    for (let k = 0; k < 40; k++) {
      const mutated = Buffer.from(bytes);
      const kind = k % 3;
      if (kind === 0) mutated.fill(0, Math.floor(random() * mutated.length)); // truncate to zeros
      for (let f = 0; kind === 1 && f < 4; f++) mutated[Math.floor(random() * mutated.length)] = Math.floor(random() * 256);
      const input = kind === 2 ? mutated.subarray(0, Math.floor(random() * mutated.length)) : mutated;
      runs++;
      try {
        loadModel(input);
      } catch (error) {
        if (!(error instanceof Error) || !error.message) return t.fail(`${file} mutation ${k}: threw ${String(error)}`);
        refused++;
      }
    }
  }
  t.log(`${runs} mutated models: ${refused} refused with an error, ${runs - refused} still valid`);
  t.true(refused > 0);
});

function model(graph: onnx.IGraphProto, irVersion = 8, opset = 13): Uint8Array {
  return onnx.ModelProto.encode({ irVersion, opsetImport: [{ domain: '', version: opset }], graph }).finish();
}
const floatInput = (name: string): onnx.IValueInfoProto => ({ name, type: { tensorType: { elemType: 1, shape: { dim: [{ dimValue: 2 }] } } } });

test('hostile graphs are refused naming the node and the problem', (t) => {
  const relu = (name: string, input: string, output: string) => ({ name, opType: 'Relu', input: [input], output: [output] });
  t.throws(() => loadModel(model({ input: [floatInput('x')], output: [floatInput('z')], node: [relu('a', 'x', 'y')] })), { message: /graph output 'z' is produced by no node/ });
  t.throws(() => loadModel(model({ input: [floatInput('x')], output: [floatInput('y')], node: [relu('a', 'q', 'y')] })), { message: /node 'a' \(Relu\): input 'q' is produced by no node/ });
  t.throws(() => loadModel(model({ input: [floatInput('x')], output: [floatInput('y')], node: [relu('a', 'z', 'y'), relu('b', 'y', 'z')] })), { message: /is on a cycle/ });
  t.throws(() => loadModel(model({ input: [floatInput('x')], output: [floatInput('y')], node: [relu('a', 'x', 'y'), relu('b', 'x', 'y')] })), { message: /node 'b' \(Relu\): output 'y' is already defined/ });
  t.throws(() => loadModel(model({ input: [floatInput('x')], output: [floatInput('x')] }, 2)), { message: /IR version 2 is not supported/ });
  t.throws(() => loadModel(model({ input: [floatInput('x')], output: [floatInput('x')] }, 8, 22)), { message: /opset 22; supported are 1–21/ });
  const ordered = loadModel(model({ input: [floatInput('x')], output: [floatInput('z')], node: [relu('b', 'y', 'z'), relu('a', 'x', 'y')] }));
  t.deepEqual(ordered.nodes.map((n) => n.name), ['a', 'b'], 'nodes come in dependency order');
});

test('initializers with absurd or inconsistent sizes are refused before anything is allocated', (t) => {
  const withInit = (init: onnx.ITensorProto) => model({ initializer: [init], input: [floatInput('x')], output: [floatInput('x')] });
  t.throws(() => loadModel(withInit({ name: 'w', dataType: 1, dims: [1_000_000, 1_000_000], rawData: new Uint8Array(4) })), { message: /initializer 'w': shape \[1000000, 1000000\] declares more than 2\^31 elements/ });
  t.throws(() => loadModel(withInit({ name: 'w', dataType: 1, dims: [1000], rawData: new Uint8Array(8) })), { message: /raw_data has 8 bytes, shape \[1000\] of float32 needs 4000/ });
  t.throws(() => loadModel(withInit({ name: 'w', dataType: 1, dims: [3], floatData: [1, 2] })), { message: /holds 2 values, shape \[3\] needs 3/ });
  t.throws(() => loadModel(withInit({ name: 'w', dataType: 16 + 100, dims: [1], int32Data: [1] })), { message: /initializer 'w': element type 116 is not supported/ });
  t.deepEqual(Array.from(loadModel(withInit({ name: 'w', dataType: 11, dims: [2], doubleData: [0.1, -2] })).initializers.get('w')!.data as Float64Array), [0.1, -2]);
  const typed = loadModel(withInit({ name: 'w', dataType: 7, dims: [2], int64Data: [5, -3] })).initializers.get('w')!;
  t.deepEqual(Array.from(typed.data as BigInt64Array), [5n, -3n]);
});

test('external data is read from beside the model, within bounds and never outside its directory', (t) => {
  const dir = tempDir('onnx-external');
  mkdirSync(path.join(dir, 'weights'));
  writeFileSync(path.join(dir, 'weights', 'w.bin'), Buffer.from(new Float32Array([9, 1.5, -2, 0.25]).buffer));
  const external = (location: string, offset: number, length = 12) => ({
    name: 'w', dataType: 1, dims: [3], dataLocation: 1,
    externalData: [{ key: 'location', value: location }, { key: 'offset', value: String(offset) }, { key: 'length', value: String(length) }],
  });
  const save = (init: onnx.ITensorProto) => {
    const file = path.join(dir, 'model.onnx');
    writeFileSync(file, model({ initializer: [init], input: [floatInput('x')], output: [floatInput('x')] }));
    return file;
  };
  t.deepEqual(Array.from(loadModel(save(external('weights/w.bin', 4))).initializers.get('w')!.data as Float32Array), [1.5, -2, 0.25]);
  t.throws(() => loadModel(save(external('weights/w.bin', 8))), { message: /shorter than offset 8 \+ 12 bytes/ });
  t.throws(() => loadModel(save(external('../w.bin', 0))), { message: /outside the model's directory/ });
  t.throws(() => loadModel(save(external('/etc/passwd', 0))), { message: /outside the model's directory/ });
  t.throws(() => loadModel(save(external('weights/missing.bin', 0))), { message: /cannot be opened \(ENOENT\)/ });
  t.throws(() => loadModel(save(external('weights/w.bin', 0, 8))), { message: /do not describe the 12 bytes/ });
  t.throws(() => loadModel(readFileSync(save(external('weights/w.bin', 0)))), { message: /needs the model's directory/ });
});
