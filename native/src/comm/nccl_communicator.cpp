#include "comm/nccl_communicator.h"

#include <cuda_runtime.h>
#include <nccl.h>

#include <cstring>
#include <thread>

#include "comm/comm_errors.h"
#include "comm/rendezvous.h"
#include "core/errors.h"

namespace neox::comm {
namespace {

ncclDataType_t nccl_type(DType dtype) {
  switch (dtype) {
    case DType::Float32: return ncclFloat32;
    case DType::BFloat16: return ncclBfloat16;
  }
  return ncclFloat32;
}

void check_cuda(cudaError_t status, const GroupInfo& group, const char* what) {
  NEOX_CHECK(status == cudaSuccess, ErrorCode::Comm,
             group.describe() << ": " << what << " failed: " << cudaGetErrorString(status)
                              << "; is the GPU healthy and the device index right?");
}

// The first answer of a non-blocking NCCL call: success, in progress (to be settled), or an
// error, which ends the call.
void check_nccl(ncclResult_t status, ncclComm* comm, const char* op, const GroupInfo& group) {
  if (status == ncclSuccess || status == ncclInProgress) return;
  const char* last = comm ? ncclGetLastError(comm) : nullptr;
  throw_group_failure(op, group,
                      std::string("NCCL ") + ncclGetErrorString(status) + (last && *last ? std::string(" (") + last + ")" : ""));
}

}  // namespace

std::unique_ptr<NcclCommunicator> NcclCommunicator::create(std::shared_ptr<Store> store, const NcclOptions& options) {
  NEOX_CHECK_ARG(store != nullptr, "creating NCCL communicator " << options.name << ": the store is null");
  GroupInfo group = GroupInfo::world(options.name, options.rank, options.size);
  auto scopes = std::make_shared<GroupScopes>(options.name);
  const std::string scope = scopes->world_scope();
  std::unique_ptr<NcclCommunicator> communicator(new NcclCommunicator(
      std::move(group), options.timeout, std::move(store), std::move(scopes), scope, options.device));
  communicator->initialise();
  return communicator;
}

NcclCommunicator::NcclCommunicator(GroupInfo group, std::chrono::milliseconds timeout, std::shared_ptr<Store> store,
                                   std::shared_ptr<GroupScopes> scopes, std::string scope, int device)
    : Communicator(std::move(group), timeout, "nccl"),
      store_(std::move(store)),
      scopes_(std::move(scopes)),
      scope_(std::move(scope)),
      device_(device) {}

NcclCommunicator::~NcclCommunicator() {
  cudaSetDevice(device_);
  if (comm_) {
    // A healthy communicator finishes its work; ncclCommAbort would also do, but skips the flush.
    const ncclResult_t finalizing = ncclCommFinalize(comm_);
    if (finalizing == ncclSuccess || finalizing == ncclInProgress) {
      ncclResult_t state = ncclInProgress;
      const auto deadline = std::chrono::steady_clock::now() + timeout();
      while (ncclCommGetAsyncError(comm_, &state) == ncclSuccess && state == ncclInProgress &&
             std::chrono::steady_clock::now() < deadline) {
        std::this_thread::yield();
      }
    }
    ncclCommDestroy(comm_);
  }
  if (barrier_word_) cudaFree(barrier_word_);
  if (stream_) cudaStreamDestroy(stream_);
}

void NcclCommunicator::initialise() {
  const auto deadline = std::chrono::steady_clock::now() + timeout();
  check_cuda(cudaSetDevice(device_), group(), "cudaSetDevice");
  check_cuda(cudaStreamCreateWithFlags(&stream_, cudaStreamNonBlocking), group(), "cudaStreamCreate");
  check_cuda(cudaMalloc(reinterpret_cast<void**>(&barrier_word_), sizeof(float)), group(), "cudaMalloc");
  join_group(*store_, scope_, group(), timeout());

  // Rank 0 makes the NCCL unique id and publishes it; the others read it.
  ncclUniqueId id;
  const std::string id_key = scope_ + "/nccl-unique-id";
  if (rank() == 0) {
    check_nccl(ncclGetUniqueId(&id), nullptr, "init", group());
    store_->set(id_key, std::vector<uint8_t>(reinterpret_cast<uint8_t*>(&id), reinterpret_cast<uint8_t*>(&id) + sizeof id));
  } else {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
    NEOX_CHECK(store_->wait({id_key}, std::max(left, std::chrono::milliseconds(1))).empty(), ErrorCode::Comm,
               "rendezvous of " << group().describe() << ": rank " << group().world_rank_of(0)
                                << " joined but never published the NCCL unique id; did it fail to initialise "
                                << "CUDA? Check its log");
    const std::vector<uint8_t> bytes = store_->get(id_key);
    NEOX_CHECK(bytes.size() == sizeof id, ErrorCode::Comm,
               group().describe() << ": the NCCL unique id in the store has " << bytes.size() << " bytes, not "
                                  << sizeof id << "; do all ranks run the same NCCL version?");
    std::memcpy(&id, bytes.data(), sizeof id);
  }

  ncclConfig_t config = NCCL_CONFIG_INITIALIZER;
  config.blocking = 0;
  config.commName = group().name.c_str();
  check_nccl(ncclCommInitRankConfig(&comm_, size(), id, rank(), &config), comm_, "init", group());
  settle("init", deadline);
}

void NcclCommunicator::settle(const char* op, std::chrono::steady_clock::time_point deadline) {
  for (;;) {
    ncclResult_t state = ncclSuccess;
    const ncclResult_t status = ncclCommGetAsyncError(comm_, &state);
    check_nccl(status, comm_, op, group());
    if (state != ncclInProgress) {
      check_nccl(state, comm_, op, group());
      return;
    }
    if (std::chrono::steady_clock::now() >= deadline) throw_group_timeout(op, group(), timeout(), "NCCL");
    std::this_thread::yield();
  }
}

template <typename Enqueue>
void NcclCommunicator::run(const char* op, Enqueue&& enqueue) {
  const auto deadline = std::chrono::steady_clock::now() + timeout();
  check_cuda(cudaSetDevice(device_), group(), "cudaSetDevice");
  enqueue();
  settle(op, deadline);
  // The work is on the stream; wait for it, watching for asynchronous NCCL errors (a peer that
  // died) and for the deadline.
  for (;;) {
    const cudaError_t status = cudaStreamQuery(stream_);
    if (status == cudaSuccess) return;
    if (status != cudaErrorNotReady) check_cuda(status, group(), op);
    ncclResult_t state = ncclSuccess;
    check_nccl(ncclCommGetAsyncError(comm_, &state), comm_, op, group());
    check_nccl(state, comm_, op, group());
    if (std::chrono::steady_clock::now() >= deadline) throw_group_timeout(op, group(), timeout(), "NCCL");
    std::this_thread::yield();
  }
}

void NcclCommunicator::check_dtype(const char*, DType, bool) const {
  // NCCL moves and reduces float32 and bfloat16 alike.
}

void NcclCommunicator::do_all_reduce(void* data, size_t count, DType dtype, ReduceOp op) {
  const ncclRedOp_t reduce = op == ReduceOp::Sum ? ncclSum : ncclAvg;
  run("all_reduce", [&] {
    check_nccl(ncclAllReduce(data, data, count, nccl_type(dtype), reduce, comm_, stream_), comm_, "all_reduce", group());
  });
}

void NcclCommunicator::do_reduce_scatter(const void* input, void* output, size_t count_per_rank, DType dtype) {
  run("reduce_scatter", [&] {
    check_nccl(ncclReduceScatter(input, output, count_per_rank, nccl_type(dtype), ncclSum, comm_, stream_), comm_,
               "reduce_scatter", group());
  });
}

void NcclCommunicator::do_all_gather(const void* input, void* output, size_t count_per_rank, DType dtype) {
  run("all_gather", [&] {
    check_nccl(ncclAllGather(input, output, count_per_rank, nccl_type(dtype), comm_, stream_), comm_, "all_gather",
               group());
  });
}

void NcclCommunicator::do_broadcast(void* data, size_t count, DType dtype, int root) {
  run("broadcast", [&] {
    check_nccl(ncclBroadcast(data, data, count, nccl_type(dtype), root, comm_, stream_), comm_, "broadcast", group());
  });
}

void NcclCommunicator::do_barrier() {
  run("barrier", [&] {
    check_nccl(ncclAllReduce(barrier_word_, barrier_word_, 1, ncclFloat32, ncclSum, comm_, stream_), comm_, "barrier",
               group());
  });
}

void NcclCommunicator::do_send(const void* data, size_t count, DType dtype, int peer, uint32_t) {
  run("send", [&] { check_nccl(ncclSend(data, count, nccl_type(dtype), peer, comm_, stream_), comm_, "send", group()); });
}

void NcclCommunicator::do_recv(void* data, size_t count, DType dtype, int peer, uint32_t) {
  run("recv", [&] { check_nccl(ncclRecv(data, count, nccl_type(dtype), peer, comm_, stream_), comm_, "recv", group()); });
}

void NcclCommunicator::do_send_recv(const void* send_data, int send_peer, void* recv_data, int recv_peer, size_t count,
                                    DType dtype, uint32_t) {
  run("send_recv", [&] {
    check_nccl(ncclGroupStart(), comm_, "send_recv", group());
    check_nccl(ncclSend(send_data, count, nccl_type(dtype), send_peer, comm_, stream_), comm_, "send_recv", group());
    check_nccl(ncclRecv(recv_data, count, nccl_type(dtype), recv_peer, comm_, stream_), comm_, "send_recv", group());
    check_nccl(ncclGroupEnd(), comm_, "send_recv", group());
  });
}

std::unique_ptr<Communicator> NcclCommunicator::do_create_group(GroupInfo sub) {
  const std::string scope = scopes_->next_group_scope(sub);
  std::unique_ptr<NcclCommunicator> communicator(
      new NcclCommunicator(std::move(sub), timeout(), store_, scopes_, scope, device_));
  communicator->initialise();
  return communicator;
}

void NcclCommunicator::on_failure() {
  if (comm_) {
    ncclCommAbort(comm_);  // unblocks kernels waiting for a dead peer and frees the communicator
    comm_ = nullptr;
  }
}

}  // namespace neox::comm
