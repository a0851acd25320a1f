#include "comm/gloo_store_adapter.h"

#include "comm/comm_errors.h"
#include "core/errors.h"

namespace neox::comm {

GlooStoreAdapter::GlooStoreAdapter(comm::Store& store, std::string prefix, const GroupInfo& group,
                                   std::chrono::milliseconds timeout)
    : store_(store), prefix_(std::move(prefix)), group_(group), timeout_(timeout) {}

void GlooStoreAdapter::set(const std::string& key, const std::vector<char>& data) {
  store_.set(full_key(key), std::vector<uint8_t>(data.begin(), data.end()));
}

std::vector<char> GlooStoreAdapter::get(const std::string& key) {
  wait({key}, timeout_);
  const std::vector<uint8_t> value = store_.get(full_key(key));
  return std::vector<char>(value.begin(), value.end());
}

void GlooStoreAdapter::wait(const std::vector<std::string>& keys) {
  wait(keys, timeout_);
}

void GlooStoreAdapter::wait(const std::vector<std::string>& keys, const std::chrono::milliseconds& timeout) {
  std::vector<std::string> full;
  for (const auto& key : keys) full.push_back(full_key(key));
  const std::vector<std::string> missing = store_.wait(full, timeout);
  NEOX_CHECK(missing.empty(), ErrorCode::Comm,
             "connecting " << group_.describe() << " timed out after " << format_duration(timeout)
                           << ": the transport address " << missing.front() << " never appeared in the "
                           << store_.describe() << " although every rank had joined; did that rank exit "
                           << "during start-up? (raise comm_timeout_seconds if it is slow)");
}

}  // namespace neox::comm
