// Store scopes (key prefixes) of a world group and of the groups made from it:
//   world:     neox/comm/<name>
//   sub-group: neox/comm/<world name>/groups/<name>@<ranks>#<k>
// where k counts earlier groups with the same name and ranks, so a group made again never
// meets the keys of an earlier one. Shared by every communicator of one world (any member may
// create groups from any of its communicators; the members agree because they create groups in
// the same order).
#pragma once

#include <map>
#include <mutex>
#include <string>

#include "comm/communicator.h"

namespace neox::comm {

class GroupScopes {
 public:
  explicit GroupScopes(const std::string& world_name) : world_scope_("neox/comm/" + world_name) {}

  const std::string& world_scope() const { return world_scope_; }
  std::string next_group_scope(const GroupInfo& group);

 private:
  std::string world_scope_;
  std::mutex mutex_;
  std::map<std::string, int> created_;
};

}  // namespace neox::comm
