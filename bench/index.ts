// npm run bench -- [gemm|int8|bandwidth|overhead|models|settle|node]... (default: all)
import { info } from '../lib';
import { benchGemm } from './gemm';
import { benchModels } from './models';
import { benchNode } from './node';
import { benchBandwidth, benchInt8, benchOverhead } from './kernels';
import { benchSettle } from './settle';

const suites: Record<string, () => Promise<void>> = { gemm: benchGemm, int8: benchInt8, bandwidth: benchBandwidth, overhead: benchOverhead, models: benchModels, settle: benchSettle, node: benchNode };

async function main(): Promise<void> {
  const asked = process.argv.slice(2);
  const unknown = asked.filter((s) => !(s in suites));
  if (unknown.length) throw new Error(`unknown bench '${unknown.join(', ')}'; choose from ${Object.keys(suites).join(', ')}`);
  console.log(`verinfer ${JSON.stringify(info())}`);
  for (const name of asked.length ? asked : Object.keys(suites)) {
    console.log(`\n== ${name}`);
    await suites[name]();
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
