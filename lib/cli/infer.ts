// `verinfer infer <model> --input file.json`: run a model locally and print its outputs and hashes.
import { existsSync, readFileSync } from 'node:fs';
import type { Command } from 'commander';
import { modelHash, namedTensorsHash } from '../attest';
import { ModelStore } from '../node/model-store';
import { decodeInputs, encodeOutputs, type WireInputs } from '../node/tensor-codec';
import { Session } from '../runtime';
import { addConfigOptions, configFrom } from './node-options';

async function infer(model: string, options: Record<string, unknown>): Promise<void> {
  const text = options.input === '-' ? readFileSync(0, 'utf8') : readFileSync(options.input as string, 'utf8');
  let body: WireInputs | Record<string, unknown>;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new Error(`--input ${options.input} is not JSON: ${(error as Error).message}`);
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) throw new Error(`--input ${options.input}: expected a JSON object of named tensors`);
  // The file is a request body ({inputs} or {modelInput}) or just the named tensors.
  const request: WireInputs = 'inputs' in body || 'modelInput' in body ? (body as WireInputs) : { inputs: body as WireInputs['inputs'] };
  if (options.encoding) request.encoding = options.encoding as WireInputs['encoding'];
  const { feeds, encoding } = decodeInputs(request);
  const config = configFrom(options);
  let session: Session;
  let hash: string;
  if (existsSync(model)) {
    const bytes = readFileSync(model);
    session = await Session.create(bytes, { threads: config.threads });
    hash = modelHash(bytes);
  } else {
    const loaded = await ModelStore.open(config.dataDir).acquire(model);
    session = loaded.session;
    hash = loaded.model.hash;
  }
  const outputs = await session.run(feeds);
  console.log(JSON.stringify({ model: hash, inputHash: namedTensorsHash(feeds), outputHash: namedTensorsHash(outputs), ...encodeOutputs(outputs, encoding) }, null, 2));
}

export function registerInfer(program: Command): void {
  addConfigOptions(
    program.command('infer <model>').description('run a model (a .onnx file, or a hash or alias in the store) on inputs from a JSON file')
      .requiredOption('-i, --input <file>', "JSON: {inputs: {name: {dtype, shape, data}}}, {modelInput: …} or the named tensors alone ('-' reads stdin)")
      .option('-e, --encoding <form>', 'outputs as json, base64 or fixed (default: the form of the inputs)'),
    ['dataDir', 'threads'],
  ).action(infer);
}
