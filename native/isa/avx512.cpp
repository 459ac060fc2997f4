// AVX-512 F/BW/VL/DQ path. 12 x 32 main tile: 24 accumulators + 2 B registers, A broadcast from memory.
#define VI_ISA_NS verinfer_isa_avx512
#include "simd/vec_avx512.h"
#include "isa/isa_includes.inl"

void verinfer::fill_kernels_avx512(KernelTable* t) { VI_ISA_NS::fill_table<12, 2, 8, 8, 8, 3>(t, "avx512"); }
