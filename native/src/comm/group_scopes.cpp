#include "comm/group_scopes.h"

namespace neox::comm {

std::string GroupScopes::next_group_scope(const GroupInfo& group) {
  std::string key = group.name + "@";
  for (size_t i = 0; i < group.ranks.size(); ++i) key += (i ? "," : "") + std::to_string(group.ranks[i]);
  std::lock_guard<std::mutex> lock(mutex_);
  return world_scope_ + "/groups/" + key + "#" + std::to_string(created_[key]++);
}

}  // namespace neox::comm
