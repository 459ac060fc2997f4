#pragma once
#include <string>

#include "core/kernel_table.h"

namespace verinfer {

// The kernels chosen once per process: the best ISA the CPU and OS support, or the one named by
// VERINFER_ISA (scalar|avx2|avx512). Throws std::runtime_error if that ISA is unavailable.
const KernelTable& kernels();
Isa active_isa();
bool has_vnni();
std::string isa_name(Isa isa);

}  // namespace verinfer
