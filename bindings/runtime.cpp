// Compiled model plans: compilePlan builds a native Plan once (constants copied in, constant GEMM
// operands packed); runPlan executes a whole model in one call, off the JS thread.

#include "args.h"
#include "handle.h"
#include "run.h"
#include "ops/integer.h"
#include "ops/select.h"
#include "runtime/plan.h"

namespace verinfer::bindings {
namespace {

constexpr napi_type_tag kPlanTag = {0x7665726966657231ull, 0x706c616e00000001ull};
constexpr napi_type_tag kConstantCacheTag = {0x7665726966657231ull, 0x636f6e7374000001ull};

Napi::Array read_array(Napi::Env env, Napi::Value v, const ArgName& what) {
  if (!v.IsArray()) throw_type(env, what + " must be an array");
  return v.As<Napi::Array>();
}

std::vector<int32_t> read_ids(Napi::Env env, Napi::Value v, const ArgName& what, const char* noun = "a value id") {
  std::vector<int32_t> ids;
  Napi::Array a = read_array(env, v, what);
  for (uint32_t i = 0; i < a.Length(); ++i) {
    Napi::Value x = a.Get(i);
    const double d = x.IsNumber() ? x.As<Napi::Number>().DoubleValue() : -2;
    if (d < -1 || d > 1e9 || d != static_cast<int32_t>(d)) throw_type(env, what + "[" + std::to_string(i) + "] must be " + noun);
    ids.push_back(static_cast<int32_t>(d));
  }
  return ids;
}

StepOp parse_step_op(Napi::Env env, Napi::Value v, const ArgName& what) {
  return parse_enum<StepOp>(env, v, {"matmul", "gemm", "binary", "compare", "unary", "softmax", "conv", "pool",
                                     "globalPool", "batchNorm", "layerNorm", "transpose", "concat", "copy", "reduce",
                                     "gather", "cast", "slice", "intBinary", "where", "gatherElements", "argReduce",
                                     "convTranspose", "topK", "scatterElements", "gatherND", "scatterND", "convNd",
                                     "poolNd", "cumSum"},
                                what);
}

StepParams read_params(Napi::Env env, StepOp op, Napi::Object o, const ArgName& what) {
  StepParams p;
  p.axis = opt_int(o, "axis", 0, what);
  p.flag = opt_bool(o, "flag", false, what);
  p.flag2 = opt_bool(o, "flag2", false, what);
  p.alpha = static_cast<float>(opt_number(o, "alpha", 1.0, what));
  p.beta = static_cast<float>(opt_number(o, "beta", 1.0, what));
  p.eps = static_cast<float>(opt_number(o, "epsilon", 1e-5, what));
  p.code = static_cast<int32_t>(opt_int(o, "code", 0, what));
  p.ints = opt_ints(o, "ints", what);
  p.starts = opt_ints(o, "starts", what);
  p.ends = opt_ints(o, "ends", what);
  p.steps = opt_ints(o, "steps", what);
  p.groups = opt_int(o, "group", 1, what);
  if (op == StepOp::Unary) {
    p.act = unary_params(parse_unary_op(env, opt_string(o, "unary", "identity", what), what + ".unary"), o, "alpha", "beta", what);
  } else {
    p.act = read_activation(o, what);
  }
  if (op == StepOp::Conv || op == StepOp::Pool || op == StepOp::ConvTranspose) p.window = read_window(env, o, what, nullptr);
  if (op == StepOp::ConvNd || op == StepOp::PoolNd) {
    p.window_nd.kernel = opt_ints(o, "kernelShape", what);
    p.window_nd.strides = opt_ints(o, "strides", what);
    p.window_nd.dilations = opt_ints(o, "dilations", what);
    p.window_nd.pads = opt_ints(o, "pads", what);
    p.window_nd.ceil_mode = opt_bool(o, "ceilMode", false, what);
  }
  if (op == StepOp::Cast) p.to = parse_dtype(env, o.Get("to"), what + ".to");
  const int32_t limit = op == StepOp::Binary      ? static_cast<int32_t>(BinaryOp::Count)
                        : op == StepOp::Compare   ? static_cast<int32_t>(CompareOp::Count)
                        : op == StepOp::Reduce    ? static_cast<int32_t>(ReduceOp::Count)
                        : op == StepOp::IntBinary ? static_cast<int32_t>(IntOp::Count)
                        : (op == StepOp::ScatterElements || op == StepOp::ScatterND) ? static_cast<int32_t>(ScatterReduce::Count)
                        : (op == StepOp::Pool || op == StepOp::GlobalPool || op == StepOp::ArgReduce || op == StepOp::TopK ||
                           op == StepOp::PoolNd) ? 2 : 1;
  if (p.code < 0 || p.code >= limit) throw_range(env, what + ".code " + std::to_string(p.code) + " is out of range");
  return p;
}

PlanValue read_value(Napi::Env env, Napi::Value value, const ArgName& what) {
  Napi::Object v = read_options(env, value, what);
  PlanValue pv;
  pv.dtype = parse_dtype(env, v.Get("dtype"), what + ".dtype");
  pv.shape = read_shape(env, v.Get("shape"), what + ".shape");
  pv.kind = parse_enum<ValueKind>(env, v.Get("kind"), {"input", "output", "constant", "arena"}, what + ".kind");
  pv.slot = opt_int(v, "slot", -1, what);
  return pv;
}

// The plan's constants, through the model's cache when the spec names their keys: a constant another
// plan of the model already holds is shared, not copied again.
void read_constants(Napi::Env env, Napi::Object o, Plan& plan) {
  const std::string what = "compilePlan: plan.constants";
  Napi::Array tensors = read_array(env, o.Get("constants"), what);
  const Napi::Value keys_value = o.Get("constantKeys");
  const bool keyed = is_present(keys_value);
  const std::vector<int32_t> keys =
      keyed ? read_ids(env, keys_value, "compilePlan: plan.constantKeys", "a constant key") : std::vector<int32_t>{};
  if (keyed && keys.size() != tensors.Length())
    throw_range(env, "compilePlan: plan.constantKeys has " + std::to_string(keys.size()) + " keys for " +
                         std::to_string(tensors.Length()) + " constants");
  for (uint32_t i = 0; i < tensors.Length(); ++i) {
    TensorArg t = read_tensor(env, tensors.Get(i), what + "[" + std::to_string(i) + "]");
    const int64_t key = keyed ? keys[i] : i;
    plan.constant_keys.push_back(key);
    const size_t bytes = static_cast<size_t>(t.elements) * dtype_size(t.dtype);
    plan.constants.push_back(checked(env, [&] { return plan.cache->buffer(key, t.data, bytes); }));
  }
}

PlanStep read_step(Napi::Env env, Napi::Value value, const ArgName& what) {
  Napi::Object s = read_options(env, value, what);
  PlanStep step;
  step.op = parse_step_op(env, s.Get("op"), what + ".op");
  step.inputs = read_ids(env, s.Get("inputs"), what + ".inputs");
  step.outputs = read_ids(env, s.Get("outputs"), what + ".outputs");
  step.params = read_params(env, step.op, read_options(env, s.Get("params"), what + ".params"), what + ".params");
  return step;
}

// Appends read(element) for every element of the array o[key] to `out`.
template <class T, class Read>
void read_each(Napi::Env env, Napi::Object o, const char* key, std::vector<T>& out, Read read) {
  const std::string what = std::string("compilePlan: plan.") + key;
  Napi::Array a = read_array(env, o.Get(key), what);
  for (uint32_t i = 0; i < a.Length(); ++i) out.push_back(read(env, a.Get(i), what + "[" + std::to_string(i) + "]"));
}

// constantCache() -> handle: one per model, passed to each compilePlan of that model.
Napi::Value constant_cache(const Napi::CallbackInfo& cb) {
  return wrap_handle(cb.Env(), std::make_shared<ConstantCache>(), kConstantCacheTag);
}

// constantCacheBytes(handle) -> bytes of constants and packed weights the model's plans hold.
Napi::Value constant_cache_bytes(const Napi::CallbackInfo& cb) {
  Napi::Env env = cb.Env();
  std::shared_ptr<ConstantCache> cache = unwrap_handle<ConstantCache>(env, cb[0], kConstantCacheTag);
  if (!cache) throw_type(env, "constantCacheBytes: handle is not a constant cache made by constantCache");
  return Napi::Number::New(env, static_cast<double>(cache->bytes()));
}

// compilePlan({ values, constants, constantKeys?, steps, inputs, outputs, arenaBytes }, cache?) -> handle
Napi::Value compile_plan(const Napi::CallbackInfo& cb) {
  Napi::Env env = cb.Env();
  Napi::Object o = read_options(env, cb[0], "compilePlan: plan");
  auto plan = std::make_shared<Plan>();
  if (is_present(cb[1])) {
    plan->cache = unwrap_handle<ConstantCache>(env, cb[1], kConstantCacheTag);
    if (!plan->cache) throw_type(env, "compilePlan: cache is not a constant cache made by constantCache");
    plan->cache->sweep();
  } else {
    plan->cache = std::make_shared<ConstantCache>();
  }
  read_each(env, o, "values", plan->values, read_value);
  read_constants(env, o, *plan);
  read_each(env, o, "steps", plan->steps, read_step);
  plan->inputs = read_ids(env, o.Get("inputs"), "compilePlan: plan.inputs");
  plan->outputs = read_ids(env, o.Get("outputs"), "compilePlan: plan.outputs");
  plan->arena_bytes = opt_int(o, "arenaBytes", 0, "compilePlan: plan");
  checked(env, [&] { finalize_plan(*plan); });
  return wrap_handle(env, std::shared_ptr<const Plan>(plan), kPlanTag);
}

// runPlan(handle, inputs: Tensor[], options) -> Promise<Tensor[]> (or Tensor[] with sync)
Napi::Value run_plan(const Napi::CallbackInfo& cb) {
  Napi::Env env = cb.Env();
  std::shared_ptr<const Plan> plan = unwrap_handle<const Plan>(env, cb[0], kPlanTag);
  if (!plan) throw_type(env, "runPlan: handle is not a plan made by compilePlan");
  Napi::Array feeds = read_array(env, cb[1], "runPlan: inputs");
  Napi::Object o = read_options(env, cb[2], "runPlan: options");
  if (feeds.Length() != plan->inputs.size())
    throw_range(env, "runPlan: the plan takes " + std::to_string(plan->inputs.size()) + " inputs, got " + std::to_string(feeds.Length()));
  std::vector<const void*> inputs;
  std::vector<Napi::Value> keep{cb[0]};
  for (uint32_t i = 0; i < feeds.Length(); ++i) {
    const PlanValue& v = plan->values[static_cast<size_t>(plan->inputs[i])];
    const std::string what = "runPlan: inputs[" + std::to_string(i) + "]";
    TensorArg t = read_tensor_of(env, feeds.Get(i), what, v.dtype);
    if (t.shape != v.shape) throw_range(env, what + " has shape " + shape_str(t.shape) + ", the plan was compiled for " + shape_str(v.shape));
    inputs.push_back(t.data);
    keep.push_back(t.value);
  }
  Napi::Array result = Napi::Array::New(env, plan->outputs.size());
  std::vector<void*> outputs;
  double cost = 0;
  for (size_t i = 0; i < plan->outputs.size(); ++i) {
    const PlanValue& v = plan->values[static_cast<size_t>(plan->outputs[i])];
    OutputTensor y = make_tensor(env, v.dtype, v.shape);
    result.Set(static_cast<uint32_t>(i), y.object);
    outputs.push_back(y.data);
  }
  for (const PlanStep& s : plan->steps) cost += streaming_cost_ns(numel(plan->values[static_cast<size_t>(s.outputs[0])].shape, "plan"));
  return run_op(env, schedule_for(o, "runPlan: options", cost), result, keep, [plan, inputs, outputs] {
    AlignedBuffer<uint8_t> arena = plan->arenas.take(static_cast<size_t>(plan->arena_bytes));
    execute_plan(*plan, inputs, outputs, arena.data());
    plan->arenas.give(std::move(arena));
  });
}

}  // namespace

void register_runtime(Napi::Env env, Napi::Object exports) {
  exports.Set("constantCache", Napi::Function::New(env, constant_cache, "constantCache"));
  exports.Set("constantCacheBytes", Napi::Function::New(env, constant_cache_bytes, "constantCacheBytes"));
  exports.Set("compilePlan", Napi::Function::New(env, compile_plan, "compilePlan"));
  exports.Set("runPlan", Napi::Function::New(env, run_plan, "runPlan"));
}

}  // namespace verinfer::bindings
