#include "comm/communicator.h"

#include <algorithm>
#include <sstream>

#include "comm/comm_errors.h"
#include "core/errors.h"

namespace neox::comm {

size_t dtype_size(DType dtype) {
  switch (dtype) {
    case DType::Float32: return 4;
    case DType::BFloat16: return 2;
  }
  return 0;
}

const char* dtype_name(DType dtype) {
  switch (dtype) {
    case DType::Float32: return "float32";
    case DType::BFloat16: return "bfloat16";
  }
  return "unknown";
}

std::string GroupInfo::describe() const {
  return "group " + name + " (ranks " + format_ranks(ranks) + ")";
}

GroupInfo GroupInfo::world(const std::string& name, int rank, int size) {
  NEOX_CHECK_ARG(!name.empty() && name.find('/') == std::string::npos,
                 "creating communicator: name \"" << name << "\" must be non-empty and contain no '/'");
  NEOX_CHECK_ARG(size >= 1 && rank >= 0 && rank < size,
                 "creating communicator " << name << ": rank " << rank << " of size " << size
                                          << "; expected 0 <= rank < size");
  GroupInfo group;
  group.name = name;
  for (int r = 0; r < size; ++r) group.ranks.push_back(r);
  group.rank = rank;
  return group;
}

Communicator::Communicator(GroupInfo group, std::chrono::milliseconds timeout, const char* backend)
    : group_(std::move(group)), timeout_(timeout), backend_(backend) {
  set_timeout(timeout);
}

void Communicator::set_timeout(std::chrono::milliseconds timeout) {
  NEOX_CHECK_ARG(timeout.count() > 0, group_.describe() << ": comm timeout is " << timeout.count()
                                                         << " ms; it must be > 0 (comm_timeout_seconds)");
  timeout_ = timeout;
}

// Runs one call: refuses it if the communicator already failed, and records the first Comm
// failure (then lets the backend tear its transport down so peers fail fast).
void Communicator::check_usable(const char* op) const {
  NEOX_CHECK(failure_.empty(), ErrorCode::Comm,
             op << " on " << group_.describe() << " refused: this communicator failed earlier (" << failure_
                << "); create new communicators for the next generation");
}

template <typename Body>
void Communicator::guarded(const char* op, Body&& body) {
  check_usable(op);
  try {
    body();
  } catch (const Error& e) {
    if (e.code() == ErrorCode::Comm && failure_.empty()) {
      failure_ = e.what();
      on_failure();
    }
    throw;
  }
}

void Communicator::check_buffer(const char* op, const char* what, const void* data, size_t count) const {
  NEOX_CHECK_ARG(data != nullptr || count == 0,
                 op << " on " << group_.describe() << ": " << what << " is null but count is " << count);
}

void Communicator::check_peer(const char* op, const char* what, int peer) const {
  NEOX_CHECK_ARG(peer >= 0 && peer < size() && peer != rank(),
                 op << " on " << group_.describe() << ": " << what << " is group rank " << peer
                    << "; expected another member, 0.." << size() - 1 << " except this rank " << rank());
}

void Communicator::all_reduce(void* data, size_t count, DType dtype, ReduceOp op) {
  check_buffer("all_reduce", "data", data, count);
  check_dtype("all_reduce", dtype, true);
  guarded("all_reduce", [&] { do_all_reduce(data, count, dtype, op); });
}

void Communicator::reduce_scatter(const void* input, void* output, size_t count_per_rank, DType dtype) {
  check_buffer("reduce_scatter", "input", input, count_per_rank);
  check_buffer("reduce_scatter", "output", output, count_per_rank);
  check_dtype("reduce_scatter", dtype, true);
  guarded("reduce_scatter", [&] { do_reduce_scatter(input, output, count_per_rank, dtype); });
}

void Communicator::all_gather(const void* input, void* output, size_t count_per_rank, DType dtype) {
  check_buffer("all_gather", "input", input, count_per_rank);
  check_buffer("all_gather", "output", output, count_per_rank);
  check_dtype("all_gather", dtype, false);
  guarded("all_gather", [&] { do_all_gather(input, output, count_per_rank, dtype); });
}

void Communicator::broadcast(void* data, size_t count, DType dtype, int root) {
  check_buffer("broadcast", "data", data, count);
  check_dtype("broadcast", dtype, false);
  NEOX_CHECK_ARG(root >= 0 && root < size(), "broadcast on " << group_.describe() << ": root is group rank " << root
                                                             << "; expected 0.." << size() - 1);
  guarded("broadcast", [&] { do_broadcast(data, count, dtype, root); });
}

void Communicator::barrier() {
  guarded("barrier", [&] { do_barrier(); });
}

void Communicator::send(const void* data, size_t count, DType dtype, int peer, uint32_t tag) {
  check_buffer("send", "data", data, count);
  check_dtype("send", dtype, false);
  check_peer("send", "peer", peer);
  guarded("send", [&] { do_send(data, count, dtype, peer, tag); });
}

void Communicator::recv(void* data, size_t count, DType dtype, int peer, uint32_t tag) {
  check_buffer("recv", "data", data, count);
  check_dtype("recv", dtype, false);
  check_peer("recv", "peer", peer);
  guarded("recv", [&] { do_recv(data, count, dtype, peer, tag); });
}

void Communicator::send_recv(const void* send_data, int send_peer, void* recv_data, int recv_peer, size_t count,
                             DType dtype, uint32_t tag) {
  check_buffer("send_recv", "send data", send_data, count);
  check_buffer("send_recv", "recv data", recv_data, count);
  check_dtype("send_recv", dtype, false);
  check_peer("send_recv", "send peer", send_peer);
  check_peer("send_recv", "recv peer", recv_peer);
  guarded("send_recv", [&] { do_send_recv(send_data, send_peer, recv_data, recv_peer, count, dtype, tag); });
}

std::unique_ptr<Communicator> Communicator::create_group(const std::string& name, const std::vector<int>& world_ranks) {
  const std::string where = "create_group(" + name + ") from " + group_.describe();
  NEOX_CHECK_ARG(!name.empty() && name.find('/') == std::string::npos,
                 where << ": the name must be non-empty and contain no '/'");
  std::vector<int> sorted = world_ranks;
  std::sort(sorted.begin(), sorted.end());
  NEOX_CHECK_ARG(std::adjacent_find(sorted.begin(), sorted.end()) == sorted.end(),
                 where << ": ranks " << format_ranks(world_ranks) << " list a rank twice");
  GroupInfo sub;
  sub.name = name;
  sub.ranks = world_ranks;
  sub.rank = -1;
  for (size_t i = 0; i < world_ranks.size(); ++i) {
    const int r = world_ranks[i];
    NEOX_CHECK_ARG(std::find(group_.ranks.begin(), group_.ranks.end(), r) != group_.ranks.end(),
                   where << ": rank " << r << " is not a member of this group");
    if (r == group_.world_rank()) sub.rank = static_cast<int>(i);
  }
  NEOX_CHECK_ARG(sub.rank >= 0, where << ": ranks " << format_ranks(world_ranks) << " do not include this rank "
                                      << group_.world_rank() << "; only the members create a group");
  // A failed rendezvous of the new group does not break this one: no transfer of ours was cut.
  check_usable("create_group");
  return do_create_group(std::move(sub));
}

}  // namespace neox::comm
