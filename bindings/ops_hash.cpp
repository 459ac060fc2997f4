// Keccak-256 and Merkle tree building for attestations: the JS hash is ~10× slower than this.
#include <cstring>

#include "args.h"
#include "crypto/keccak.h"
#include "crypto/merkle.h"
#include "run.h"

namespace verinfer::bindings {
namespace {

// Raw bytes of a typed array or DataView, or a TypeError naming `what`.
std::pair<const uint8_t*, size_t> read_bytes(Napi::Env env, Napi::Value v, const ArgName& what) {
  if (v.IsTypedArray()) {
    auto a = v.As<Napi::TypedArray>();
    if (a.ArrayBuffer().Data() == nullptr && a.ByteLength() > 0) throw_type(env, what + " is detached");
    return {static_cast<const uint8_t*>(a.ArrayBuffer().Data()) + a.ByteOffset(), a.ByteLength()};
  }
  if (v.IsDataView()) {
    auto d = v.As<Napi::DataView>();
    return {static_cast<const uint8_t*>(d.ArrayBuffer().Data()) + d.ByteOffset(), d.ByteLength()};
  }
  throw_type(env, what + " must be a typed array or DataView");
}

// keccak256(parts: ArrayBufferView[]) → Uint8Array(32) of the parts' concatenation.
Napi::Value keccak256(const Napi::CallbackInfo& cb) {
  Napi::Env env = cb.Env();
  if (!cb[0].IsArray()) throw_type(env, "keccak256: parts must be an array of typed arrays");
  auto parts = cb[0].As<Napi::Array>();
  Keccak256 hash;
  for (uint32_t i = 0; i < parts.Length(); ++i) {
    auto [data, size] = read_bytes(env, parts.Get(i), "keccak256: parts[" + std::to_string(i) + "]");
    hash.update(data, size);
  }
  auto out = Napi::Uint8Array::New(env, Keccak256::kDigestBytes);
  hash.finish(out.Data());
  return out;
}

// merkleTree(encodedLeaves: Uint8Array, leafBytes) → { nodes: Uint8Array, treeIndex: Uint32Array }.
Napi::Value merkle_tree(const Napi::CallbackInfo& cb) {
  Napi::Env env = cb.Env();
  auto [data, size] = read_bytes(env, cb[0], "merkleTree: encodedLeaves");
  const double leaf_bytes = cb[1].IsNumber() ? cb[1].As<Napi::Number>().DoubleValue() : 0;
  if (!(leaf_bytes >= 1 && leaf_bytes <= 1 << 20) || leaf_bytes != static_cast<double>(static_cast<size_t>(leaf_bytes)))
    throw_range(env, "merkleTree: leafBytes must be an integer from 1 to 2^20");
  const auto stride = static_cast<size_t>(leaf_bytes);
  if (size == 0 || size % stride != 0)
    throw_range(env, "merkleTree: encodedLeaves must hold a positive whole number of " + std::to_string(stride) +
                         "-byte leaves, got " + std::to_string(size) + " bytes");
  const size_t count = size / stride;
  if (count > (1u << 30)) throw_range(env, "merkleTree: at most 2^30 leaves");
  auto nodes = Napi::Uint8Array::New(env, (2 * count - 1) * Keccak256::kDigestBytes);
  auto tree_index = Napi::Uint32Array::New(env, count);
  build_standard_merkle_tree(data, count, stride, nodes.Data(), tree_index.Data());
  auto result = Napi::Object::New(env);
  result.Set("nodes", nodes);
  result.Set("treeIndex", tree_index);
  return result;
}

}  // namespace

void register_hash(Napi::Env env, Napi::Object exports) {
  exports.Set("keccak256", Napi::Function::New(env, keccak256, "keccak256"));
  exports.Set("merkleTree", Napi::Function::New(env, merkle_tree, "merkleTree"));
}

}  // namespace verinfer::bindings
