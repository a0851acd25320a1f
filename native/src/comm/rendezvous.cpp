#include "comm/rendezvous.h"

#include <algorithm>

#include "comm/comm_errors.h"

namespace neox::comm {

void join_group(Store& store, const std::string& scope, const GroupInfo& group, std::chrono::milliseconds timeout) {
  const std::string prefix = scope + "/joined/";
  store.set(prefix + std::to_string(group.rank), format_store_integer(group.world_rank()));
  std::vector<std::string> keys;
  for (int r = 0; r < group.size(); ++r) keys.push_back(prefix + std::to_string(r));
  const std::vector<std::string> missing = store.wait(keys, timeout);
  if (missing.empty()) return;
  std::vector<int> missing_ranks;
  for (int r = 0; r < group.size(); ++r) {
    if (std::find(missing.begin(), missing.end(), keys[static_cast<size_t>(r)]) != missing.end()) {
      missing_ranks.push_back(group.world_rank_of(r));
    }
  }
  throw_join_timeout(group, timeout, missing_ranks, store.describe());
}

}  // namespace neox::comm
