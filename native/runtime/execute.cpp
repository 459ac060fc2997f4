#include <cstring>
#include <stdexcept>

#include "core/dispatch.h"
#include "ops/conv.h"
#include "ops/conv_winograd.h"
#include "ops/eltwise.h"
#include "ops/gemm.h"
#include "ops/integer.h"
#include "ops/layout.h"
#include "ops/normalize.h"
#include "runtime/check.h"
#include "ops/select.h"
#include "runtime/plan.h"

namespace verinfer {
namespace {

size_t value_bytes(const PlanValue& v) {
  return static_cast<size_t>(numel(v.shape, "plan value")) * dtype_size(v.dtype);
}

// Resolves value ids to memory for one run.
class Bindings {
 public:
  Bindings(const Plan& plan, const std::vector<const void*>& inputs, const std::vector<void*>& outputs, uint8_t* arena)
      : plan_(plan), inputs_(inputs), outputs_(outputs), arena_(arena) {}

  const void* in(int32_t id) const { return id < 0 ? nullptr : address(id); }
  void* out(int32_t id) const { return const_cast<void*>(address(id)); }
  const PlanValue& value(int32_t id) const { return plan_.values[static_cast<size_t>(id)]; }

 private:
  const void* address(int32_t id) const {
    const PlanValue& v = value(id);
    switch (v.kind) {
      case ValueKind::Input: return inputs_[static_cast<size_t>(v.slot)];
      case ValueKind::Output: return outputs_[static_cast<size_t>(v.slot)];
      case ValueKind::Constant: return plan_.constants[static_cast<size_t>(v.slot)]->data();
      case ValueKind::Arena: break;
    }
    return arena_ + v.slot;
  }
  const Plan& plan_;
  const std::vector<const void*>& inputs_;
  const std::vector<void*>& outputs_;
  uint8_t* arena_;
};

const float* f32(const void* p) { return static_cast<const float*>(p); }

// One GEMM with B packed at compile time (constant) or now; A's leading dims fold into M.
void run_gemm(const PlanStep& s, const Bindings& b, bool onnx_gemm) {
  const PlanValue& a = b.value(s.inputs[0]);
  const PlanValue& y = b.value(s.outputs[0]);
  const bool trans_a = onnx_gemm && s.params.flag, trans_b = onnx_gemm && s.params.flag2;
  const int64_t k = trans_a ? a.shape[0] : a.shape.back();
  const int64_t n = y.shape.back();
  const int64_t m = numel(y.shape, "gemm output") / std::max<int64_t>(n, 1);
  ScratchPanels runtime_b(s.packed_b ? 0 : 1, k, n);
  const PackedB* packed = s.packed_b.get();
  if (!packed) {
    pack_b_into(runtime_b.data(), f32(b.in(s.inputs[1])), 1, 0, k, n, trans_b ? k : n, trans_b);
    packed = runtime_b.data();
  }
  SgemmBatch g;
  g.m = m, g.n = n, g.k = k, g.trans_a = trans_a, g.lda = trans_a ? m : k, g.ldy = n;
  g.a = {f32(b.in(s.inputs[0]))}, g.b = {packed}, g.y = {static_cast<float*>(b.out(s.outputs[0]))};
  g.ep.act = s.params.act;
  if (!onnx_gemm && s.inputs.size() > 2 && s.inputs[2] >= 0) {
    // MatMul with a fused bias row: y = a·b + bias, the bias added in the epilogue.
    g.c = {f32(b.in(s.inputs[2]))};
    g.ep.c_row_stride = 0, g.ep.c_col_stride = 1;
  }
  if (!onnx_gemm && s.inputs.size() > 3 && s.inputs[3] >= 0) {
    // A fused skip connection: y = (a·b + bias) + residual (check_gemm keeps it out of y's buffer).
    g.residual = {f32(b.in(s.inputs[3]))};
    g.residual_ld = n;
  }
  if (onnx_gemm) {
    g.ep.alpha = s.params.alpha, g.ep.beta = s.params.beta;
    if (s.inputs.size() > 2 && s.inputs[2] >= 0) {
      const Shape& cs = b.value(s.inputs[2]).shape;
      const int64_t rows = cs.size() == 2 ? cs[0] : 1, cols = cs.empty() ? 1 : cs.back();
      g.c = {f32(b.in(s.inputs[2]))};
      g.ep.c_row_stride = rows == 1 ? 0 : cols;
      g.ep.c_col_stride = cols == 1 ? 0 : 1;
    }
  }
  sgemm(g);
}

// MatMul with a batched B ([..., K, N]): batch dims of A and B broadcast, one GEMM per output matrix.
void run_batched_matmul(const PlanStep& s, const Bindings& b) {
  const Shape& as = b.value(s.inputs[0]).shape;
  const Shape& bs = b.value(s.inputs[1]).shape;
  const Shape& ys = b.value(s.outputs[0]).shape;
  const int64_t m = as[as.size() - 2], k = as.back(), n = bs.back();
  const Shape batch_a(as.begin(), as.end() - 2), batch_b(bs.begin(), bs.end() - 2), batch_y(ys.begin(), ys.end() - 2);
  const Shape sa = broadcast_strides(batch_a, batch_y), sb = broadcast_strides(batch_b, batch_y);
  const int64_t b_items = numel(batch_b, "matmul B batch");
  ScratchPanels runtime_b(s.packed_b_batch ? 0 : b_items, k, n);
  const PackedB* packs = s.packed_b_batch ? s.packed_b_batch->data() : runtime_b.data();
  if (!s.packed_b_batch) pack_b_into(runtime_b.data(), f32(b.in(s.inputs[1])), b_items, k * n, k, n, n, false);
  const float* a = f32(b.in(s.inputs[0]));
  auto* y = static_cast<float*>(b.out(s.outputs[0]));
  SgemmBatch g;
  g.m = m, g.n = n, g.k = k, g.lda = k, g.ldy = n;
  g.ep.act = s.params.act;
  const float* bias = s.inputs.size() > 2 && s.inputs[2] >= 0 ? f32(b.in(s.inputs[2])) : nullptr;
  if (bias) g.ep.c_row_stride = 0, g.ep.c_col_stride = 1;
  const int64_t count = numel(batch_y, "matmul batch");
  for (int64_t i = 0; i < count; ++i) {
    int64_t rem = i, ia = 0, ib = 0;
    for (size_t d = batch_y.size(); d-- > 0;) {
      const int64_t idx = rem % batch_y[d];
      rem /= batch_y[d];
      ia += idx * sa[d], ib += idx * sb[d];
    }
    g.a.push_back(a + ia * m * k);
    g.b.push_back(packs + ib);
    g.y.push_back(y + i * m * n);
    if (bias) g.c.push_back(bias);
  }
  sgemm(g);
}

void run_step(const PlanStep& s, const Bindings& b) {
  const auto& p = s.params;
  auto in = [&](size_t i) { return b.in(s.inputs[i]); };
  auto shape = [&](size_t i) -> const Shape& { return b.value(s.inputs[i]).shape; };
  void* y = b.out(s.outputs[0]);
  const PlanValue& yv = b.value(s.outputs[0]);
  switch (s.op) {
    case StepOp::MatMul:
      if (b.value(s.inputs[1]).shape.size() > 2) return run_batched_matmul(s, b);
      return run_gemm(s, b, false);
    case StepOp::Gemm: return run_gemm(s, b, true);
    case StepOp::Binary:
      return binary(static_cast<BinaryOp>(p.code), f32(in(0)), shape(0), f32(in(1)), shape(1), static_cast<float*>(y));
    case StepOp::Compare: {
      const auto op = static_cast<CompareOp>(p.code);
      const DType t = b.value(s.inputs[0]).dtype;
      if (t != DType::F32) return int_compare(op, t, in(0), shape(0), in(1), shape(1), static_cast<uint8_t*>(y));
      return compare(op, f32(in(0)), shape(0), f32(in(1)), shape(1), static_cast<uint8_t*>(y));
    }
    case StepOp::IntBinary:
      return int_binary(static_cast<IntOp>(p.code), yv.dtype, in(0), shape(0), in(1), shape(1), y);
    case StepOp::Where:
      return where(static_cast<const uint8_t*>(in(0)), shape(0), in(1), shape(1), in(2), shape(2), dtype_size(yv.dtype), y);
    case StepOp::GatherElements:
      return gather_elements(dtype_size(yv.dtype), in(0), shape(0), static_cast<const int64_t*>(in(1)), shape(1), p.axis, y);
    case StepOp::CumSum: return cumsum(yv.dtype, in(0), shape(0), p.axis, p.flag, p.flag2, y);
    case StepOp::ConvNd: {
      const float* bias = s.inputs.size() > 2 && s.inputs[2] >= 0 ? f32(in(2)) : nullptr;
      return conv_nd(f32(in(0)), shape(0), f32(in(1)), shape(1), bias, p.window_nd, p.groups, static_cast<float*>(y));
    }
    case StepOp::PoolNd:
      return pool_nd(static_cast<PoolKind>(p.code), f32(in(0)), shape(0), p.window_nd, p.flag, static_cast<float*>(y));
    case StepOp::ScatterElements:
      return scatter_elements(dtype_size(yv.dtype), static_cast<ScatterReduce>(p.code), in(0), shape(0),
                              static_cast<const int64_t*>(in(1)), shape(1), in(2), p.axis, y);
    case StepOp::GatherND:
      return gather_nd(dtype_size(yv.dtype), in(0), shape(0), static_cast<const int64_t*>(in(1)), shape(1), p.axis, y);
    case StepOp::ScatterND:
      return scatter_nd(dtype_size(yv.dtype), static_cast<ScatterReduce>(p.code), in(0), shape(0),
                        static_cast<const int64_t*>(in(1)), shape(1), in(2), y);
    case StepOp::TopK:
      return top_k_indices(f32(in(0)), shape(0), p.axis, p.ints.at(0), p.code == 0, static_cast<int64_t*>(y));
    case StepOp::ArgReduce: return arg_reduce(p.code == 0, p.flag, f32(in(0)), shape(0), p.axis, static_cast<int64_t*>(y));
    case StepOp::Unary: return unary(p.act, f32(in(0)), static_cast<float*>(y), numel(yv.shape, "unary"));
    case StepOp::Softmax:
      // Before opset 13 Softmax works on the input coerced to 2D at `axis`; the plan passes that shape.
      return softmax(f32(in(0)), p.ints.empty() ? shape(0) : Shape(p.ints.begin(), p.ints.end()), p.axis, p.flag,
                     static_cast<float*>(y));
    case StepOp::Conv: {
      ConvParams cp = conv_params(p);
      if (s.packed_weights) cp.packed_weights = s.packed_weights->data();
      if (s.packed_weights_t) cp.packed_weights_t = s.packed_weights_t->data();
      if (s.winograd_weights) {
        cp.winograd_weights = s.winograd_weights->data();
        cp.winograd_weight_count = static_cast<int64_t>(s.winograd_weights->size());
      }
      if (s.inputs.size() > 3 && s.inputs[3] >= 0) cp.residual = f32(in(3));
      const float* bias = s.inputs.size() > 2 && s.inputs[2] >= 0 ? f32(in(2)) : nullptr;
      return conv2d(f32(in(0)), shape(0), f32(in(1)), shape(1), bias, cp, static_cast<float*>(y));
    }
    case StepOp::ConvTranspose: {
      const float* bias = s.inputs.size() > 2 && s.inputs[2] >= 0 ? f32(in(2)) : nullptr;
      return conv_transpose2d(f32(in(0)), shape(0), f32(in(1)), shape(1), bias, conv_transpose_params(p), static_cast<float*>(y));
    }
    case StepOp::Pool:
      return pool2d(static_cast<PoolKind>(p.code), f32(in(0)), shape(0), p.window, p.flag, static_cast<float*>(y));
    case StepOp::GlobalPool: return global_pool(static_cast<PoolKind>(p.code), f32(in(0)), shape(0), static_cast<float*>(y));
    case StepOp::BatchNorm:
      return batch_norm(f32(in(0)), shape(0), f32(in(1)), f32(in(2)), f32(in(3)), f32(in(4)), p.eps, static_cast<float*>(y));
    case StepOp::LayerNorm:
      return layer_norm(f32(in(0)), shape(0), p.axis, s.inputs.size() > 1 ? f32(in(1)) : nullptr,
                        s.inputs.size() > 2 ? f32(in(2)) : nullptr, p.eps, static_cast<float*>(y));
    case StepOp::Transpose: return transpose(dtype_size(yv.dtype), in(0), shape(0), p.ints, y);
    case StepOp::Concat: {
      std::vector<const void*> parts;
      std::vector<Shape> shapes;
      for (size_t i = 0; i < s.inputs.size(); ++i) parts.push_back(in(i)), shapes.push_back(shape(i));
      return concat(dtype_size(yv.dtype), parts, shapes, p.axis, y);
    }
    case StepOp::Copy: std::memmove(y, in(0), value_bytes(yv)); return;
    case StepOp::Reduce: return reduce(static_cast<ReduceOp>(p.code), f32(in(0)), shape(0), p.ints, static_cast<float*>(y));
    case StepOp::Gather:
      return gather(dtype_size(yv.dtype), in(0), shape(0), static_cast<const int64_t*>(in(1)), shape(1), p.axis, y);
    case StepOp::Cast: return cast(b.value(s.inputs[0]).dtype, in(0), p.to, y, numel(yv.shape, "cast"));
    case StepOp::Slice: return slice(dtype_size(yv.dtype), in(0), shape(0), s.slice, y);
  }
}

size_t arity(StepOp op) {
  switch (op) {
    case StepOp::MatMul: case StepOp::Gemm: case StepOp::Binary: case StepOp::Compare: case StepOp::Conv:
    case StepOp::Gather: case StepOp::IntBinary: case StepOp::GatherElements: case StepOp::ConvTranspose:
    case StepOp::ConvNd: return 2;
    case StepOp::Where: case StepOp::ScatterElements: case StepOp::ScatterND: return 3;
    case StepOp::GatherND: return 2;
    case StepOp::BatchNorm: return 5;
    default: return 1;
  }
}

// A Conv's constant weights packed once, per group, as its GEMM needs them: as A, transposed as B
// where the conv runs with pixels as rows, or transformed where it runs as Winograd. Packing per call
// and image had cost as much as a 7x7 layer's arithmetic. A direct conv's few weights are packed per call.
void pack_conv_weights(const Plan& plan, PlanStep& s) {
  const PlanValue& wv = plan.values[static_cast<size_t>(s.inputs[1])];
  if (wv.kind != ValueKind::Constant || wv.shape.size() != 4) return;
  const int64_t groups = s.params.groups, m = wv.shape[0] / groups, k = wv.shape[1] * wv.shape[2] * wv.shape[3];
  const auto* w = reinterpret_cast<const float*>(plan.constants[static_cast<size_t>(wv.slot)]->data());
  const int64_t key = plan.constant_keys[static_cast<size_t>(wv.slot)];
  const std::string dims = "groups " + std::to_string(groups) + " m " + std::to_string(m) + " k " + std::to_string(k);
  const std::string mr = " mr " + std::to_string(kernels().sgemm_mr);
  const Shape& xs = plan.values[static_cast<size_t>(s.inputs[0])].shape;
  switch (conv_schedule(xs, wv.shape, conv_params(s.params))) {
    case ConvSchedule::Winograd: {
      const int64_t tile = winograd_tile(conv2d_shape(xs, wv.shape, conv_params(s.params)));
      s.winograd_weights = plan.cache->packed<std::vector<PackedA>>(key, "conv winograd " + dims + mr + " tile " + std::to_string(tile),
                                                                    [&] { return winograd_weights(w, wv.shape[0], wv.shape[1], tile); });
      return;
    }
    case ConvSchedule::Direct: return;
    case ConvSchedule::PixelRows:
      s.packed_weights_t = plan.cache->packed<std::vector<PackedB>>(key, "conv B " + dims,
                                                                    [&] { return pack_b_batch(w, groups, m * k, k, m, k, true); });
      return;
    case ConvSchedule::Im2col:
      s.packed_weights = plan.cache->packed<std::vector<PackedA>>(key, "conv A " + dims + mr,
                                                                  [&] { return pack_a_batch(w, groups, m * k, m, k); });
      return;
  }
}

// A MatMul's or Gemm's constant B packed once: batched ([..., K, N]) or one matrix (maybe transposed).
void pack_gemm_b(const Plan& plan, PlanStep& s) {
  const PlanValue& bv = plan.values[static_cast<size_t>(s.inputs[1])];
  if (bv.kind != ValueKind::Constant) return;
  const auto* b = reinterpret_cast<const float*>(plan.constants[static_cast<size_t>(bv.slot)]->data());
  const int64_t key = plan.constant_keys[static_cast<size_t>(bv.slot)];
  if (bv.shape.size() > 2) {
    const int64_t k = bv.shape[bv.shape.size() - 2], n = bv.shape.back();
    const int64_t items = numel(Shape(bv.shape.begin(), bv.shape.end() - 2), "matmul B batch");
    const std::string form = "B batch " + std::to_string(items) + " k " + std::to_string(k) + " n " + std::to_string(n);
    s.packed_b_batch = plan.cache->packed<std::vector<PackedB>>(key, form, [&] { return pack_b_batch(b, items, k * n, k, n, n, false); });
    return;
  }
  const bool trans_b = s.op == StepOp::Gemm && s.params.flag2;
  const int64_t k = trans_b ? bv.shape[1] : bv.shape[0], n = trans_b ? bv.shape[0] : bv.shape[1];
  const std::string form = std::string(trans_b ? "B transposed" : "B") + " k " + std::to_string(k) + " n " + std::to_string(n);
  s.packed_b = plan.cache->packed<PackedB>(key, form, [&] { return pack_b(b, k, n, bv.shape[1], trans_b); });
}

}  // namespace

void finalize_plan(Plan& plan) {
  auto fail = [](size_t step, const std::string& what) {
    throw std::invalid_argument("plan step " + std::to_string(step) + ": " + what);
  };
  const auto count = static_cast<int32_t>(plan.values.size());
  auto check_io = [&](const std::vector<int32_t>& ids, ValueKind kind, const char* what) {
    for (size_t i = 0; i < ids.size(); ++i) {
      const bool ok = ids[i] >= 0 && ids[i] < count && plan.values[static_cast<size_t>(ids[i])].kind == kind &&
                      plan.values[static_cast<size_t>(ids[i])].slot == static_cast<int64_t>(i);
      if (!ok) throw std::invalid_argument(std::string("plan ") + what + " " + std::to_string(i) + " is not a matching value");
    }
  };
  check_io(plan.inputs, ValueKind::Input, "input");
  check_io(plan.outputs, ValueKind::Output, "output");
  for (size_t i = 0; i < plan.values.size(); ++i) {
    const PlanValue& v = plan.values[i];
    const size_t bytes = value_bytes(v);
    const bool ok = v.kind == ValueKind::Arena ? v.slot >= 0 && v.slot + static_cast<int64_t>(bytes) <= plan.arena_bytes
                    : v.kind == ValueKind::Constant ? v.slot >= 0 && static_cast<size_t>(v.slot) < plan.constants.size() &&
                                                          plan.constants[static_cast<size_t>(v.slot)]->size() == bytes
                    // an input or output value must be the one its slot names: its shape sizes the buffer
                    : v.kind == ValueKind::Input ? v.slot >= 0 && static_cast<size_t>(v.slot) < plan.inputs.size() &&
                                                       plan.inputs[static_cast<size_t>(v.slot)] == static_cast<int32_t>(i)
                                                 : v.slot >= 0 && static_cast<size_t>(v.slot) < plan.outputs.size() &&
                                                       plan.outputs[static_cast<size_t>(v.slot)] == static_cast<int32_t>(i);
    if (!ok) throw std::invalid_argument("plan value " + std::to_string(i) + ": storage slot out of range");
  }
  for (size_t i = 0; i < plan.steps.size(); ++i) {
    PlanStep& s = plan.steps[i];
    if (s.outputs.size() != 1) fail(i, "needs exactly one output");
    if (s.inputs.size() < arity(s.op)) fail(i, "has too few inputs");
    for (int32_t id : s.inputs)
      if (id < -1 || id >= count) fail(i, "input id out of range");
    for (size_t k = 0; k < arity(s.op); ++k)
      if (s.inputs[k] < 0) fail(i, "a required input is missing");
    if (s.outputs[0] < 0 || s.outputs[0] >= count) fail(i, "output id out of range");
    const PlanValue& out = plan.values[static_cast<size_t>(s.outputs[0])];
    if (out.kind == ValueKind::Input || out.kind == ValueKind::Constant) fail(i, "writes into an input or a constant");
  }
  for (PlanStep& s : plan.steps)
    if (s.op == StepOp::Slice)
      s.slice = slice_spec(plan.values[static_cast<size_t>(s.inputs[0])].shape, s.params.starts, s.params.ends,
                           s.params.ints, s.params.steps);
  check_plan_shapes(plan);
  for (PlanStep& s : plan.steps) {
    if (s.op == StepOp::Conv) pack_conv_weights(plan, s);
    if (s.op == StepOp::MatMul || s.op == StepOp::Gemm) pack_gemm_b(plan, s);
  }
}

ConvParams conv_params(const StepParams& p) {
  ConvParams cp;
  cp.window = p.window, cp.groups = p.groups, cp.act = p.act;
  return cp;
}

ConvTransposeParams conv_transpose_params(const StepParams& p) {
  ConvTransposeParams ct;
  ct.window = p.window, ct.groups = p.groups;
  if (p.ints.size() == 2) ct.out_h = p.ints[0], ct.out_w = p.ints[1];
  return ct;
}

AlignedBuffer<uint8_t> ArenaCache::take(size_t bytes) {
  std::lock_guard<std::mutex> lock(mutex_);
  if (spare_.empty()) return AlignedBuffer<uint8_t>(bytes);
  AlignedBuffer<uint8_t> arena = std::move(spare_.back());
  spare_.pop_back();
  return arena;
}

void ArenaCache::give(AlignedBuffer<uint8_t>&& arena) {
  constexpr size_t kMaxSpares = 2;  // runs of one plan rarely overlap more than this
  std::lock_guard<std::mutex> lock(mutex_);
  if (spare_.size() < kMaxSpares) spare_.push_back(std::move(arena));
}

void execute_plan(const Plan& plan, const std::vector<const void*>& inputs, const std::vector<void*>& outputs,
                  uint8_t* arena) {
  const Bindings bindings(plan, inputs, outputs, arena);
  for (const PlanStep& s : plan.steps) run_step(s, bindings);
}

}  // namespace verinfer
