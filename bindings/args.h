// Reading and checking JS arguments. Every check names the argument, what was expected and what
// came, and runs before any native memory is touched.
#pragma once
#include <napi.h>

#include <string>
#include <vector>

#include "arg_name.h"
#include "core/kernel_table.h"
#include "core/shape.h"
#include "ops/conv.h"
#include "ops/layout.h"

namespace verinfer::bindings {

// A tensor passed from JS as { dtype, shape, data }: a view of JS memory kept alive by `ref`.
struct TensorArg {
  DType dtype = DType::F32;
  Shape shape;
  void* data = nullptr;
  int64_t elements = 0;
  Napi::Value value;  // the JS object, to be kept referenced while native code uses `data`
};

[[noreturn]] void throw_type(Napi::Env env, const std::string& msg);
[[noreturn]] void throw_range(Napi::Env env, const std::string& msg);

DType parse_dtype(Napi::Env env, Napi::Value v, const ArgName& what);
Shape read_shape(Napi::Env env, Napi::Value v, const ArgName& what);
TensorArg read_tensor(Napi::Env env, Napi::Value v, const ArgName& what);
TensorArg read_tensor_of(Napi::Env env, Napi::Value v, const ArgName& what, DType expected);
bool is_present(Napi::Value v);

// Options object helpers: a missing key yields the default; a wrong type throws.
Napi::Object read_options(Napi::Env env, Napi::Value v, const ArgName& what);
double opt_number(Napi::Object o, const char* key, double fallback, const ArgName& what);
int64_t opt_int(Napi::Object o, const char* key, int64_t fallback, const ArgName& what);
bool opt_bool(Napi::Object o, const char* key, bool fallback, const ArgName& what);
std::vector<int64_t> opt_ints(Napi::Object o, const char* key, const ArgName& what);
std::string opt_string(Napi::Object o, const char* key, const std::string& fallback, const ArgName& what);

// Window options of conv and pooling: kernelShape [kh, kw] (from `weight` when given), strides [sh, sw],
// pads [top, left, bottom, right], dilations [dh, dw], ceilMode.
Window2d read_window(Napi::Env env, Napi::Object o, const ArgName& what, const Shape* weight);

// Unary op by its ONNX-style name (relu, leakyRelu, sigmoid, ...); alpha/beta from opts when given.
UnaryOp parse_unary_op(Napi::Env env, const std::string& name, const ArgName& what);
// Parameters of `op` from opts[alpha_key], opts[beta_key], with ONNX defaults.
UnaryParams unary_params(UnaryOp op, Napi::Object opts, const char* alpha_key, const char* beta_key,
                         const ArgName& what);
// Fused activation from opts.activation ('none' by default), opts.activationAlpha/Beta.
UnaryParams read_activation(Napi::Object opts, const ArgName& what);

// A new JS tensor { dtype, shape, data } with freshly allocated, zeroed storage.
struct OutputTensor {
  Napi::Object object;
  void* data;
  int64_t elements;
};
OutputTensor make_tensor(Napi::Env env, DType dtype, const Shape& shape);

// options.out when given: a tensor of exactly this dtype and shape whose memory overlaps none of
// `inputs` (kernels may read an input after writing part of the output); otherwise a new tensor.
// Reusing outputs saves the allocation and page faults that dominate memory-bound ops.
OutputTensor make_output(Napi::Env env, Napi::Object options, const ArgName& what, DType dtype, const Shape& shape,
                         const std::vector<Napi::Value>& inputs);

// An enum value by its name in `names` (index order = enum order).
template <class E>
E parse_enum(Napi::Env env, Napi::Value v, std::initializer_list<const char*> names, const ArgName& what) {
  const std::string s = v.IsString() ? v.As<Napi::String>().Utf8Value() : std::string();
  int i = 0;
  for (const char* n : names) {
    if (s == n) return static_cast<E>(i);
    ++i;
  }
  std::string all;
  for (const char* n : names) all += std::string(all.empty() ? "" : ", ") + n;
  throw_type(env, what + " must be one of " + all + "; got " + (v.IsString() ? "'" + s + "'" : "a non-string"));
}

// Native work may throw std::invalid_argument while validating shapes; surface that as a RangeError
// on the JS thread instead of a rejected promise with a generic type.
template <class Fn>
auto checked(Napi::Env env, Fn fn) -> decltype(fn()) {
  try {
    return fn();
  } catch (const std::invalid_argument& e) {
    throw_range(env, e.what());
  }
}

}  // namespace verinfer::bindings
