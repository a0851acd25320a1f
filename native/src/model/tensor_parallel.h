// Megatron's tensor-parallel communication inside the model: the partial results of row-parallel
// layers (attention dense, MLP linear2, the vocabulary-parallel embedding) and the input
// gradients of column-parallel layers (QKV, MLP linear1, the output layer) are summed over the
// tensor-parallel group. Every rank ends with bitwise identical sums (comm/communicator.h), so
// the replicated activations and parameters stay identical across the group.
#pragma once

#include <cstdint>
#include <type_traits>

#include "comm/communicator.h"
#include "core/errors.h"
#include "model/op_profile.h"

namespace neox::model {

// data (count) ← Σ over the group; nothing without a group (one rank). fp32 only.
template <typename T>
void tensor_parallel_sum(comm::Communicator* group, T* data, int64_t count) {
  if (group == nullptr) return;
  if constexpr (std::is_same_v<T, float>) {
    timed("tensor-parallel all-reduce", [&] { group->all_reduce_sum(data, size_t(count)); });
  } else {
    NEOX_CHECK_ARG(false, "tensor parallelism runs in fp32 only");
  }
}

}  // namespace neox::model
