#include "comm/hash_store.h"

#include "core/errors.h"

namespace neox::comm {

void HashStore::set(const std::string& key, const std::vector<uint8_t>& value) {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    values_[key] = value;
  }
  changed_.notify_all();
}

std::vector<uint8_t> HashStore::get(const std::string& key) {
  std::lock_guard<std::mutex> lock(mutex_);
  auto it = values_.find(key);
  NEOX_CHECK(it != values_.end(), ErrorCode::Comm,
             "store key " << key << " does not exist in the " << describe() << "; wait for it before get");
  return it->second;
}

std::vector<std::string> HashStore::missing_locked(const std::vector<std::string>& keys) const {
  std::vector<std::string> missing;
  for (const auto& key : keys) {
    if (values_.find(key) == values_.end()) missing.push_back(key);
  }
  return missing;
}

std::vector<std::string> HashStore::wait(const std::vector<std::string>& keys, std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mutex_);
  changed_.wait_for(lock, timeout, [&] { return missing_locked(keys).empty(); });
  return missing_locked(keys);
}

int64_t HashStore::add(const std::string& key, int64_t delta) {
  int64_t result = 0;
  {
    std::lock_guard<std::mutex> lock(mutex_);
    auto it = values_.find(key);
    const int64_t current = it == values_.end() ? 0 : parse_store_integer(it->second, key, describe());
    result = current + delta;
    values_[key] = format_store_integer(result);
  }
  changed_.notify_all();
  return result;
}

}  // namespace neox::comm
