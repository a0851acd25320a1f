// The first step of every group: each member announces itself in the store and waits for all
// others, so a member that never comes is reported by rank before any transport is built.
#pragma once

#include <chrono>
#include <string>

#include "comm/communicator.h"
#include "comm/store.h"

namespace neox::comm {

// Sets "<scope>/joined/<group rank>" and waits up to `timeout` for every member's key. Throws
// Error(Comm) listing the world ranks not heard from.
void join_group(Store& store, const std::string& scope, const GroupInfo& group, std::chrono::milliseconds timeout);

}  // namespace neox::comm
