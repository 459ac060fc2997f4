#include "args.h"

#include <cmath>

namespace verinfer::bindings {
namespace {

constexpr size_t kMaxRank = 16;

std::string describe(Napi::Value v) {
  switch (v.Type()) {
    case napi_undefined: return "undefined";
    case napi_null: return "null";
    case napi_boolean: return "a boolean";
    case napi_number: return "the number " + std::to_string(v.As<Napi::Number>().DoubleValue());
    case napi_string: return "a string";
    case napi_bigint: return "a bigint";
    case napi_function: return "a function";
    default: break;
  }
  if (v.IsArray()) return "an array";
  if (v.IsTypedArray()) return "a typed array";
  return "an object";
}

napi_typedarray_type array_type_for(DType t) {
  switch (t) {
    case DType::F32: return napi_float32_array;
    case DType::F16: case DType::BF16: return napi_uint16_array;
    case DType::I8: return napi_int8_array;
    case DType::U8: case DType::Bool: return napi_uint8_array;
    case DType::I32: return napi_int32_array;
    case DType::I64: return napi_bigint64_array;
    case DType::F64: return napi_float64_array;
    case DType::U16: return napi_uint16_array;
    case DType::U32: return napi_uint32_array;
    case DType::U64: return napi_biguint64_array;
    case DType::Count: break;
  }
  return napi_float32_array;
}

const char* array_name(napi_typedarray_type t) {
  switch (t) {
    case napi_float32_array: return "Float32Array";
    case napi_uint16_array: return "Uint16Array";
    case napi_int8_array: return "Int8Array";
    case napi_uint8_array: return "Uint8Array";
    case napi_int32_array: return "Int32Array";
    case napi_bigint64_array: return "BigInt64Array";
    case napi_float64_array: return "Float64Array";
    case napi_uint32_array: return "Uint32Array";
    case napi_biguint64_array: return "BigUint64Array";
    default: return "another typed array";
  }
}

}  // namespace

void throw_type(Napi::Env env, const std::string& msg) { throw Napi::TypeError::New(env, msg); }
void throw_range(Napi::Env env, const std::string& msg) { throw Napi::RangeError::New(env, msg); }

bool is_present(Napi::Value v) { return !v.IsUndefined() && !v.IsNull(); }

DType parse_dtype(Napi::Env env, Napi::Value v, const ArgName& what) {
  const std::string s = v.IsString() ? v.As<Napi::String>().Utf8Value() : std::string();
  for (int i = 0; i < static_cast<int>(DType::Count); ++i)
    if (s == dtype_name(static_cast<DType>(i))) return static_cast<DType>(i);
  std::string all;
  for (int i = 0; i < static_cast<int>(DType::Count); ++i) all += std::string(i ? ", " : "") + dtype_name(static_cast<DType>(i));
  if (!v.IsString()) throw_type(env, what + " must be a dtype string (" + all + "), got " + describe(v));
  throw_type(env, what + " must be one of " + all + "; got '" + s + "'");
}

Shape read_shape(Napi::Env env, Napi::Value v, const ArgName& what) {
  if (!v.IsArray()) throw_type(env, what + " must be an array of non-negative integers, got " + describe(v));
  Napi::Array a = v.As<Napi::Array>();
  if (a.Length() > kMaxRank) throw_range(env, what + " has rank " + std::to_string(a.Length()) + ", the maximum is 16");
  Shape s(a.Length());
  for (uint32_t i = 0; i < a.Length(); ++i) {
    Napi::Value d = a.Get(i);
    const double x = d.IsNumber() ? d.As<Napi::Number>().DoubleValue() : -1.0;
    if (!d.IsNumber() || !(x >= 0) || x != std::floor(x) || x > 9007199254740991.0)
      throw_range(env, what + "[" + std::to_string(i) + "] must be a non-negative integer, got " + describe(d));
    s[i] = static_cast<int64_t>(x);
  }
  try {
    numel(s, "");
  } catch (const std::invalid_argument& e) {
    throw_range(env, what.str() + e.what());  // the message starts ": ...", after the name it was given
  }
  return s;
}

TensorArg read_tensor(Napi::Env env, Napi::Value v, const ArgName& what) {
  if (!v.IsObject() || v.IsArray() || v.IsTypedArray())
    throw_type(env, what + " must be a tensor object { dtype, shape, data }, got " + describe(v));
  Napi::Object o = v.As<Napi::Object>();
  TensorArg t;
  t.dtype = parse_dtype(env, o.Get("dtype"), what / ".dtype");
  t.shape = read_shape(env, o.Get("shape"), what / ".shape");
  t.elements = numel(t.shape, "shape");
  Napi::Value data = o.Get("data");
  const napi_typedarray_type want = array_type_for(t.dtype);
  if (!data.IsTypedArray())
    throw_type(env, what + ".data must be a " + array_name(want) + " for dtype " + dtype_name(t.dtype) + ", got " + describe(data));
  Napi::TypedArray arr = data.As<Napi::TypedArray>();
  if (arr.TypedArrayType() != want)
    throw_type(env, what + ".data must be a " + array_name(want) + " for dtype " + dtype_name(t.dtype) + ", got a " +
                        array_name(arr.TypedArrayType()));
  Napi::ArrayBuffer buf = arr.ArrayBuffer();
  if (buf.ByteLength() == 0 && t.elements > 0)
    throw_type(env, what + ".data is detached or empty but shape " + shape_str(t.shape) + " needs " +
                        std::to_string(t.elements) + " elements");
  if (static_cast<int64_t>(arr.ElementLength()) != t.elements)
    throw_range(env, what + ".data has " + std::to_string(arr.ElementLength()) + " elements, shape " + shape_str(t.shape) +
                         " needs " + std::to_string(t.elements));
  t.data = static_cast<uint8_t*>(buf.Data()) + arr.ByteOffset();
  t.value = v;
  return t;
}

TensorArg read_tensor_of(Napi::Env env, Napi::Value v, const ArgName& what, DType expected) {
  TensorArg t = read_tensor(env, v, what);
  if (t.dtype != expected)
    throw_type(env, what + " must have dtype " + dtype_name(expected) + ", got " + dtype_name(t.dtype));
  return t;
}

Napi::Object read_options(Napi::Env env, Napi::Value v, const ArgName& what) {
  if (!is_present(v)) return Napi::Object::New(env);
  if (!v.IsObject() || v.IsArray()) throw_type(env, what + " must be an options object, got " + describe(v));
  return v.As<Napi::Object>();
}

double opt_number(Napi::Object o, const char* key, double fallback, const ArgName& what) {
  Napi::Value v = o.Get(key);
  if (!is_present(v)) return fallback;
  if (!v.IsNumber()) throw_type(o.Env(), what + "." + key + " must be a number, got " + describe(v));
  return v.As<Napi::Number>().DoubleValue();
}

int64_t opt_int(Napi::Object o, const char* key, int64_t fallback, const ArgName& what) {
  const double x = opt_number(o, key, static_cast<double>(fallback), what);
  if (x != std::floor(x) || std::fabs(x) > 9007199254740991.0)
    throw_range(o.Env(), what + "." + key + " must be an integer, got " + std::to_string(x));
  return static_cast<int64_t>(x);
}

bool opt_bool(Napi::Object o, const char* key, bool fallback, const ArgName& what) {
  Napi::Value v = o.Get(key);
  if (!is_present(v)) return fallback;
  if (!v.IsBoolean()) throw_type(o.Env(), what + "." + key + " must be a boolean, got " + describe(v));
  return v.As<Napi::Boolean>().Value();
}

std::vector<int64_t> opt_ints(Napi::Object o, const char* key, const ArgName& what) {
  Napi::Value v = o.Get(key);
  std::vector<int64_t> out;
  if (!is_present(v)) return out;
  if (!v.IsArray()) throw_type(o.Env(), what + "." + key + " must be an array of integers, got " + describe(v));
  Napi::Array a = v.As<Napi::Array>();
  if (a.Length() > 1024) throw_range(o.Env(), what + "." + key + " has " + std::to_string(a.Length()) + " entries, at most 1024 allowed");
  for (uint32_t i = 0; i < a.Length(); ++i) {
    Napi::Value d = a.Get(i);
    double x = 0;
    if (d.IsNumber()) x = d.As<Napi::Number>().DoubleValue();
    else if (d.IsBigInt()) {
      bool lossless;
      x = static_cast<double>(d.As<Napi::BigInt>().Int64Value(&lossless));
    } else {
      throw_type(o.Env(), what + "." + key + "[" + std::to_string(i) + "] must be an integer, got " + describe(d));
    }
    if (x != std::floor(x) || std::isnan(x))
      throw_range(o.Env(), what + "." + key + "[" + std::to_string(i) + "] must be an integer, got " + describe(d));
    // Clamp to int64 so values like +-Infinity or 2^63 used as "to the end" stay well defined.
    out.push_back(x >= 9.2e18 ? INT64_MAX : x <= -9.2e18 ? INT64_MIN : static_cast<int64_t>(x));
  }
  return out;
}

std::string opt_string(Napi::Object o, const char* key, const std::string& fallback, const ArgName& what) {
  Napi::Value v = o.Get(key);
  if (!is_present(v)) return fallback;
  if (!v.IsString()) throw_type(o.Env(), what + "." + key + " must be a string, got " + describe(v));
  return v.As<Napi::String>().Utf8Value();
}

UnaryOp parse_unary_op(Napi::Env env, const std::string& name, const ArgName& what) {
  static const char* names[] = {"identity", "relu", "leakyRelu", "sigmoid", "tanh", "exp", "log", "sqrt", "erf",
                                "gelu", "geluTanh", "abs", "neg", "clip", "hardSigmoid", "softplus",
                                "floor", "ceil", "round", "sin", "cos", "atan"};
  static_assert(sizeof(names) / sizeof(names[0]) == static_cast<size_t>(UnaryOp::Count), "one name per UnaryOp");
  for (int i = 0; i < static_cast<int>(UnaryOp::Count); ++i)
    if (name == names[i]) return static_cast<UnaryOp>(i);
  std::string all;
  for (const char* n : names) all += std::string(all.empty() ? "" : ", ") + n;
  throw_type(env, what + " must be one of " + all + "; got '" + name + "'");
}

UnaryParams unary_params(UnaryOp op, Napi::Object opts, const char* alpha_key, const char* beta_key,
                         const ArgName& what) {
  // ONNX defaults: LeakyRelu alpha 0.01, HardSigmoid 0.2/0.5, Clip unbounded.
  UnaryParams p;
  p.op = op;
  const bool clip = op == UnaryOp::Clip, hard = op == UnaryOp::HardSigmoid;
  p.alpha = static_cast<float>(opt_number(opts, alpha_key, clip ? -INFINITY : hard ? 0.2 : 0.01, what));
  p.beta = static_cast<float>(opt_number(opts, beta_key, clip ? INFINITY : 0.5, what));
  return p;
}

UnaryParams read_activation(Napi::Object opts, const ArgName& what) {
  const std::string name = opt_string(opts, "activation", "identity", what);
  const UnaryOp op = name == "none" ? UnaryOp::Identity : parse_unary_op(opts.Env(), name, what + ".activation");
  return unary_params(op, opts, "activationAlpha", "activationBeta", what);
}

OutputTensor make_tensor(Napi::Env env, DType dtype, const Shape& shape) {
  const int64_t n = numel(shape, "output");
  const size_t es = dtype_size(dtype);
  Napi::ArrayBuffer buf = Napi::ArrayBuffer::New(env, static_cast<size_t>(n) * es);
  Napi::Value arr;
  switch (array_type_for(dtype)) {
    case napi_float32_array: arr = Napi::Float32Array::New(env, n, buf, 0); break;
    case napi_uint16_array: arr = Napi::Uint16Array::New(env, n, buf, 0); break;
    case napi_int8_array: arr = Napi::Int8Array::New(env, n, buf, 0); break;
    case napi_uint8_array: arr = Napi::Uint8Array::New(env, n, buf, 0); break;
    case napi_int32_array: arr = Napi::Int32Array::New(env, n, buf, 0); break;
    case napi_float64_array: arr = Napi::Float64Array::New(env, n, buf, 0); break;
    case napi_uint32_array: arr = Napi::Uint32Array::New(env, n, buf, 0); break;
    case napi_biguint64_array: arr = Napi::BigUint64Array::New(env, n, buf, 0); break;
    default: arr = Napi::BigInt64Array::New(env, n, buf, 0); break;
  }
  Napi::Object o = Napi::Object::New(env);
  o.Set("dtype", dtype_name(dtype));
  Napi::Array s = Napi::Array::New(env, shape.size());
  for (size_t i = 0; i < shape.size(); ++i) s.Set(static_cast<uint32_t>(i), static_cast<double>(shape[i]));
  o.Set("shape", s);
  o.Set("data", arr);
  return {o, buf.Data(), n};
}

namespace {

// Byte range of a tensor object's data, or {nullptr, 0} for anything else (packed matrices).
std::pair<const uint8_t*, size_t> data_range(Napi::Value v) {
  if (!v.IsObject()) return {nullptr, 0};
  Napi::Value data = v.As<Napi::Object>().Get("data");
  if (!data.IsTypedArray()) return {nullptr, 0};
  auto a = data.As<Napi::TypedArray>();
  return {static_cast<const uint8_t*>(a.ArrayBuffer().Data()) + a.ByteOffset(), a.ByteLength()};
}

}  // namespace

OutputTensor make_output(Napi::Env env, Napi::Object options, const ArgName& what, DType dtype, const Shape& shape,
                         const std::vector<Napi::Value>& inputs) {
  Napi::Value out = options.Get("out");
  if (!is_present(out)) return make_tensor(env, dtype, shape);
  TensorArg t = read_tensor(env, out, what / ".out");
  if (t.dtype != dtype || t.shape != shape)
    throw_range(env, what + ".out must be a " + dtype_name(dtype) + " tensor of shape " + shape_str(shape) + ", got " +
                         dtype_name(t.dtype) + " " + shape_str(t.shape));
  const auto* begin = static_cast<const uint8_t*>(t.data);
  const size_t bytes = static_cast<size_t>(t.elements) * dtype_size(dtype);
  for (const Napi::Value& input : inputs) {
    const auto [in, in_bytes] = data_range(input);
    if (in != nullptr && bytes > 0 && in_bytes > 0 && in < begin + bytes && begin < in + in_bytes)
      throw_range(env, what + ".out overlaps an input's memory; pass a separate buffer");
  }
  return {out.As<Napi::Object>(), t.data, t.elements};
}

}  // namespace verinfer::bindings
