// The GPU backend: NCCL collectives on device memory, on one CUDA stream per communicator.
// Compiled only when CMake finds CUDA and NCCL (-DNEOX_CUDA=ON, NCCL_ROOT); NEOX_WITH_NCCL is
// then defined.
//
// Calls are synchronous, like the Gloo backend's: each enqueues its NCCL call on stream() and
// returns when the stream has finished it, polling so that the timeout holds. The communicator
// runs in NCCL's non-blocking mode, so a timeout or a failed peer aborts it (ncclCommAbort)
// instead of hanging the thread. NCCL does not report which peer it waits for: timeouts name
// the group and its ranks.
//
// Differences from Gloo: buffers are device memory on device(); bf16 is reduced natively;
// point-to-point messages between two ranks are matched in order per peer only — the tag is
// not matched, so both sides must post them in the same order.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "comm/communicator.h"
#include "comm/group_scopes.h"
#include "comm/store.h"

struct ncclComm;
struct CUstream_st;

namespace neox::comm {

struct NcclOptions {
  int rank = 0;
  int size = 1;
  std::string name = "world";
  std::chrono::milliseconds timeout{30000};
  int device = 0;  // CUDA device ordinal this rank uses
};

class NcclCommunicator : public Communicator {
 public:
  // Joins the group through `store` (keys under "neox/comm/<name>/"), shares rank 0's NCCL
  // unique id through it, and initialises the NCCL communicator within the timeout.
  static std::unique_ptr<NcclCommunicator> create(std::shared_ptr<Store> store, const NcclOptions& options);
  ~NcclCommunicator() override;

  int device() const { return device_; }
  CUstream_st* stream() const { return stream_; }

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
  NcclCommunicator(GroupInfo group, std::chrono::milliseconds timeout, std::shared_ptr<Store> store,
                   std::shared_ptr<GroupScopes> scopes, std::string scope, int device);
  void initialise();
  // Runs `enqueue` (NCCL calls on stream_) and waits until the stream has completed them.
  template <typename Enqueue>
  void run(const char* op, Enqueue&& enqueue);
  // Polls until NCCL has no call in progress on this communicator, or throws at the deadline.
  void settle(const char* op, std::chrono::steady_clock::time_point deadline);

  std::shared_ptr<Store> store_;
  std::shared_ptr<GroupScopes> scopes_;
  std::string scope_;
  int device_;
  ncclComm* comm_ = nullptr;
  CUstream_st* stream_ = nullptr;
  float* barrier_word_ = nullptr;  // one device float that barrier() all-reduces
};

}  // namespace neox::comm
