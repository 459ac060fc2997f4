// The version of the determinism contract (docs/determinism.md) this build's kernels implement. Bump it
// whenever any kernel's output bytes may change: attestations under different versions are not comparable.
// 2: 3x3 stride-1 convs with 16+ channels run as Winograd F(2x2, 3x3), which rounds differently.
// 3: erf (and so GELU) evaluates one piecewise polynomial per lane instead of two range fits, and
//    softmax multiplies by the reciprocal of its row sum instead of dividing by it.
// 4: such convs on output maps of 16x16 and up run as Winograd F(4x4, 3x3).
export const RUNTIME_VERSION = 4;
