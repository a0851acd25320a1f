// The vocabulary-parallel ends of the model under tensor parallelism (Megatron): tensor-parallel
// rank k holds rows [v0, v0 + Vk) of the word embedding and of the output layer.
//   embedding: each rank looks up the ids in its shard (zeros elsewhere) and the group sums the
//     rows (tensor_parallel.h); backward adds each row's gradient into the shard that owns its id.
//   loss: the fused chunked cross-entropy of cpu/cross_entropy.h over the shard's logits, with the
//     row maxima gathered (max over ranks), the rescaled Σexp and the target logits summed over
//     the group, so every rank computes the same loss; its input gradient is summed over the group.
//   logits: each rank's (rows, Vk) block gathered into the full (rows, V).
// Every collective's result is bitwise identical on all ranks. fp32 only (as the communicators).
#pragma once

#include <cstdint>

#include "comm/communicator.h"
#include "cpu/cross_entropy.h"

namespace neox::model {

// out (rows, C) ← table_shard[id − vocab_begin] for ids in the shard, 0 for the others.
template <typename T>
void vocab_shard_embedding_forward(T* out, const int32_t* ids, const T* table_shard, int64_t rows, int64_t channels,
                                   int64_t vocab_begin, int64_t shard_vocab);
// dtable_shard[id − vocab_begin] += dout[r] for the rows whose id is in the shard (row order).
template <typename T>
void vocab_shard_embedding_backward(T* dtable_shard, const T* dout, const int32_t* ids, int64_t rows,
                                    int64_t channels, int64_t vocab_begin, int64_t shard_vocab);

// The loss of cross_entropy_forward(_backward) over the whole vocabulary, from this rank's shard.
// training: dx (rows, C) += loss_grad_scale·∂loss/∂x (summed over the group), dweight_shard += its
// part. scratch: cross_entropy_scratch_elems(chunk_rows, shard_vocab) elements.
template <typename T>
cpu::CrossEntropyResult vocab_parallel_cross_entropy(comm::Communicator* tp, bool training, T* dx, T* dweight_shard,
                                                     const T* x, const T* weight_shard, const int32_t* targets,
                                                     const T* loss_weights, int64_t rows, int64_t channels,
                                                     int64_t vocab_begin, int64_t shard_vocab, double loss_grad_scale,
                                                     T* scratch, int64_t chunk_rows);

// logits (rows, shard_vocab · group size) of x from every rank's shard.
template <typename T>
void vocab_parallel_logits(comm::Communicator* tp, T* logits, const T* x, const T* weight_shard, int64_t rows,
                           int64_t channels, int64_t shard_vocab);

}  // namespace neox::model
