#include "comm/gloo_call.h"

#include <gloo/context.h>
#include <gloo/transport/unbound_buffer.h>

#include <algorithm>

#include "comm/comm_errors.h"
#include "core/errors.h"

namespace neox::comm {
namespace {

// Gloo's messages start with "[/path/file.cc:123] " and end with advice meant for PyTorch users;
// keep the sentence that says what happened.
std::string transport_detail(const std::string& what) {
  std::string text = what;
  if (!text.empty() && text[0] == '[') {
    const size_t close = text.find("] ");
    if (close != std::string::npos) text = text.substr(close + 2);
  }
  const size_t advice = text.find(". This is typically");
  if (advice != std::string::npos) text = text.substr(0, advice);
  return text;
}

}  // namespace

uint64_t make_slot(SlotKind kind, uint64_t value) {
  constexpr uint64_t kValueBits = 56;
  return (static_cast<uint64_t>(kind) << kValueBits) | (value & ((uint64_t{1} << kValueBits) - 1));
}

GlooCall::GlooCall(gloo::Context& context, const GroupInfo& group, const char* op, std::chrono::milliseconds timeout,
                   uint64_t slot)
    : context_(context),
      group_(group),
      op_(op),
      timeout_(timeout),
      deadline_(std::chrono::steady_clock::now() + timeout),
      slot_(slot) {}

GlooCall::Buffer GlooCall::buffer(void* ptr, size_t bytes) {
  return context_.createUnboundBuffer(ptr, bytes);
}

std::chrono::milliseconds GlooCall::remaining() const {
  // Rounded up, so that a wait that expires has really reached the deadline (see fail()).
  const auto left = std::chrono::ceil<std::chrono::milliseconds>(deadline_ - std::chrono::steady_clock::now());
  return std::max(left, std::chrono::milliseconds(1));
}

void GlooCall::fail(int peer, const std::exception& error) const {
  const int world_peer = group_.world_rank_of(peer);
  if (std::chrono::steady_clock::now() >= deadline_) throw_peer_timeout(op_, group_, timeout_, world_peer);
  throw_peer_lost(op_, group_, world_peer, transport_detail(error.what()));
}

void GlooCall::send(Buffer& buffer, int peer, size_t offset, size_t bytes) {
  try {
    buffer->send(peer, slot_, offset, bytes);
  } catch (const std::exception& e) {
    fail(peer, e);
  }
}

void GlooCall::recv(Buffer& buffer, int peer, size_t offset, size_t bytes) {
  try {
    buffer->recv(peer, slot_, offset, bytes);
  } catch (const std::exception& e) {
    fail(peer, e);
  }
}

void GlooCall::wait_send(Buffer& buffer, int peer) {
  bool done = false;
  try {
    done = buffer->waitSend(remaining());
  } catch (const std::exception& e) {
    fail(peer, e);
  }
  NEOX_ASSERT(done);  // false only after abortWaitSend, which neox never calls
}

void GlooCall::wait_recv(Buffer& buffer, int peer) {
  bool done = false;
  try {
    done = buffer->waitRecv(remaining());
  } catch (const std::exception& e) {
    fail(peer, e);
  }
  NEOX_ASSERT(done);
}

}  // namespace neox::comm
