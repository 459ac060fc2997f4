// The version of the determinism contract (docs/determinism.md) this build's kernels implement. Bump it
// whenever any kernel's output bytes may change: attestations under different versions are not comparable.
export const RUNTIME_VERSION = 1;
