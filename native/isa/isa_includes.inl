// Everything an ISA file instantiates, in dependency order. VI_ISA_NS and the VecF header come first.
#include <cstddef>
#include <cstdint>
#include <utility>

#include "core/kernel_table.h"
#include "simd/math.h"
#include "kernels/eltwise.inl"
#include "kernels/reduce.inl"
#include "kernels/sgemm.inl"
#include "kernels/sgemm_tail.inl"
#include "kernels/conv_direct.inl"
#include "kernels/igemm.inl"
#include "kernels/window.inl"
#include "kernels/winograd.inl"
#include "kernels/table.inl"
