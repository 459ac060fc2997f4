// Loads the addon: a local build (build/Release) when present, else the prebuilt binary shipped in
// prebuilds/<platform>-<arch>. No compiler is needed at install time.
import path from 'node:path';
import nodeGypBuild from 'node-gyp-build';

const root = path.join(__dirname, '..', '..');

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export const native: any = nodeGypBuild(root);
