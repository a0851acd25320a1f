#include "comm/comm_errors.h"

#include <sstream>

#include "core/errors.h"

namespace neox::comm {

std::string format_duration(std::chrono::milliseconds duration) {
  const auto ms = duration.count();
  std::ostringstream out;
  if (ms < 1000) {
    out << ms << " ms";
  } else if (ms % 1000 == 0) {
    out << ms / 1000 << " s";
  } else {
    out << static_cast<double>(ms) / 1000.0 << " s";
  }
  return out.str();
}

std::string format_ranks(const std::vector<int>& ranks) {
  constexpr size_t kShown = 8;
  std::ostringstream out;
  for (size_t i = 0; i < ranks.size() && i < kShown; ++i) out << (i ? "," : "") << ranks[i];
  if (ranks.size() > kShown) out << ",… (" << ranks.size() << " ranks)";
  return out.str();
}

void throw_peer_timeout(const char* op, const GroupInfo& group, std::chrono::milliseconds timeout, int world_peer) {
  std::ostringstream message;
  message << op << " on " << group.describe() << " timed out after " << format_duration(timeout)
          << " waiting for rank " << world_peer << "; is its process alive? (raise comm_timeout_seconds if it is slow)";
  detail::throw_error(ErrorCode::Comm, __FILE__, __LINE__, message.str());
}

void throw_peer_lost(const char* op, const GroupInfo& group, int world_peer, const std::string& transport_detail) {
  std::ostringstream message;
  message << op << " on " << group.describe() << " failed: lost the connection to rank " << world_peer << " ("
          << transport_detail << "); its process probably exited: check its log; the run needs a new generation with new "
          << "communicators";
  detail::throw_error(ErrorCode::Comm, __FILE__, __LINE__, message.str());
}

void throw_group_timeout(const char* op, const GroupInfo& group, std::chrono::milliseconds timeout,
                         const char* backend) {
  std::ostringstream message;
  message << op << " on " << group.describe() << " timed out after " << format_duration(timeout) << "; " << backend
          << " does not say which rank it waits for: check that ranks " << format_ranks(group.ranks)
          << " are alive (raise comm_timeout_seconds if one is slow)";
  detail::throw_error(ErrorCode::Comm, __FILE__, __LINE__, message.str());
}

void throw_group_failure(const char* op, const GroupInfo& group, const std::string& transport_detail) {
  std::ostringstream message;
  message << op << " on " << group.describe() << " failed: " << transport_detail
          << "; a peer probably exited: check the ranks' logs; the run needs a new generation with new communicators";
  detail::throw_error(ErrorCode::Comm, __FILE__, __LINE__, message.str());
}

void throw_join_timeout(const GroupInfo& group, std::chrono::milliseconds timeout,
                        const std::vector<int>& missing_world_ranks, const std::string& store) {
  const bool one = missing_world_ranks.size() == 1;
  std::ostringstream message;
  message << "rendezvous of " << group.describe() << " timed out after " << format_duration(timeout) << ": "
          << (one ? "rank " : "ranks ") << format_ranks(missing_world_ranks) << " never joined (store: " << store
          << "); " << (one ? "is its process alive?" : "are their processes alive?")
          << " (raise comm_timeout_seconds if it starts slowly)";
  detail::throw_error(ErrorCode::Comm, __FILE__, __LINE__, message.str());
}

}  // namespace neox::comm
