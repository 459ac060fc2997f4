// A compiled model run: values (graph inputs, outputs, constants, arena slots) and the steps that
// compute them, in order. Built once per input-shape signature, then executed in one native call per
// run with no JS between steps.
#pragma once

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "core/aligned_buffer.h"
#include "core/kernel_table.h"
#include "core/shape.h"
#include "ops/conv.h"
#include "ops/conv_transpose.h"
#include "ops/window_nd.h"
#include "ops/gemm.h"
#include "ops/layout.h"
#include "runtime/constant_cache.h"

namespace verinfer {

enum class ValueKind { Input, Output, Constant, Arena };

struct PlanValue {
  DType dtype = DType::F32;
  Shape shape;
  ValueKind kind = ValueKind::Arena;
  int64_t slot = 0;  // input/output/constant index, or byte offset in the arena
};

enum class StepOp { MatMul, Gemm, Binary, Compare, Unary, Softmax, Conv, Pool, GlobalPool, BatchNorm, LayerNorm,
                    Transpose, Concat, Copy, Reduce, Gather, Cast, Slice, IntBinary, Where, GatherElements, ArgReduce,
                    ConvTranspose, TopK, ScatterElements, GatherND, ScatterND, ConvNd, PoolNd, CumSum };

// Parameters of every step kind in one plain struct; each op reads the fields its comment names.
struct StepParams {
  int64_t axis = 0;             // Softmax, LayerNorm, Concat, Gather, GatherElements, ArgReduce
  bool flag = false;            // Softmax: log; Pool: count_include_pad; Gemm: trans_a; ArgReduce: select last
  bool flag2 = false;           // Gemm: trans_b
  float alpha = 1.0f, beta = 1.0f;  // Gemm
  float eps = 1e-5f;            // BatchNorm, LayerNorm
  int32_t code = 0;             // Binary/Compare/Reduce/Pool/IntBinary kind; ArgReduce: 0 max, 1 min; TopK: 0 largest
  UnaryParams act;              // Unary op; fused activation of MatMul, Gemm, Conv
  std::vector<int64_t> ints;    // Transpose perm, Reduce axes, Slice axes; ConvTranspose output size; TopK k
  std::vector<int64_t> starts, ends, steps;  // Slice
  Window2d window;              // Conv, Pool, ConvTranspose
  WindowNd window_nd;           // ConvNd, PoolNd
  int64_t groups = 1;           // Conv, ConvTranspose
  DType to = DType::F32;        // Cast
};

struct PlanStep {
  StepOp op = StepOp::Copy;
  std::vector<int32_t> inputs;   // value ids; -1 for an omitted optional input
  std::vector<int32_t> outputs;  // value ids
  StepParams params;
  std::shared_ptr<const PackedB> packed_b;  // MatMul/Gemm whose B is a constant, packed at compile
  std::shared_ptr<const std::vector<PackedB>> packed_b_batch;  // batched MatMul with a constant B
  std::shared_ptr<const std::vector<PackedA>> packed_weights;  // Conv with constant weights, one per group
  std::shared_ptr<const std::vector<PackedB>> packed_weights_t;  // the same as B, where pixels are rows
  std::shared_ptr<const std::vector<PackedA>> winograd_weights;  // transformed, where the conv runs as Winograd
  SliceSpec slice;                          // Slice, resolved against the input shape at compile
};

// Arenas of finished runs, kept for the plan's next runs: a fresh arena costs page faults and zeroing
// on every run. Nothing reads an arena value before a step writes it, so reuse changes no result.
class ArenaCache {
 public:
  AlignedBuffer<uint8_t> take(size_t bytes);
  void give(AlignedBuffer<uint8_t>&& arena);

 private:
  std::mutex mutex_;
  std::vector<AlignedBuffer<uint8_t>> spare_;
};

struct Plan {
  std::vector<PlanValue> values;
  std::vector<PlanStep> steps;
  std::vector<std::shared_ptr<const ConstantCache::Buffer>> constants;
  std::vector<int64_t> constant_keys;      // per constant: its key in `cache`
  std::shared_ptr<ConstantCache> cache;    // shared by the model's plans, or this plan's own
  std::vector<int32_t> inputs, outputs;  // value ids of the graph's inputs and outputs, in order
  int64_t arena_bytes = 0;
  mutable ArenaCache arenas;
};

// The Conv parameters a step carries (window, groups, fused activation), weights not yet packed.
ConvParams conv_params(const StepParams& p);
// The ConvTranspose parameters a step carries (window, groups, output size in `ints`).
ConvTransposeParams conv_transpose_params(const StepParams& p);

// Checks a plan's internal consistency (ids, kinds, sizes, arena bounds) and packs constant GEMM
// operands; throws std::invalid_argument naming the step and the problem.
void finalize_plan(Plan& plan);

// Runs every step. inputs/outputs are the graph's, in plan order, sized as their values say.
void execute_plan(const Plan& plan, const std::vector<const void*>& inputs, const std::vector<void*>& outputs,
                  uint8_t* arena);

}  // namespace verinfer
