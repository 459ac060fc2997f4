#include "runtime/constant_cache.h"

#include <cstring>
#include <stdexcept>

namespace verinfer {

std::shared_ptr<const ConstantCache::Buffer> ConstantCache::buffer(int64_t key, const void* data, size_t bytes) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto& slot = buffers_[key];
  if (auto alive = slot.lock()) {
    if (alive->size() != bytes)
      throw std::invalid_argument("constant key " + std::to_string(key) + " names " + std::to_string(alive->size()) +
                                  " bytes, not " + std::to_string(bytes));
    return alive;
  }
  auto copy = std::make_shared<Buffer>(bytes);
  if (bytes) std::memcpy(copy->data(), data, bytes);
  slot = copy;
  return copy;
}

void ConstantCache::sweep() {
  std::lock_guard<std::mutex> lock(mutex_);
  for (auto it = buffers_.begin(); it != buffers_.end();) it = it->second.expired() ? buffers_.erase(it) : std::next(it);
  for (auto it = packs_.begin(); it != packs_.end();) it = it->second.form.expired() ? packs_.erase(it) : std::next(it);
}

size_t ConstantCache::bytes() {
  std::lock_guard<std::mutex> lock(mutex_);
  size_t total = 0;
  for (const auto& [key, buffer] : buffers_)
    if (auto alive = buffer.lock()) total += alive->size();
  for (const auto& [key, pack] : packs_)
    if (!pack.form.expired()) total += pack.bytes;
  return total;
}

}  // namespace verinfer
