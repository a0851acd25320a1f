// A process group and the collectives the trainer needs, one interface for every backend
// (Gloo on CPU memory, NCCL on GPU memory). Ranks are numbered twice:
//   world rank — the process's rank in the run (Megatron order, see topology.h);
//   group rank — its index inside this group (0 .. size-1), used for roots and peers.
// Error messages always name world ranks, which is what an operator can find in the logs.
//
// Contract for callers:
//   - every member calls the same collectives in the same order with the same counts (the
//     buffers' memory kind is the backend's: host memory for Gloo, device memory for NCCL);
//   - one thread drives a communicator at a time (the actor's compute thread);
//   - any Comm failure (timeout, dead peer) leaves the communicator unusable: later calls throw
//     at once, and recovery means a new communicator for the next generation.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

namespace neox::comm {

// Element types on the wire. Only Float32 is implemented today; BFloat16 is declared so the
// interface, the slot layout and the error paths already carry a dtype (reductions of bf16 will
// accumulate in fp32).
enum class DType { Float32, BFloat16 };

size_t dtype_size(DType dtype);
const char* dtype_name(DType dtype);

enum class ReduceOp { Sum, Average };

// Who is in a group and which of them this process is.
struct GroupInfo {
  std::string name;        // "world", "dp", "tp", "pp" or any label; used in messages and store keys
  std::vector<int> ranks;  // world ranks of the members, in group-rank order
  int rank = 0;            // this process's group rank (index into `ranks`)

  int size() const { return static_cast<int>(ranks.size()); }
  int world_rank() const { return ranks[static_cast<size_t>(rank)]; }
  int world_rank_of(int group_rank) const { return ranks[static_cast<size_t>(group_rank)]; }
  // "group dp (ranks 0,2)"
  std::string describe() const;
  // The group of all `size` ranks; throws InvalidArgument for a bad rank, size or name.
  static GroupInfo world(const std::string& name, int rank, int size);
};

class Communicator {
 public:
  virtual ~Communicator() = default;
  Communicator(const Communicator&) = delete;
  Communicator& operator=(const Communicator&) = delete;

  const GroupInfo& group() const { return group_; }
  const std::string& name() const { return group_.name; }
  int rank() const { return group_.rank; }
  int size() const { return group_.size(); }
  const char* backend() const { return backend_; }

  // Deadline of each collective, from its start to its end. A timeout throws Error(Comm) naming
  // the group, the operation and the peer that did not answer.
  std::chrono::milliseconds timeout() const { return timeout_; }
  void set_timeout(std::chrono::milliseconds timeout);

  // The first Comm failure's message, or "" while the communicator is healthy.
  const std::string& failure() const { return failure_; }

  // ---- collectives ---------------------------------------------------------------------------
  // data (count) ← Σ over ranks of data, or that sum / size for Average. Every rank ends with
  // bitwise identical values.
  void all_reduce(void* data, size_t count, DType dtype, ReduceOp op);
  // input (size·count_per_rank) → output (count_per_rank) = Σ over ranks of input's block `rank`.
  // In place (no copy) when output == input + rank·count_per_rank, as in NCCL.
  void reduce_scatter(const void* input, void* output, size_t count_per_rank, DType dtype);
  // input (count_per_rank) → output (size·count_per_rank), block r from rank r. In place when
  // input == output + rank·count_per_rank.
  void all_gather(const void* input, void* output, size_t count_per_rank, DType dtype);
  // data (count) on every rank ← data on group rank `root`.
  void broadcast(void* data, size_t count, DType dtype, int root);
  // Returns once every member has entered the barrier.
  void barrier();

  // ---- point to point (group ranks; messages between two ranks with one tag arrive in order) --
  // send returns once the peer has taken the data (it posted the matching recv).
  void send(const void* data, size_t count, DType dtype, int peer, uint32_t tag);
  void recv(void* data, size_t count, DType dtype, int peer, uint32_t tag);
  // Sends to send_peer and receives from recv_peer at the same time (a pipeline stage's exchange
  // with its neighbours), so two ranks sending to each other cannot deadlock.
  void send_recv(const void* send_data, int send_peer, void* recv_data, int recv_peer, size_t count, DType dtype,
                 uint32_t tag);

  // ---- float helpers ---------------------------------------------------------------------------
  void all_reduce_sum(float* data, size_t count) { all_reduce(data, count, DType::Float32, ReduceOp::Sum); }
  void all_reduce_average(float* data, size_t count) { all_reduce(data, count, DType::Float32, ReduceOp::Average); }

  // ---- sub-groups ------------------------------------------------------------------------------
  // A new communicator over `world_ranks` (a subset of this group's members, listing this rank),
  // in the given order. Only the members call it, all with the same name and ranks, and all in the
  // same order relative to their other create_group calls.
  std::unique_ptr<Communicator> create_group(const std::string& name, const std::vector<int>& world_ranks);

 protected:
  Communicator(GroupInfo group, std::chrono::milliseconds timeout, const char* backend);

  // Backends implement these; arguments were checked and failures are tracked by the caller.
  virtual void do_all_reduce(void* data, size_t count, DType dtype, ReduceOp op) = 0;
  virtual void do_reduce_scatter(const void* input, void* output, size_t count_per_rank, DType dtype) = 0;
  virtual void do_all_gather(const void* input, void* output, size_t count_per_rank, DType dtype) = 0;
  virtual void do_broadcast(void* data, size_t count, DType dtype, int root) = 0;
  virtual void do_barrier() = 0;
  virtual void do_send(const void* data, size_t count, DType dtype, int peer, uint32_t tag) = 0;
  virtual void do_recv(void* data, size_t count, DType dtype, int peer, uint32_t tag) = 0;
  virtual void do_send_recv(const void* send_data, int send_peer, void* recv_data, int recv_peer, size_t count,
                            DType dtype, uint32_t tag) = 0;
  virtual std::unique_ptr<Communicator> do_create_group(GroupInfo group) = 0;
  // Called once, after the first Comm failure: tear the transport down so that peers blocked on
  // this rank fail fast too instead of waiting for their own timeout.
  virtual void on_failure() = 0;
  // Throws InvalidArgument for element types the backend cannot handle in `op` yet.
  virtual void check_dtype(const char* op, DType dtype, bool reduces) const = 0;

 private:
  void check_usable(const char* op) const;
  template <typename Body>
  void guarded(const char* op, Body&& body);
  void check_buffer(const char* op, const char* what, const void* data, size_t count) const;
  void check_peer(const char* op, const char* what, int peer) const;

  GroupInfo group_;
  std::chrono::milliseconds timeout_;
  const char* backend_;
  std::string failure_;
};

}  // namespace neox::comm
