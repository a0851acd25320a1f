// The messages of communicator failures, in one place so every backend words them alike: each
// names the group, the operation, the peer (world rank) and what to do.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "comm/communicator.h"

namespace neox::comm {

// "30 s", "1.5 s", "250 ms"
std::string format_duration(std::chrono::milliseconds duration);
// "0,2" for short lists; "0,1,2,3,4,5,6,7,… (64 ranks)" for long ones.
std::string format_ranks(const std::vector<int>& ranks);

// "all_reduce on group dp (ranks 0,2) timed out after 30 s waiting for rank 2; is its process
// alive? (raise comm_timeout_seconds if it is slow)"
[[noreturn]] void throw_peer_timeout(const char* op, const GroupInfo& group, std::chrono::milliseconds timeout,
                                     int world_peer);

// "all_reduce on group dp (ranks 0,2) failed: lost the connection to rank 2 (<transport detail>);
// its process probably exited: check its log; the run needs a new generation and new communicators"
[[noreturn]] void throw_peer_lost(const char* op, const GroupInfo& group, int world_peer,
                                  const std::string& transport_detail);

// For backends that cannot tell which peer is missing (NCCL): "all_reduce on group dp (ranks 0,2)
// timed out after 30 s; NCCL does not say which rank it waits for: check that ranks 0,2 are alive
// (raise comm_timeout_seconds if one is slow)"
[[noreturn]] void throw_group_timeout(const char* op, const GroupInfo& group, std::chrono::milliseconds timeout,
                                      const char* backend);

// "all_reduce on group dp (ranks 0,2) failed: <detail>; a peer probably exited: check the ranks'
// logs; the run needs a new generation with new communicators"
[[noreturn]] void throw_group_failure(const char* op, const GroupInfo& group, const std::string& detail);

// "rendezvous of group world (ranks 0,1,2) timed out after 2 s: rank 2 never joined (store: …);
// is its process alive? (raise comm_timeout_seconds if it starts slowly)"
[[noreturn]] void throw_join_timeout(const GroupInfo& group, std::chrono::milliseconds timeout,
                                     const std::vector<int>& missing_world_ranks, const std::string& store);

}  // namespace neox::comm
