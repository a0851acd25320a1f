#include "comm/gloo_communicator.h"

#include <gloo/rendezvous/context.h>
#include <gloo/transport/tcp/device.h>
#include <gloo/transport/unbound_buffer.h>

#include <csignal>
#include <cstring>

#include "comm/comm_errors.h"
#include "comm/gloo_call.h"
#include "comm/gloo_direct.h"
#include "comm/gloo_store_adapter.h"
#include "comm/group_scopes.h"
#include "comm/reduce_kernels.h"
#include "comm/rendezvous.h"
#include "core/errors.h"

namespace neox::comm {

struct GlooCommunicator::Family {
  std::shared_ptr<Store> store;
  std::shared_ptr<gloo::transport::Device> device;  // one listening socket and event loop for all groups
  std::unique_ptr<GroupScopes> scopes;
};

namespace {

// Gloo writes with writev(2), which raises SIGPIPE when the peer has gone; with the default
// disposition that kills the process instead of failing the call. Node ignores SIGPIPE already;
// a plain C++ program may not, so ignore it unless someone installed a handler.
void ignore_sigpipe_unless_handled() {
  struct sigaction current;
  if (::sigaction(SIGPIPE, nullptr, &current) == 0 && current.sa_handler == SIG_DFL) {
    std::signal(SIGPIPE, SIG_IGN);
  }
}

}  // namespace

std::unique_ptr<GlooCommunicator> GlooCommunicator::create(std::shared_ptr<Store> store, const GlooOptions& options) {
  NEOX_CHECK_ARG(store != nullptr, "creating communicator " << options.name << ": the store is null");
  GroupInfo group = GroupInfo::world(options.name, options.rank, options.size);
  NEOX_CHECK_ARG(!options.host.empty(), "creating communicator " << options.name
                                                                 << ": host is empty; pass the address peers reach "
                                                                 << "this rank at (127.0.0.1 on one machine)");
  NEOX_CHECK_ARG(options.ring.segment_bytes >= 1024 && options.ring.window >= 1,
                 "creating communicator " << options.name << ": ring segment " << options.ring.segment_bytes
                                          << " B and window " << options.ring.window
                                          << " must be >= 1024 B and >= 1");
  ignore_sigpipe_unless_handled();

  auto family = std::make_shared<Family>();
  family->store = std::move(store);
  family->scopes = std::make_unique<GroupScopes>(options.name);
  try {
    gloo::transport::tcp::attr attr;
    attr.hostname = options.host;
    family->device = gloo::transport::tcp::CreateDevice(attr);
  } catch (const std::exception& e) {
    NEOX_CHECK_ARG(false, "creating communicator " << options.name << ": cannot listen on host " << options.host
                                                   << " (" << e.what() << "); pass an address of this machine");
  }
  const std::string scope = family->scopes->world_scope();
  std::unique_ptr<GlooCommunicator> communicator(
      new GlooCommunicator(std::move(group), options, std::move(family), scope));
  communicator->connect();
  return communicator;
}

GlooCommunicator::GlooCommunicator(GroupInfo group, const GlooOptions& options, std::shared_ptr<Family> family,
                                   std::string scope)
    : Communicator(std::move(group), options.timeout, "gloo"),
      family_(std::move(family)),
      scope_(std::move(scope)),
      ring_(options.ring),
      direct_all_reduce_max_bytes_(options.direct_all_reduce_max_bytes) {}

GlooCommunicator::~GlooCommunicator() = default;

void GlooCommunicator::connect() {
  if (size() == 1) return;  // no peers, nothing to connect
  join_group(*family_->store, scope_, group(), timeout());
  context_ = std::make_shared<gloo::rendezvous::Context>(rank(), size());
  context_->setTimeout(timeout());
  GlooStoreAdapter adapter(*family_->store, scope_ + "/gloo", group(), timeout());
  try {
    context_->connectFullMesh(adapter, family_->device);
  } catch (const Error&) {
    throw;
  } catch (const std::exception& e) {
    NEOX_CHECK(false, ErrorCode::Comm,
               "connecting " << group().describe() << " failed after every rank joined: " << e.what()
                             << "; is a firewall blocking the ranks' TCP ports, or did a rank exit during start-up?");
  }
  // Return only once every member is connected, so that a member that finishes first (and may
  // close the group right away) cannot cut a connection another member is still setting up.
  GlooCall call = collective("connect");
  gloo_direct::barrier(call);
}

GlooCall GlooCommunicator::collective(const char* op) {
  return GlooCall(*context_, group(), op, timeout(), make_slot(SlotKind::Collective, next_sequence_++));
}

GlooCall GlooCommunicator::point_to_point(const char* op, uint32_t tag) {
  return GlooCall(*context_, group(), op, timeout(), make_slot(SlotKind::PointToPoint, tag));
}

void GlooCommunicator::check_dtype(const char* op, DType dtype, bool reduces) const {
  NEOX_CHECK_ARG(dtype == DType::Float32 || !reduces,
                 op << " on " << group().describe() << ": the gloo backend reduces float32 only; "
                    << dtype_name(dtype) << " reductions are not implemented yet");
}

void GlooCommunicator::do_all_reduce(void* data, size_t count, DType dtype, ReduceOp op) {
  const size_t elem = dtype_size(dtype);
  if (size() > 1 && count > 0) {
    GlooCall call = collective("all_reduce");
    char* bytes = static_cast<char*>(data);
    if (count * elem <= direct_all_reduce_max_bytes_ || count < static_cast<size_t>(size())) {
      gloo_direct::all_reduce(call, bytes, count, elem, sum_into_for(dtype), scratch_);
    } else {
      gloo_ring::all_reduce(call, bytes, count, elem, sum_into_for(dtype), ring_, scratch_);
    }
  }
  if (op == ReduceOp::Average && size() > 1) scale_in_place(data, count, dtype, 1.0 / size());
}

void GlooCommunicator::do_reduce_scatter(const void* input, void* output, size_t count_per_rank, DType dtype) {
  const size_t block_bytes = count_per_rank * dtype_size(dtype);
  const char* in = static_cast<const char*>(input);
  char* out = static_cast<char*>(output);
  char* own_block_in_input = const_cast<char*>(in) + static_cast<size_t>(rank()) * block_bytes;
  if (size() == 1 || count_per_rank == 0) {
    if (out != in && block_bytes > 0) std::memcpy(out, in, block_bytes);
    return;
  }
  // In place (NCCL's convention: output is this rank's block of the input) the ring consumes
  // the caller's buffer; otherwise a copy of the input, so the input stays untouched.
  char* work = const_cast<char*>(in);
  if (out != own_block_in_input) {
    const size_t total = block_bytes * static_cast<size_t>(size());
    if (work_.size() < total) work_.resize(total);
    std::memcpy(work_.data(), in, total);
    work = work_.data();
  }
  GlooCall call = collective("reduce_scatter");
  gloo_ring::reduce_scatter(call, work, count_per_rank, dtype_size(dtype), sum_into_for(dtype), ring_, scratch_);
  if (out != own_block_in_input) std::memcpy(out, work + static_cast<size_t>(rank()) * block_bytes, block_bytes);
}

void GlooCommunicator::do_all_gather(const void* input, void* output, size_t count_per_rank, DType dtype) {
  const size_t block_bytes = count_per_rank * dtype_size(dtype);
  char* out = static_cast<char*>(output);
  char* own_block = out + static_cast<size_t>(rank()) * block_bytes;
  if (own_block != input && block_bytes > 0) std::memmove(own_block, input, block_bytes);
  if (size() == 1 || count_per_rank == 0) return;
  GlooCall call = collective("all_gather");
  gloo_ring::all_gather(call, out, count_per_rank, dtype_size(dtype), ring_);
}

void GlooCommunicator::do_broadcast(void* data, size_t count, DType dtype, int root) {
  if (size() == 1 || count == 0) return;
  GlooCall call = collective("broadcast");
  gloo_direct::broadcast(call, static_cast<char*>(data), count * dtype_size(dtype), root);
}

void GlooCommunicator::do_barrier() {
  if (size() == 1) return;
  GlooCall call = collective("barrier");
  gloo_direct::barrier(call);
}

void GlooCommunicator::do_send(const void* data, size_t count, DType dtype, int peer, uint32_t tag) {
  const size_t bytes = count * dtype_size(dtype);
  GlooCall call = point_to_point("send", tag);
  GlooCall::Buffer buffer = call.buffer(const_cast<void*>(data), bytes);
  call.send(buffer, peer, 0, bytes);
  call.wait_send(buffer, peer);
}

void GlooCommunicator::do_recv(void* data, size_t count, DType dtype, int peer, uint32_t tag) {
  const size_t bytes = count * dtype_size(dtype);
  GlooCall call = point_to_point("recv", tag);
  GlooCall::Buffer buffer = call.buffer(data, bytes);
  call.recv(buffer, peer, 0, bytes);
  call.wait_recv(buffer, peer);
}

void GlooCommunicator::do_send_recv(const void* send_data, int send_peer, void* recv_data, int recv_peer,
                                    size_t count, DType dtype, uint32_t tag) {
  const size_t bytes = count * dtype_size(dtype);
  GlooCall call = point_to_point("send_recv", tag);
  GlooCall::Buffer incoming = call.buffer(recv_data, bytes);
  GlooCall::Buffer outgoing = call.buffer(const_cast<void*>(send_data), bytes);
  call.recv(incoming, recv_peer, 0, bytes);
  call.send(outgoing, send_peer, 0, bytes);
  call.wait_recv(incoming, recv_peer);
  call.wait_send(outgoing, send_peer);
}

std::unique_ptr<Communicator> GlooCommunicator::do_create_group(GroupInfo sub) {
  const std::string scope = family_->scopes->next_group_scope(sub);
  GlooOptions options;
  options.timeout = timeout();
  options.ring = ring_;
  options.direct_all_reduce_max_bytes = direct_all_reduce_max_bytes_;
  std::unique_ptr<GlooCommunicator> communicator(new GlooCommunicator(std::move(sub), options, family_, scope));
  communicator->connect();
  return communicator;
}

void GlooCommunicator::on_failure() {
  if (!context_) return;
  try {
    context_->closeConnections();
  } catch (const std::exception&) {
    // Closing is best effort: the call has already failed with the error that matters.
  }
}

}  // namespace neox::comm
