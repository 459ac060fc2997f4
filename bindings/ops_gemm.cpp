// MatMul/Gemm (fp32, batched, packed weights) and int8 GEMM with requantisation.
#include <memory>

#include "args.h"
#include "handle.h"
#include "ops/gemm.h"
#include "ops/igemm.h"
#include "run.h"

namespace verinfer::bindings {
namespace {

// Type tags let native code check that an External handed back from JS really is its own.
constexpr napi_type_tag kPackedBTag = {0x7665726966657231ull, 0x7061636b65644231ull};
constexpr napi_type_tag kPackedInt8Tag = {0x7665726966657231ull, 0x7061636b65643831ull};

template <class T>
Napi::Object wrap_packed(Napi::Env env, std::shared_ptr<T> p, const napi_type_tag& tag, const char* kind) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("kind", kind);
  o.Set("k", static_cast<double>(p->k));
  o.Set("n", static_cast<double>(p->n));
  o.Set("handle", wrap_handle(env, std::move(p), tag));
  return o;
}

// Returns the packed matrix if v is one of ours (checked by tag), null if v is not a packed object.
template <class T>
std::shared_ptr<T> unwrap_packed(Napi::Env env, Napi::Value v, const napi_type_tag& tag, const ArgName& what) {
  if (!v.IsObject() || v.IsTypedArray()) return nullptr;
  Napi::Value h = v.As<Napi::Object>().Get("handle");
  if (!is_present(h)) return nullptr;
  std::shared_ptr<T> packed = unwrap_handle<T>(env, h, tag);
  if (!packed) throw_type(env, what + ".handle is not a packed matrix made by this module for this operation");
  return packed;
}

Napi::Value pack_b_op(const Napi::CallbackInfo& cb) {
  Napi::Env env = cb.Env();
  TensorArg b = read_tensor_of(env, cb[0], "packB: b", DType::F32);
  Napi::Object o = read_options(env, cb[1], "packB: options");
  const bool trans = opt_bool(o, "transB", false, "packB: options");
  if (b.shape.size() != 2) throw_range(env, "packB: b must be a matrix [K, N] (or [N, K] with transB), got " + shape_str(b.shape));
  const int64_t k = trans ? b.shape[1] : b.shape[0], n = trans ? b.shape[0] : b.shape[1];
  auto packed = std::make_shared<PackedB>(pack_b(static_cast<const float*>(b.data), k, n, b.shape[1], trans));
  return wrap_packed(env, packed, kPackedBTag, "packedB");
}

Shape batch_of(const Shape& s) { return Shape(s.begin(), s.end() - 2); }

// Y = act(alpha * op(A) op(B) + beta * C): A [..., M, K], B [..., K, N] or packed [K, N],
// C broadcastable to [M, N]; batch dims broadcast like numpy.
Napi::Value matmul_op(const Napi::CallbackInfo& cb) {
  Napi::Env env = cb.Env();
  TensorArg a = read_tensor_of(env, cb[0], "matmul: a", DType::F32);
  Napi::Object o = read_options(env, cb[3], "matmul: options");
  const bool trans_a = opt_bool(o, "transA", false, "matmul: options");
  const bool trans_b = opt_bool(o, "transB", false, "matmul: options");
  if (a.shape.size() < 2) throw_range(env, "matmul: a must have rank >= 2, got " + shape_str(a.shape));
  const int64_t m = a.shape[a.shape.size() - (trans_a ? 1 : 2)], k = a.shape[a.shape.size() - (trans_a ? 2 : 1)];
  std::vector<Napi::Value> keep{a.value};
  std::shared_ptr<PackedB> packed = unwrap_packed<PackedB>(env, cb[1], kPackedBTag, "matmul: b");
  TensorArg b;
  Shape b_batch;
  int64_t n;
  if (packed) {
    if (packed->k != k) throw_range(env, "matmul: packed b has K = " + std::to_string(packed->k) + ", a needs K = " + std::to_string(k));
    n = packed->n;
    keep.push_back(cb[1]);
  } else {
    b = read_tensor_of(env, cb[1], "matmul: b", DType::F32);
    if (b.shape.size() < 2) throw_range(env, "matmul: b must have rank >= 2, got " + shape_str(b.shape));
    const int64_t bk = b.shape[b.shape.size() - (trans_b ? 1 : 2)];
    n = b.shape[b.shape.size() - (trans_b ? 2 : 1)];
    if (bk != k)
      throw_range(env, "matmul: inner dimensions differ: a " + shape_str(a.shape) + " gives K = " + std::to_string(k) +
                           ", b " + shape_str(b.shape) + " gives K = " + std::to_string(bk));
    b_batch = batch_of(b.shape);
    keep.push_back(b.value);
  }
  const Shape a_batch = batch_of(a.shape);
  const Shape batch = checked(env, [&] { return broadcast_shapes(a_batch, b_batch); });
  Shape out = batch;
  out.push_back(m);
  out.push_back(n);
  checked(env, [&] { return numel(out, "matmul: output"); });

  const float* c = nullptr;
  int64_t c_rs = 0, c_cs = 0;
  if (is_present(cb[2])) {
    TensorArg ct = read_tensor_of(env, cb[2], "matmul: c", DType::F32);
    const Shape& cs = ct.shape;
    const int64_t cm = cs.size() >= 2 ? cs[cs.size() - 2] : 1, cn = cs.empty() ? 1 : cs.back();
    if (cs.size() > 2 || (cm != 1 && cm != m) || (cn != 1 && cn != n))
      throw_range(env, "matmul: c must broadcast to [" + std::to_string(m) + ", " + std::to_string(n) + "], got " + shape_str(cs));
    c = static_cast<const float*>(ct.data);
    c_rs = cm == 1 ? 0 : cn;
    c_cs = cn == 1 ? 0 : 1;
    keep.push_back(ct.value);
  }
  SgemmBatch g;
  g.m = m;
  g.n = n;
  g.k = k;
  g.trans_a = trans_a;
  g.lda = a.shape.back();
  g.ldy = n;
  g.ep.alpha = static_cast<float>(opt_number(o, "alpha", 1.0, "matmul: options"));
  g.ep.beta = static_cast<float>(opt_number(o, "beta", 1.0, "matmul: options"));
  g.ep.c_row_stride = c_rs;
  g.ep.c_col_stride = c_cs;
  g.ep.act = read_activation(o, "matmul: options");
  OutputTensor y = make_output(env, o, "matmul: options", DType::F32, out, keep);
  const Shape sa = broadcast_strides(a_batch, batch), sb = broadcast_strides(b_batch, batch);
  const int64_t items = numel(batch, "matmul: batch");
  const Schedule schedule = schedule_for(o, "matmul: options", mac_cost_ns(static_cast<double>(items) * m * n * k));
  auto ad = static_cast<const float*>(a.data);
  auto bd = static_cast<const float*>(b.data);
  auto yd = static_cast<float*>(y.data);
  const Shape b_shape = b.shape;
  return run_op(env, schedule, y.object, keep, [=]() mutable {
    const int64_t b_items = packed ? 0 : numel(b_batch, "matmul: b batch");
    ScratchPanels own(b_items, k, n);
    if (!packed) pack_b_into(own.data(), bd, b_items, k * n, k, n, b_shape.back(), trans_b);
    for (int64_t i = 0; i < items; ++i) {
      int64_t rem = i, oa = 0, ob = 0;
      for (size_t d = batch.size(); d-- > 0;) {
        const int64_t idx = rem % batch[d];
        rem /= batch[d];
        oa += idx * sa[d];
        ob += idx * sb[d];
      }
      g.a.push_back(ad + oa * m * k);
      g.b.push_back(packed ? packed.get() : &own[ob]);
      g.y.push_back(yd + i * m * n);
      if (c) g.c.push_back(c);
    }
    sgemm(g);
  });
}

Napi::Value pack_b_int8_op(const Napi::CallbackInfo& cb) {
  Napi::Env env = cb.Env();
  TensorArg b = read_tensor_of(env, cb[0], "packInt8B: b", DType::I8);
  if (b.shape.size() != 2) throw_range(env, "packInt8B: b must be a matrix [K, N], got " + shape_str(b.shape));
  auto packed = std::make_shared<PackedInt8B>(pack_b_int8(static_cast<const int8_t*>(b.data), b.shape[0], b.shape[1], b.shape[1]));
  return wrap_packed(env, packed, kPackedInt8Tag, "packedInt8B");
}

// A [M, K] uint8 or int8 x B [K, N] int8 (tensor or packed) -> int32 [M, N].
Napi::Value igemm_op(const Napi::CallbackInfo& cb) {
  Napi::Env env = cb.Env();
  TensorArg a = read_tensor(env, cb[0], "matmulInt8: a");
  if (a.dtype != DType::U8 && a.dtype != DType::I8)
    throw_type(env, std::string("matmulInt8: a must have dtype uint8 or int8, got ") + dtype_name(a.dtype));
  if (a.shape.size() != 2) throw_range(env, "matmulInt8: a must be a matrix [M, K], got " + shape_str(a.shape));
  Napi::Object o = read_options(env, cb[2], "matmulInt8: options");
  std::vector<Napi::Value> keep{a.value, cb[1]};
  std::shared_ptr<PackedInt8B> packed = unwrap_packed<PackedInt8B>(env, cb[1], kPackedInt8Tag, "matmulInt8: b");
  TensorArg b;
  if (!packed) {
    b = read_tensor_of(env, cb[1], "matmulInt8: b", DType::I8);
    if (b.shape.size() != 2) throw_range(env, "matmulInt8: b must be a matrix [K, N], got " + shape_str(b.shape));
  }
  const int64_t k = a.shape[1], bk = packed ? packed->k : b.shape[0], n = packed ? packed->n : b.shape[1];
  if (bk != k) throw_range(env, "matmulInt8: a has K = " + std::to_string(k) + " but b has K = " + std::to_string(bk));
  const int64_t m = a.shape[0];
  OutputTensor y = make_output(env, o, "matmulInt8: options", DType::I32, {m, n}, keep);
  const void* ad = a.data;
  const bool a_signed = a.dtype == DType::I8;
  auto bd = static_cast<const int8_t*>(b.data);
  auto yd = static_cast<int32_t*>(y.data);
  return run_op(env, schedule_for(o, "matmulInt8: options", mac_cost_ns(static_cast<double>(m) * n * k / 4)), y.object, keep, [=] {
    std::shared_ptr<PackedInt8B> pb = packed ? packed : std::make_shared<PackedInt8B>(pack_b_int8(bd, k, n, n));
    igemm(m, ad, a_signed, k, *pb, yd, n);
  });
}

// int32 [M, N] -> int8/uint8 with a scalar or per-column float32 scale and an integer zero point.
Napi::Value requantize_op(const Napi::CallbackInfo& cb) {
  Napi::Env env = cb.Env();
  TensorArg acc = read_tensor_of(env, cb[0], "requantize: acc", DType::I32);
  TensorArg scale = read_tensor_of(env, cb[1], "requantize: scale", DType::F32);
  Napi::Object o = read_options(env, cb[2], "requantize: options");
  const int64_t cols = acc.shape.empty() ? 1 : acc.shape.back();
  const int64_t rows = cols == 0 ? 0 : acc.elements / cols;
  const bool per_column = scale.elements != 1;
  if (per_column && scale.elements != cols)
    throw_range(env, "requantize: scale must have 1 or " + std::to_string(cols) + " elements, got " + std::to_string(scale.elements));
  const std::string out_type = opt_string(o, "dtype", "int8", "requantize: options");
  if (out_type != "int8" && out_type != "uint8") throw_type(env, "requantize: options.dtype must be int8 or uint8, got '" + out_type + "'");
  const bool out_signed = out_type == "int8";
  const int64_t zp = opt_int(o, "zeroPoint", 0, "requantize: options");
  if (zp < (out_signed ? -128 : 0) || zp > (out_signed ? 127 : 255))
    throw_range(env, "requantize: zeroPoint " + std::to_string(zp) + " is outside the range of " + out_type);
  OutputTensor y = make_output(env, o, "requantize: options", out_signed ? DType::I8 : DType::U8, acc.shape, {acc.value, scale.value});
  auto ad = static_cast<const int32_t*>(acc.data);
  auto sd = static_cast<const float*>(scale.data);
  void* yd = y.data;
  return run_op(env, schedule_for(o, "requantize: options", streaming_cost_ns(y.elements)), y.object, {acc.value, scale.value},
                [=] { requantize(ad, rows, cols, sd, per_column, static_cast<int32_t>(zp), out_signed, yd); });
}

}  // namespace

void register_gemm(Napi::Env env, Napi::Object exports) {
  exports.Set("packB", Napi::Function::New(env, pack_b_op, "packB"));
  exports.Set("matmul", Napi::Function::New(env, matmul_op, "matmul"));
  exports.Set("packInt8B", Napi::Function::New(env, pack_b_int8_op, "packInt8B"));
  exports.Set("matmulInt8", Napi::Function::New(env, igemm_op, "matmulInt8"));
  exports.Set("requantize", Napi::Function::New(env, requantize_op, "requantize"));
}

}  // namespace verinfer::bindings
