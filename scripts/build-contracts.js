// Compiles contracts/*.sol with solc-js and writes the deployable artifacts to contracts/artifacts/.
// The artifacts are checked in so the package needs no compiler; test/contracts.test.ts checks they
// still match the sources via compileArtifacts().
'use strict';
const fs = require('fs');
const path = require('path');
const solc = require('solc');

const root = path.join(__dirname, '..');
const contractsDir = path.join(root, 'contracts');
const artifactsDir = path.join(contractsDir, 'artifacts');

// Contracts that get an artifact, by source file; the others are abstract building blocks.
const DEPLOYABLE = {
  VerinferSettlement: 'contracts/VerinferSettlement.sol',
  InferenceHub: 'contracts/InferenceHub.sol',
  ForecastConsumer: 'contracts/examples/ForecastConsumer.sol',
};

const SETTINGS = {
  optimizer: { enabled: true, runs: 200 },
  evmVersion: 'cancun',
  viaIR: false,
  outputSelection: { '*': { '*': ['abi', 'evm.bytecode.object', 'metadata'] } },
};

/** Standard-JSON input: every .sol under contracts/, keyed by its path from the package root. */
function compilerInput() {
  const sources = {};
  for (const file of fs.readdirSync(contractsDir, { recursive: true }).filter((f) => f.endsWith('.sol')).sort()) {
    sources[`contracts/${file.split(path.sep).join('/')}`] = { content: fs.readFileSync(path.join(contractsDir, file), 'utf8') };
  }
  return { language: 'Solidity', sources, settings: SETTINGS };
}

// Only package imports are resolved, from node_modules; anything else is an error.
function findImport(importPath) {
  if (!importPath.startsWith('@openzeppelin/')) return { error: `unresolvable import ${importPath}` };
  try {
    return { contents: fs.readFileSync(require.resolve(importPath, { paths: [root] }), 'utf8') };
  } catch (e) {
    return { error: `${importPath}: ${e.message}` };
  }
}

/** Runs solc; returns its output with errors and warnings split. */
function compile() {
  const output = JSON.parse(solc.compile(JSON.stringify(compilerInput()), { import: findImport }));
  const diagnostics = output.errors ?? [];
  return {
    output,
    errors: diagnostics.filter((d) => d.severity === 'error'),
    warnings: diagnostics.filter((d) => d.severity !== 'error'),
  };
}

function artifactOf(name, output) {
  const contract = output.contracts[DEPLOYABLE[name]]?.[name];
  if (!contract) throw new Error(`build-contracts: no contract ${name} in ${DEPLOYABLE[name]}`);
  const metadata = JSON.parse(contract.metadata);
  // Every source that went into the bytecode, with the keccak256 solc recorded for it.
  const sources = {};
  for (const file of Object.keys(metadata.sources).sort()) sources[file] = metadata.sources[file].keccak256;
  return {
    contractName: name,
    compiler: solc.version(),
    sources,
    abi: contract.abi,
    bytecode: `0x${contract.evm.bytecode.object}`,
  };
}

/**
 * Compiles the contracts and returns { [contractName]: artifact } without writing anything.
 * Throws with the formatted compiler errors if compilation fails.
 */
function compileArtifacts() {
  const { output, errors } = compile();
  if (errors.length) throw new Error(errors.map((e) => e.formattedMessage).join('\n'));
  return Object.fromEntries(Object.keys(DEPLOYABLE).map((name) => [name, artifactOf(name, output)]));
}

function main() {
  const { output, errors, warnings } = compile();
  for (const w of warnings) console.warn(w.formattedMessage);
  if (errors.length) {
    for (const e of errors) console.error(e.formattedMessage);
    process.exit(1);
  }
  fs.mkdirSync(artifactsDir, { recursive: true });
  for (const name of Object.keys(DEPLOYABLE)) {
    const file = path.join(artifactsDir, `${name}.json`);
    fs.writeFileSync(file, `${JSON.stringify(artifactOf(name, output), null, 2)}\n`);
    console.log(`build-contracts: ${path.relative(root, file)}`);
  }
}

module.exports = { compileArtifacts, artifactsDir };

if (require.main === module) main();
