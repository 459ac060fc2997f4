// Transpose, Slice, Concat, Gather, Cast.
#include "args.h"
#include "ops/layout.h"
#include "run.h"

namespace verinfer::bindings {
namespace {

Napi::Value transpose_op(const Napi::CallbackInfo& cb) {
  Napi::Env env = cb.Env();
  TensorArg x = read_tensor(env, cb[0], "transpose: x");
  Napi::Object o = read_options(env, cb[1], "transpose: options");
  std::vector<int64_t> perm = opt_ints(o, "perm", "transpose: options");
  if (perm.empty())
    for (size_t i = x.shape.size(); i-- > 0;) perm.push_back(static_cast<int64_t>(i));
  const Shape out = checked(env, [&] { return transpose_shape(x.shape, perm); });
  OutputTensor y = make_output(env, o, "transpose: options", x.dtype, out, {x.value});
  const void* xd = x.data;
  void* yd = y.data;
  const size_t es = dtype_size(x.dtype);
  return run_op(env, schedule_for(o, "transpose: options", streaming_cost_ns(y.elements)), y.object, {x.value},
                [=, xs = x.shape] { transpose(es, xd, xs, perm, yd); });
}

Napi::Value slice_op(const Napi::CallbackInfo& cb) {
  Napi::Env env = cb.Env();
  TensorArg x = read_tensor(env, cb[0], "slice: x");
  Napi::Object o = read_options(env, cb[1], "slice: options");
  const SliceSpec spec = checked(env, [&] {
    return slice_spec(x.shape, opt_ints(o, "starts", "slice: options"), opt_ints(o, "ends", "slice: options"),
                      opt_ints(o, "axes", "slice: options"), opt_ints(o, "steps", "slice: options"));
  });
  OutputTensor y = make_output(env, o, "slice: options", x.dtype, spec.out_shape, {x.value});
  const void* xd = x.data;
  void* yd = y.data;
  const size_t es = dtype_size(x.dtype);
  return run_op(env, schedule_for(o, "slice: options", streaming_cost_ns(y.elements)), y.object, {x.value},
                [=, xs = x.shape] { slice(es, xd, xs, spec, yd); });
}

Napi::Value concat_op(const Napi::CallbackInfo& cb) {
  Napi::Env env = cb.Env();
  if (!cb[0].IsArray()) throw_type(env, "concat: inputs must be an array of tensors");
  Napi::Array arr = cb[0].As<Napi::Array>();
  if (arr.Length() == 0 || arr.Length() > 65536) throw_range(env, "concat: needs 1 to 65536 inputs, got " + std::to_string(arr.Length()));
  Napi::Object o = read_options(env, cb[1], "concat: options");
  const int64_t axis = opt_int(o, "axis", 0, "concat: options");
  std::vector<const void*> ptrs;
  std::vector<Shape> shapes;
  std::vector<Napi::Value> keep;
  DType dtype = DType::F32;
  for (uint32_t i = 0; i < arr.Length(); ++i) {
    const std::string name = "concat: inputs[" + std::to_string(i) + "]";
    TensorArg t = read_tensor(env, arr.Get(i), name);
    if (i == 0) dtype = t.dtype;
    else if (t.dtype != dtype)
      throw_type(env, name + " has dtype " + dtype_name(t.dtype) + ", expected " + dtype_name(dtype) + " like inputs[0]");
    ptrs.push_back(t.data);
    shapes.push_back(t.shape);
    keep.push_back(t.value);
  }
  const Shape out = checked(env, [&] { return concat_shape(shapes, axis); });
  OutputTensor y = make_output(env, o, "concat: options", dtype, out, keep);
  void* yd = y.data;
  const size_t es = dtype_size(dtype);
  return run_op(env, schedule_for(o, "concat: options", streaming_cost_ns(y.elements)), y.object, keep,
                [=] { concat(es, ptrs, shapes, axis, yd); });
}

Napi::Value gather_op(const Napi::CallbackInfo& cb) {
  Napi::Env env = cb.Env();
  TensorArg x = read_tensor(env, cb[0], "gather: data");
  TensorArg idx = read_tensor_of(env, cb[1], "gather: indices", DType::I64);
  Napi::Object o = read_options(env, cb[2], "gather: options");
  const int64_t axis = opt_int(o, "axis", 0, "gather: options");
  const Shape out = checked(env, [&] { return gather_shape(x.shape, idx.shape, axis); });
  // Checked on the JS thread too, so a bad index is a thrown RangeError rather than a rejected Promise.
  const auto* id = static_cast<const int64_t*>(idx.data);
  checked(env, [&] { check_gather_indices(x.shape, id, idx.shape, axis); });
  OutputTensor y = make_output(env, o, "gather: options", x.dtype, out, {x.value, idx.value});
  const void* xd = x.data;
  void* yd = y.data;
  const size_t es = dtype_size(x.dtype);
  return run_op(env, schedule_for(o, "gather: options", streaming_cost_ns(y.elements)), y.object, {x.value, idx.value},
                [=, xs = x.shape, is = idx.shape] { gather(es, xd, xs, id, is, axis, yd); });
}

Napi::Value cast_op(const Napi::CallbackInfo& cb) {
  Napi::Env env = cb.Env();
  TensorArg x = read_tensor(env, cb[0], "cast: x");
  const DType to = parse_dtype(env, cb[1], "cast: to");
  Napi::Object o = read_options(env, cb[2], "cast: options");
  OutputTensor y = make_output(env, o, "cast: options", to, x.shape, {x.value});
  const void* xd = x.data;
  void* yd = y.data;
  const DType from = x.dtype;
  const int64_t n = x.elements;
  return run_op(env, schedule_for(o, "cast: options", streaming_cost_ns(y.elements)), y.object, {x.value}, [=] { cast(from, xd, to, yd, n); });
}

}  // namespace

void register_layout(Napi::Env env, Napi::Object exports) {
  exports.Set("transpose", Napi::Function::New(env, transpose_op, "transpose"));
  exports.Set("slice", Napi::Function::New(env, slice_op, "slice"));
  exports.Set("concat", Napi::Function::New(env, concat_op, "concat"));
  exports.Set("gather", Napi::Function::New(env, gather_op, "gather"));
  exports.Set("cast", Napi::Function::New(env, cast_op, "cast"));
}

}  // namespace verinfer::bindings
