// The constants a model's plans share, and their packed forms (see ConstantCache).
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

#include "core/aligned_buffer.h"
#include "ops/gemm.h"

namespace verinfer {

// A model's constants and their packed forms, shared by the plans compiled for it (one per input-shape
// signature): a model served at many batch sizes holds each weight once, not once per plan. Entries
// live while some plan holds them. Keys are the Session's constant ids, never reused.
class ConstantCache {
 public:
  using Buffer = AlignedBuffer<uint8_t>;
  // Constant `key`'s buffer, copied from data the first time. A key names one constant's bytes for
  // good: the same key with another size is a caller error and throws.
  std::shared_ptr<const Buffer> buffer(int64_t key, const void* data, size_t bytes);
  // A packed form of constant `key`, made once. `form` names the packing and every parameter it
  // depends on (dims, transposition, MR), and always goes with the same T.
  template <class T, class Make>
  std::shared_ptr<const T> packed(int64_t key, const std::string& form, Make make) {
    std::lock_guard<std::mutex> lock(mutex_);
    Pack& slot = packs_[{key, form}];
    if (auto alive = std::static_pointer_cast<const T>(slot.form.lock())) return alive;
    auto made = std::make_shared<const T>(make());
    slot = {made, packed_bytes(*made)};
    return made;
  }
  // Drops entries no plan holds any more.
  void sweep();
  // Bytes of the constants and packed forms some plan still holds.
  size_t bytes();

 private:
  struct Pack {
    std::weak_ptr<const void> form;
    size_t bytes = 0;
  };
  static size_t packed_bytes(const PackedB& p) { return p.panels.size() * sizeof(float); }
  static size_t packed_bytes(const PackedA& p) { return p.panels.size() * sizeof(float); }
  template <class T>
  static size_t packed_bytes(const std::vector<T>& items) {
    size_t total = 0;
    for (const T& item : items) total += packed_bytes(item);
    return total;
  }

  std::mutex mutex_;
  std::map<int64_t, std::weak_ptr<const Buffer>> buffers_;
  std::map<std::pair<int64_t, std::string>, Pack> packs_;
};

}  // namespace verinfer
