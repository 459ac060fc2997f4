// AVX2 + FMA path (compiled with -mavx2 -mfma -mf16c).
#define VI_ISA_NS verinfer_isa_avx2
#include "simd/vec_avx2.h"
#include "isa/isa_includes.inl"

void verinfer::fill_kernels_avx2(KernelTable* t) { VI_ISA_NS::fill_table<3, 2, 8, 4, 4, 3>(t, "avx2"); }
