// The published tarball carries a prebuilt binary: installed with scripts disabled into an empty
// folder, it loads and runs a GEMM without any compiler.
import test from 'ava';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const root = path.join(__dirname, '..', '..');

test('npm pack tarball installs with --ignore-scripts and runs a GEMM', (t) => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'verinfer-pack-'));
  try {
    const packed = execFileSync('npm', ['pack', '--ignore-scripts', '--json', '--pack-destination', dir], { cwd: root, encoding: 'utf8' });
    const tarball = path.join(dir, JSON.parse(packed)[0].filename);
    const files: string[] = JSON.parse(packed)[0].files.map((f: { path: string }) => f.path);
    t.true(files.includes(`prebuilds/${process.platform}-${process.arch}/verinfer.napi.node`), 'prebuilt binary is in the tarball');
    const app = path.join(dir, 'app');
    fs.mkdirSync(app);
    fs.writeFileSync(path.join(app, 'package.json'), '{"name":"app","version":"1.0.0","private":true}');
    execFileSync('npm', ['install', '--ignore-scripts', '--no-audit', '--no-fund', tarball], { cwd: app, stdio: 'pipe' });
    t.false(fs.existsSync(path.join(app, 'node_modules', 'verinfer', 'build')), 'nothing was compiled');
    const script = `
      const v = require('verinfer');
      const a = v.tensor('float32', [2, 3], [1, 2, 3, 4, 5, 6]);
      const b = v.tensor('float32', [3, 2], [1, 0, 0, 1, 1, 1]);
      v.ops.matmul(a, b).then((y) => console.log(JSON.stringify({ isa: v.info().isa, y: [...y.data] })));`;
    const out = JSON.parse(execFileSync(process.execPath, ['-e', script], { cwd: app, encoding: 'utf8' }));
    t.deepEqual(out.y, [4, 5, 10, 11]);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
