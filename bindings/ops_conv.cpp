// Conv2d and pooling.
#include "args.h"
#include "ops/conv.h"
#include "run.h"

namespace verinfer::bindings {

// kernelShape [kh, kw], strides [sh, sw], pads [top, left, bottom, right], dilations [dh, dw].
Window2d read_window(Napi::Env env, Napi::Object o, const ArgName& what, const Shape* weight) {
  Window2d w;
  auto pair = [&](const char* key, int64_t* a, int64_t* b, int64_t da, int64_t db) {
    std::vector<int64_t> v = opt_ints(o, key, what);
    if (v.empty()) {
      *a = da;
      *b = db;
    } else if (v.size() == 2) {
      *a = v[0];
      *b = v[1];
    } else {
      throw_range(env, what + "." + key + " must have 2 entries, got " + std::to_string(v.size()));
    }
  };
  if (weight) pair("kernelShape", &w.kh, &w.kw, (*weight)[2], (*weight)[3]);
  else if (opt_ints(o, "kernelShape", what).size() != 2) throw_range(env, what + ".kernelShape must have 2 entries");
  else pair("kernelShape", &w.kh, &w.kw, 1, 1);
  pair("strides", &w.stride_h, &w.stride_w, 1, 1);
  pair("dilations", &w.dilation_h, &w.dilation_w, 1, 1);
  std::vector<int64_t> pads = opt_ints(o, "pads", what);
  if (!pads.empty() && pads.size() != 4) throw_range(env, what + ".pads must have 4 entries [top, left, bottom, right]");
  if (pads.size() == 4) {
    w.pad_top = pads[0];
    w.pad_left = pads[1];
    w.pad_bottom = pads[2];
    w.pad_right = pads[3];
  }
  w.ceil_mode = opt_bool(o, "ceilMode", false, what);
  return w;
}

namespace {

Napi::Value conv2d_op(const Napi::CallbackInfo& cb) {
  Napi::Env env = cb.Env();
  TensorArg x = read_tensor_of(env, cb[0], "conv2d: x", DType::F32);
  TensorArg w = read_tensor_of(env, cb[1], "conv2d: w", DType::F32);
  Napi::Object o = read_options(env, cb[3], "conv2d: options");
  if (w.shape.size() != 4) throw_range(env, "conv2d: w must be [M, C/groups, KH, KW], got " + shape_str(w.shape));
  ConvParams p;
  p.window = read_window(env, o, "conv2d: options", &w.shape);
  p.groups = opt_int(o, "group", 1, "conv2d: options");
  p.act = read_activation(o, "conv2d: options");
  const Shape out = checked(env, [&] { return conv2d_shape(x.shape, w.shape, p); });
  std::vector<Napi::Value> keep{x.value, w.value};
  const float* bias = nullptr;
  if (is_present(cb[2])) {
    TensorArg b = read_tensor_of(env, cb[2], "conv2d: bias", DType::F32);
    if (b.elements != w.shape[0])
      throw_range(env, "conv2d: bias has " + std::to_string(b.elements) + " elements, expected " + std::to_string(w.shape[0]));
    bias = static_cast<const float*>(b.data);
    keep.push_back(b.value);
  }
  OutputTensor y = make_output(env, o, "conv2d: options", DType::F32, out, keep);
  auto xd = static_cast<const float*>(x.data), wd = static_cast<const float*>(w.data);
  auto yd = static_cast<float*>(y.data);
  return run_op(env, schedule_for(o, "conv2d: options", mac_cost_ns(static_cast<double>(y.elements) * w.shape[1] * w.shape[2] * w.shape[3])), y.object, keep,
                [=, xs = x.shape, ws = w.shape] { conv2d(xd, xs, wd, ws, bias, p, yd); });
}

Napi::Value pool2d_op(const Napi::CallbackInfo& cb) {
  Napi::Env env = cb.Env();
  const auto kind = parse_enum<PoolKind>(env, cb[0], {"max", "average"}, "pool2d: kind");
  TensorArg x = read_tensor_of(env, cb[1], "pool2d: x", DType::F32);
  Napi::Object o = read_options(env, cb[2], "pool2d: options");
  const Window2d w = read_window(env, o, "pool2d: options", nullptr);
  const bool include_pad = opt_bool(o, "countIncludePad", false, "pool2d: options");
  const Shape out = checked(env, [&] { return pool2d_shape(x.shape, w); });
  OutputTensor y = make_output(env, o, "pool2d: options", DType::F32, out, {x.value});
  auto xd = static_cast<const float*>(x.data);
  auto yd = static_cast<float*>(y.data);
  return run_op(env, schedule_for(o, "pool2d: options", streaming_cost_ns(x.elements)), y.object, {x.value},
                [=, xs = x.shape] { pool2d(kind, xd, xs, w, include_pad, yd); });
}

Napi::Value global_pool_op(const Napi::CallbackInfo& cb) {
  Napi::Env env = cb.Env();
  const auto kind = parse_enum<PoolKind>(env, cb[0], {"max", "average"}, "globalPool: kind");
  TensorArg x = read_tensor_of(env, cb[1], "globalPool: x", DType::F32);
  Napi::Object o = read_options(env, cb[2], "globalPool: options");
  if (x.shape.size() < 3) throw_range(env, "globalPool: x must be [N, C, spatial...], got " + shape_str(x.shape));
  Shape out = x.shape;
  for (size_t d = 2; d < out.size(); ++d) out[d] = 1;
  OutputTensor y = make_output(env, o, "globalPool: options", DType::F32, out, {x.value});
  auto xd = static_cast<const float*>(x.data);
  auto yd = static_cast<float*>(y.data);
  return run_op(env, schedule_for(o, "globalPool: options", streaming_cost_ns(x.elements)), y.object, {x.value},
                [=, xs = x.shape] { global_pool(kind, xd, xs, yd); });
}

}  // namespace

void register_conv(Napi::Env env, Napi::Object exports) {
  exports.Set("conv2d", Napi::Function::New(env, conv2d_op, "conv2d"));
  exports.Set("pool2d", Napi::Function::New(env, pool2d_op, "pool2d"));
  exports.Set("globalPool", Napi::Function::New(env, global_pool_op, "globalPool"));
}

}  // namespace verinfer::bindings
