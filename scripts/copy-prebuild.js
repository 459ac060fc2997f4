// Places the freshly built addon where node-gyp-build looks for a prebuilt binary, so `npm pack`
// ships it and installs from the tarball need no compiler.
'use strict';
const fs = require('fs');
const path = require('path');

const root = path.join(__dirname, '..');
const built = path.join(root, 'build', 'Release', 'verinfer.node');
const dir = path.join(root, 'prebuilds', `${process.platform}-${process.arch}`);
fs.mkdirSync(dir, { recursive: true });
fs.copyFileSync(built, path.join(dir, 'verinfer.napi.node'));
console.log(`prebuild: ${path.relative(root, path.join(dir, 'verinfer.napi.node'))}`);
