// The NCCL backend on one GPU (compiled only when CMake found CUDA and NCCL; needs a CUDA
// device to pass). A world of one rank still runs the whole path: store rendezvous, unique id,
// non-blocking init, enqueue, settle and the stream wait; bf16 reduces natively.
#include <cuda_runtime.h>

#include "comm/hash_store.h"
#include "comm/nccl_communicator.h"
#include "test_harness.h"

using namespace neox;

NEOX_TEST(comm_nccl_world_of_one_runs_every_call) {
  int devices = 0;
  NEOX_EXPECT(cudaGetDeviceCount(&devices) == cudaSuccess && devices > 0) << "this test needs a CUDA device";
  if (devices == 0) return;
  auto store = std::make_shared<comm::HashStore>();
  comm::NcclOptions options;
  options.timeout = std::chrono::seconds(60);
  auto c = comm::NcclCommunicator::create(store, options);
  std::vector<float> host = {1.f, -2.f, 3.5f, 4.f};
  float* device = nullptr;
  NEOX_EXPECT(cudaMalloc(reinterpret_cast<void**>(&device), 2 * host.size() * sizeof(float)) == cudaSuccess);
  cudaMemcpy(device, host.data(), host.size() * sizeof(float), cudaMemcpyHostToDevice);
  c->all_reduce(device, host.size(), comm::DType::Float32, comm::ReduceOp::Average);
  c->all_gather(device, device + host.size(), host.size(), comm::DType::Float32);
  c->broadcast(device, host.size(), comm::DType::Float32, 0);
  c->barrier();
  std::vector<float> back(2 * host.size());
  cudaMemcpy(back.data(), device, back.size() * sizeof(float), cudaMemcpyDeviceToHost);
  for (size_t i = 0; i < host.size(); ++i) {
    NEOX_EXPECT(back[i] == host[i]);
    NEOX_EXPECT(back[host.size() + i] == host[i]);
  }
  // bf16 1.0 = 0x3F80: NCCL sums bf16 without a conversion on our side.
  const uint16_t one = 0x3F80;
  cudaMemcpy(device, &one, sizeof one, cudaMemcpyHostToDevice);
  c->all_reduce(device, 1, comm::DType::BFloat16, comm::ReduceOp::Sum);
  uint16_t out = 0;
  cudaMemcpy(&out, device, sizeof out, cudaMemcpyDeviceToHost);
  NEOX_EXPECT(out == one) << std::hex << out;
  cudaFree(device);
}
