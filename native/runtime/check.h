// Verifies that every step of a plan reads and writes exactly the dtypes and shapes its kernel will.
#pragma once

#include "runtime/plan.h"

namespace verinfer {

// Throws std::invalid_argument naming the step and the mismatch.
void check_plan_shapes(const Plan& plan);

}  // namespace verinfer
