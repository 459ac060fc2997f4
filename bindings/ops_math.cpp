// Elementwise, reductions and normalisations.
#include "args.h"
#include "ops/eltwise.h"
#include "ops/normalize.h"
#include "run.h"

namespace verinfer::bindings {
namespace {

Napi::Value unary_op(const Napi::CallbackInfo& cb) {
  Napi::Env env = cb.Env();
  if (!cb[0].IsString()) throw_type(env, "unary: op must be a string");
  const UnaryOp op = parse_unary_op(env, cb[0].As<Napi::String>().Utf8Value(), "unary: op");
  TensorArg x = read_tensor_of(env, cb[1], "unary: x", DType::F32);
  Napi::Object o = read_options(env, cb[2], "unary: options");
  const UnaryParams p = unary_params(op, o, "alpha", "beta", "unary: options");
  OutputTensor y = make_output(env, o, "unary: options", DType::F32, x.shape, {x.value});
  auto xd = static_cast<const float*>(x.data);
  auto yd = static_cast<float*>(y.data);
  const int64_t n = x.elements;
  return run_op(env, schedule_for(o, "unary: options", streaming_cost_ns(y.elements)), y.object, {x.value},
                [=] { unary(p, xd, yd, n); });
}

Napi::Value binary_op(const Napi::CallbackInfo& cb) {
  Napi::Env env = cb.Env();
  const auto op = parse_enum<BinaryOp>(env, cb[0], {"add", "sub", "mul", "div", "pow", "max", "min"}, "binary: op");
  TensorArg a = read_tensor_of(env, cb[1], "binary: a", DType::F32);
  TensorArg b = read_tensor_of(env, cb[2], "binary: b", DType::F32);
  Napi::Object o = read_options(env, cb[3], "binary: options");
  const Shape out = checked(env, [&] { return broadcast_shapes(a.shape, b.shape); });
  checked(env, [&] { return numel(out, "binary: output"); });
  OutputTensor y = make_output(env, o, "binary: options", DType::F32, out, {a.value, b.value});
  auto ad = static_cast<const float*>(a.data), bd = static_cast<const float*>(b.data);
  auto yd = static_cast<float*>(y.data);
  return run_op(env, schedule_for(o, "binary: options", streaming_cost_ns(y.elements)), y.object, {a.value, b.value},
                [=, as = a.shape, bs = b.shape] { binary(op, ad, as, bd, bs, yd); });
}

Napi::Value compare_op(const Napi::CallbackInfo& cb) {
  Napi::Env env = cb.Env();
  const auto op = parse_enum<CompareOp>(env, cb[0], {"equal", "less", "lessOrEqual", "greater", "greaterOrEqual"},
                                        "compare: op");
  TensorArg a = read_tensor_of(env, cb[1], "compare: a", DType::F32);
  TensorArg b = read_tensor_of(env, cb[2], "compare: b", DType::F32);
  Napi::Object o = read_options(env, cb[3], "compare: options");
  const Shape out = checked(env, [&] { return broadcast_shapes(a.shape, b.shape); });
  checked(env, [&] { return numel(out, "compare: output"); });
  OutputTensor y = make_output(env, o, "compare: options", DType::Bool, out, {a.value, b.value});
  auto ad = static_cast<const float*>(a.data), bd = static_cast<const float*>(b.data);
  auto yd = static_cast<uint8_t*>(y.data);
  return run_op(env, schedule_for(o, "compare: options", streaming_cost_ns(y.elements)), y.object, {a.value, b.value},
                [=, as = a.shape, bs = b.shape] { compare(op, ad, as, bd, bs, yd); });
}

Napi::Value reduce_op(const Napi::CallbackInfo& cb) {
  Napi::Env env = cb.Env();
  const auto op = parse_enum<ReduceOp>(env, cb[0], {"sum", "mean", "max", "min", "prod", "l2", "sumSquare"}, "reduce: op");
  TensorArg x = read_tensor_of(env, cb[1], "reduce: x", DType::F32);
  Napi::Object o = read_options(env, cb[2], "reduce: options");
  const std::vector<int64_t> axes = opt_ints(o, "axes", "reduce: options");
  const bool keepdims = opt_bool(o, "keepdims", true, "reduce: options");
  const Shape out = checked(env, [&] { return reduce_shape(x.shape, axes, keepdims); });
  OutputTensor y = make_output(env, o, "reduce: options", DType::F32, out, {x.value});
  auto xd = static_cast<const float*>(x.data);
  auto yd = static_cast<float*>(y.data);
  return run_op(env, schedule_for(o, "reduce: options", streaming_cost_ns(x.elements)), y.object, {x.value},
                [=, xs = x.shape] { reduce(op, xd, xs, axes, yd); });
}

Napi::Value softmax_op(const Napi::CallbackInfo& cb) {
  Napi::Env env = cb.Env();
  TensorArg x = read_tensor_of(env, cb[0], "softmax: x", DType::F32);
  Napi::Object o = read_options(env, cb[1], "softmax: options");
  const int64_t axis = opt_int(o, "axis", -1, "softmax: options");
  const bool log = opt_bool(o, "log", false, "softmax: options");
  checked(env, [&] { return normalize_axis(axis, static_cast<int64_t>(x.shape.size()), "softmax"); });
  OutputTensor y = make_output(env, o, "softmax: options", DType::F32, x.shape, {x.value});
  auto xd = static_cast<const float*>(x.data);
  auto yd = static_cast<float*>(y.data);
  return run_op(env, schedule_for(o, "softmax: options", streaming_cost_ns(y.elements)), y.object, {x.value},
                [=, xs = x.shape] { softmax(xd, xs, axis, log, yd); });
}

// gamma/beta: optional tensors with exactly `count` float32 elements.
const float* optional_params(Napi::Env env, Napi::Value v, int64_t count, const ArgName& what,
                             std::vector<Napi::Value>* keep) {
  if (!is_present(v)) return nullptr;
  TensorArg t = read_tensor_of(env, v, what, DType::F32);
  if (t.elements != count)
    throw_range(env, what + " has " + std::to_string(t.elements) + " elements, expected " + std::to_string(count));
  keep->push_back(t.value);
  return static_cast<const float*>(t.data);
}

Napi::Value layer_norm_op(const Napi::CallbackInfo& cb) {
  Napi::Env env = cb.Env();
  TensorArg x = read_tensor_of(env, cb[0], "layerNorm: x", DType::F32);
  Napi::Object o = read_options(env, cb[3], "layerNorm: options");
  const int64_t axis = checked(env, [&] {
    return normalize_axis(opt_int(o, "axis", -1, "layerNorm: options"), static_cast<int64_t>(x.shape.size()), "layerNorm");
  });
  int64_t len = 1;
  for (size_t d = axis; d < x.shape.size(); ++d) len *= x.shape[d];
  std::vector<Napi::Value> keep{x.value};
  const float* gamma = optional_params(env, cb[1], len, "layerNorm: scale", &keep);
  const float* beta = optional_params(env, cb[2], len, "layerNorm: bias", &keep);
  const float eps = static_cast<float>(opt_number(o, "epsilon", 1e-5, "layerNorm: options"));
  OutputTensor y = make_output(env, o, "layerNorm: options", DType::F32, x.shape, keep);
  auto xd = static_cast<const float*>(x.data);
  auto yd = static_cast<float*>(y.data);
  return run_op(env, schedule_for(o, "layerNorm: options", streaming_cost_ns(y.elements)), y.object, keep,
                [=, xs = x.shape] { layer_norm(xd, xs, axis, gamma, beta, eps, yd); });
}

Napi::Value batch_norm_op(const Napi::CallbackInfo& cb) {
  Napi::Env env = cb.Env();
  TensorArg x = read_tensor_of(env, cb[0], "batchNorm: x", DType::F32);
  if (x.shape.size() < 2) throw_range(env, "batchNorm: x must have rank >= 2 (N, C, ...), got " + shape_str(x.shape));
  const int64_t c = x.shape[1];
  std::vector<Napi::Value> keep{x.value};
  const char* names[] = {"batchNorm: scale", "batchNorm: bias", "batchNorm: mean", "batchNorm: var"};
  const float* p[4];
  for (int i = 0; i < 4; ++i) {
    if (!is_present(cb[1 + i])) throw_type(env, std::string(names[i]) + " is required");
    p[i] = optional_params(env, cb[1 + i], c, names[i], &keep);
  }
  Napi::Object o = read_options(env, cb[5], "batchNorm: options");
  const float eps = static_cast<float>(opt_number(o, "epsilon", 1e-5, "batchNorm: options"));
  OutputTensor y = make_output(env, o, "batchNorm: options", DType::F32, x.shape, keep);
  auto xd = static_cast<const float*>(x.data);
  auto yd = static_cast<float*>(y.data);
  return run_op(env, schedule_for(o, "batchNorm: options", streaming_cost_ns(y.elements)), y.object, keep,
                [=, xs = x.shape] { batch_norm(xd, xs, p[0], p[1], p[2], p[3], eps, yd); });
}

}  // namespace

void register_math(Napi::Env env, Napi::Object exports) {
  exports.Set("unary", Napi::Function::New(env, unary_op, "unary"));
  exports.Set("binary", Napi::Function::New(env, binary_op, "binary"));
  exports.Set("compare", Napi::Function::New(env, compare_op, "compare"));
  exports.Set("reduce", Napi::Function::New(env, reduce_op, "reduce"));
  exports.Set("softmax", Napi::Function::New(env, softmax_op, "softmax"));
  exports.Set("layerNorm", Napi::Function::New(env, layer_norm_op, "layerNorm"));
  exports.Set("batchNorm", Napi::Function::New(env, batch_norm_op, "batchNorm"));
}

}  // namespace verinfer::bindings
