// Writes models/demo-mlp.onnx, the small model `verinfer dev` serves: x [N, 64] → Gemm → Relu → Gemm →
// Softmax → probs [N, 10], weights from a fixed LCG so the file (and its model hash) is the same on every
// machine. Checked in; test/node-cli.test.ts checks this script still produces the same bytes.
'use strict';
const fs = require('fs');
const path = require('path');
const { onnx } = require('onnx-proto');

const LAYERS = [[64, 128], [128, 10]];

/** Deterministic values in [-0.25, 0.25), rounded to float32. */
function seeded(count, seed) {
  const values = new Float32Array(count);
  let s = seed;
  for (let i = 0; i < count; i++) {
    s = (Math.imul(s, 1103515245) + 12345) >>> 0;
    values[i] = (s / 2 ** 32 - 0.5) / 2;
  }
  return Array.from(values);
}

function demoModelBytes() {
  const initializer = [];
  const node = [];
  let x = 'x';
  LAYERS.forEach(([k, n], i) => {
    initializer.push({ name: `W${i}`, dataType: 1, dims: [k, n], floatData: seeded(k * n, 7 + i) });
    initializer.push({ name: `b${i}`, dataType: 1, dims: [n], floatData: seeded(n, 70 + i) });
    const y = i === LAYERS.length - 1 ? 'logits' : `h${i}`;
    node.push({ name: `fc${i}`, opType: 'Gemm', input: [x, `W${i}`, `b${i}`], output: [y] });
    if (y !== 'logits') {
      node.push({ name: `relu${i}`, opType: 'Relu', input: [y], output: [`a${i}`] });
      x = `a${i}`;
    }
  });
  node.push({ name: 'softmax', opType: 'Softmax', input: ['logits'], output: ['probs'] });
  const io = (name, width) => ({ name, type: { tensorType: { elemType: 1, shape: { dim: [{ dimParam: 'N' }, { dimValue: width }] } } } });
  return onnx.ModelProto.encode({
    irVersion: 8, producerName: 'verinfer', producerVersion: 'demo-mlp-1', opsetImport: [{ domain: '', version: 13 }],
    graph: { name: 'demo-mlp', initializer, node, input: [io('x', LAYERS[0][0])], output: [io('probs', LAYERS[LAYERS.length - 1][1])] },
  }).finish();
}

module.exports = { demoModelBytes, DEMO_MODEL_PATH: path.join(__dirname, '..', 'models', 'demo-mlp.onnx') };

if (require.main === module) {
  fs.writeFileSync(module.exports.DEMO_MODEL_PATH, demoModelBytes());
  console.log(`wrote ${path.relative(process.cwd(), module.exports.DEMO_MODEL_PATH)}`);
}
