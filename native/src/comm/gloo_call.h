// One call on a Gloo context (a collective or a point-to-point transfer): it creates unbound
// buffers, posts sends and receives, and waits for them until the call's deadline. Every Gloo
// failure becomes Error(Comm) naming the operation, the group and the peer (world rank):
//   the deadline passed          → "… timed out after 30 s waiting for rank 2; …"
//   the connection broke earlier → "… failed: lost the connection to rank 2 (…); …"
#pragma once

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "comm/communicator.h"

namespace gloo {
class Context;
namespace transport {
class UnboundBuffer;
}
}  // namespace gloo

namespace neox::comm {

// Gloo matches sends to receives by (peer, slot), first in first out. Collectives take a slot
// from a per-communicator sequence (every member counts the same calls); point-to-point
// transfers use their tag, so they never meet a collective's traffic.
enum class SlotKind : uint64_t { Collective = 1, PointToPoint = 2 };
uint64_t make_slot(SlotKind kind, uint64_t value);

class GlooCall {
 public:
  using Buffer = std::unique_ptr<gloo::transport::UnboundBuffer>;

  GlooCall(gloo::Context& context, const GroupInfo& group, const char* op, std::chrono::milliseconds timeout,
           uint64_t slot);

  const GroupInfo& group() const { return group_; }
  Buffer buffer(void* ptr, size_t bytes);
  // Peers are group ranks; offsets and sizes are bytes within the buffer.
  void send(Buffer& buffer, int peer, size_t offset, size_t bytes);
  void recv(Buffer& buffer, int peer, size_t offset, size_t bytes);
  void wait_send(Buffer& buffer, int peer);
  void wait_recv(Buffer& buffer, int peer);

 private:
  std::chrono::milliseconds remaining() const;
  [[noreturn]] void fail(int peer, const std::exception& error) const;

  gloo::Context& context_;
  const GroupInfo& group_;
  const char* op_;
  std::chrono::milliseconds timeout_;
  std::chrono::steady_clock::time_point deadline_;
  uint64_t slot_;
};

}  // namespace neox::comm
