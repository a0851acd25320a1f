// The CPU backend: collectives over Gloo's TCP transport on host memory. Ranks find each other
// through a Store (see rendezvous.h), then every pair of members holds one TCP connection.
// Large all-reduces, reduce-scatters and all-gathers run the segmented ring of gloo_ring.h;
// small all-reduces, broadcasts and barriers the direct exchanges of gloo_direct.h.
//
// Failures: a peer that does not answer within the timeout, or whose connection breaks (its
// process died: the kernel closes its sockets and this rank notices within milliseconds), ends
// the call with Error(Comm) naming the peer; the communicator then closes all its connections,
// so the other members fail fast too, and refuses further calls. The next generation builds new
// communicators on a fresh store scope.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "comm/communicator.h"
#include "comm/gloo_ring.h"
#include "comm/store.h"

namespace gloo {
namespace rendezvous {
class Context;
}
namespace transport {
class Device;
}
}  // namespace gloo

namespace neox::comm {

struct GlooOptions {
  int rank = 0;
  int size = 1;
  std::string name = "world";
  std::chrono::milliseconds timeout{30000};
  // Address this rank listens on and advertises to its peers: its cluster-facing address when
  // the ranks span hosts.
  std::string host = "127.0.0.1";
  // Tuning: ring segments and how many are in flight, and the size up to which an all-reduce
  // exchanges whole buffers in one round instead of running the ring.
  gloo_ring::RingTuning ring;
  size_t direct_all_reduce_max_bytes = size_t{64} << 10;
};

class GlooCommunicator : public Communicator {
 public:
  // Joins the group through `store` (keys under "neox/comm/<name>/") and connects the full mesh.
  // Blocks until every rank has joined, or throws Error(Comm) naming those that did not.
  static std::unique_ptr<GlooCommunicator> create(std::shared_ptr<Store> store, const GlooOptions& options);
  ~GlooCommunicator() override;

 protected:
  void do_all_reduce(void* data, size_t count, DType dtype, ReduceOp op) override;
  void do_reduce_scatter(const void* input, void* output, size_t count_per_rank, DType dtype) override;
  void do_all_gather(const void* input, void* output, size_t count_per_rank, DType dtype) override;
  void do_broadcast(void* data, size_t count, DType dtype, int root) override;
  void do_barrier() override;
  void do_send(const void* data, size_t count, DType dtype, int peer, uint32_t tag) override;
  void do_recv(void* data, size_t count, DType dtype, int peer, uint32_t tag) override;
  void do_send_recv(const void* send_data, int send_peer, void* recv_data, int recv_peer, size_t count, DType dtype,
                    uint32_t tag) override;
  std::unique_ptr<Communicator> do_create_group(GroupInfo group) override;
  void on_failure() override;
  void check_dtype(const char* op, DType dtype, bool reduces) const override;

 private:
  struct Family;  // what the world communicator and the groups made from it share

  GlooCommunicator(GroupInfo group, const GlooOptions& options, std::shared_ptr<Family> family,
                   std::string scope);
  void connect();
  GlooCall collective(const char* op);
  GlooCall point_to_point(const char* op, uint32_t tag);

  std::shared_ptr<Family> family_;
  std::string scope_;  // store prefix of this group's keys
  gloo_ring::RingTuning ring_;
  size_t direct_all_reduce_max_bytes_;
  std::shared_ptr<gloo::rendezvous::Context> context_;
  uint64_t next_sequence_ = 0;
  std::vector<char> scratch_;  // ring receive slots, direct all-reduce blocks
  std::vector<char> work_;     // reduce-scatter's copy of a const input
};

}  // namespace neox::comm
