// Portable path: baseline x86-64 (or any target), no SIMD assumed.
#define VI_ISA_NS verinfer_isa_scalar
#include "simd/vec_scalar.h"
#include "isa/isa_includes.inl"

void verinfer::fill_kernels_scalar(KernelTable* t) { VI_ISA_NS::fill_table<2, 1, 32, 4, 4, 4>(t, "scalar"); }
