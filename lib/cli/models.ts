// `verinfer models add | list | remove`: the node's content-addressed model store.
import type { Command } from 'commander';
import { ModelStore } from '../node/model-store';
import { addConfigOptions, configFrom } from './node-options';

function storeFrom(options: Record<string, unknown>): ModelStore {
  const config = configFrom(options);
  return ModelStore.open(config.dataDir, { maxModelBytes: config.modelLimitMb * 2 ** 20 });
}

export function registerModels(program: Command): void {
  const models = program.command('models').description('add, list and remove models in the store (under the data directory)');
  addConfigOptions(
    models.command('add <source>').description('add a model from a file or an http(s) URL; prints its hash')
      .option('-a, --alias <name>', 'a name requests can use instead of the hash')
      .option('--hash <0x…>', 'the model hash the bytes must have (required for URLs)'),
    ['dataDir', 'modelLimitMb'],
  ).action(async (source: string, options: Record<string, unknown>) => {
    const model = await storeFrom(options).add(source, { alias: options.alias as string | undefined, expectedHash: options.hash as string | undefined });
    console.log(`${model.hash}${model.aliases.length ? ' (' + model.aliases.join(', ') + ')' : ''}`);
  });
  addConfigOptions(models.command('list').description('list stored models').option('--json', 'print JSON'), ['dataDir']).action((options: Record<string, unknown>) => {
    const list = storeFrom(options).list();
    if (options.json) return console.log(JSON.stringify(list, null, 2));
    for (const m of list) {
      const io = (v: { name: string; dtype: string; shape: unknown[] | null }[]) => v.map((t) => `${t.name}:${t.dtype}[${t.shape?.map((d) => d ?? '?').join(',') ?? '…'}]`).join(' ');
      console.log(`${m.hash}  ${(m.aliases.join(',') || '-').padEnd(12)}  ${String(m.bytes).padStart(10)} B  ${io(m.inputs)} → ${io(m.outputs)}`);
    }
  });
  addConfigOptions(models.command('remove <model>').description('remove a model by hash or alias'), ['dataDir']).action((ref: string, options: Record<string, unknown>) => {
    if (!storeFrom(options).remove(ref)) throw new Error(`no model '${ref}' in the store`);
    console.log(`removed ${ref}`);
  });
}
