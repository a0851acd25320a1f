#include "model/vocab_parallel.h"

#include <algorithm>
#include <cmath>
#include <type_traits>
#include <vector>

#include "core/errors.h"
#include "core/threads.h"
#include "cpu/matmul.h"
#include "model/op_profile.h"
#include "model/tensor_parallel.h"

namespace neox::model {

namespace {

// Every rank's `count` values, rank-major (fp32 only).
template <typename T>
std::vector<T> gather_over(comm::Communicator* tp, const T* values, int64_t count) {
  std::vector<T> all(size_t(count) * size_t(tp->size()));
  if constexpr (std::is_same_v<T, float>) {
    timed("tensor-parallel all-gather", [&] { tp->all_gather(values, all.data(), size_t(count), comm::DType::Float32); });
  } else {
    NEOX_CHECK_ARG(false, "tensor parallelism runs in fp32 only");
  }
  return all;
}

}  // namespace

template <typename T>
void vocab_shard_embedding_forward(T* out, const int32_t* ids, const T* table_shard, int64_t rows, int64_t channels,
                                   int64_t vocab_begin, int64_t shard_vocab) {
  parallel_for(rows, 16, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const int64_t local = int64_t(ids[r]) - vocab_begin;
      T* row = out + r * channels;
      if (local >= 0 && local < shard_vocab) {
        std::copy(table_shard + local * channels, table_shard + (local + 1) * channels, row);
      } else {
        std::fill(row, row + channels, T(0));
      }
    }
  });
}

template <typename T>
void vocab_shard_embedding_backward(T* dtable_shard, const T* dout, const int32_t* ids, int64_t rows,
                                    int64_t channels, int64_t vocab_begin, int64_t shard_vocab) {
  // Threads split the channels and walk every row in order: repeated ids sum in a fixed order.
  parallel_for(channels, 64, [&](int64_t c0, int64_t c1) {
    for (int64_t r = 0; r < rows; ++r) {
      const int64_t local = int64_t(ids[r]) - vocab_begin;
      if (local < 0 || local >= shard_vocab) continue;
      T* target = dtable_shard + local * channels;
      const T* source = dout + r * channels;
      for (int64_t c = c0; c < c1; ++c) target[c] += source[c];
    }
  });
}

template <typename T>
cpu::CrossEntropyResult vocab_parallel_cross_entropy(comm::Communicator* tp, bool training, T* dx, T* dweight_shard,
                                                     const T* x, const T* weight_shard, const int32_t* targets,
                                                     const T* loss_weights, int64_t rows, int64_t channels,
                                                     int64_t vocab_begin, int64_t shard_vocab, double loss_grad_scale,
                                                     T* scratch, int64_t chunk_rows) {
  double weight_sum = 0;
  for (int64_t r = 0; r < rows; ++r) weight_sum += loss_weights ? double(loss_weights[r]) : 1.0;
  if (weight_sum == 0) return {};
  const int64_t group = tp->size();
  T* logits = scratch;
  T* local_max = logits + chunk_rows * shard_vocab;
  T* sums = local_max + chunk_rows;  // [Σexp (chunk_rows) | target logit (chunk_rows)], contiguous
  const size_t chunk = static_cast<size_t>(chunk_rows);
  std::vector<T> global_max(chunk), lse(chunk), coef(chunk), packed(2 * chunk);
  double weighted_loss_sum = 0;
  for (int64_t r0 = 0; r0 < rows; r0 += chunk_rows) {
    const int64_t n = std::min(chunk_rows, rows - r0);
    timed("output layer + loss fwd+bwd", [&] {
      cpu::gemm<T>(false, true, n, shard_vocab, channels, T(1), x + r0 * channels, channels, weight_shard, channels,
                   T(0), logits, shard_vocab);
      cpu::cross_entropy_row_stats(local_max, sums, sums + chunk_rows, logits, targets + r0, n, shard_vocab,
                                   vocab_begin);
    });
    const std::vector<T> maxima = gather_over(tp, local_max, n);
    for (int64_t r = 0; r < n; ++r) {
      T m = maxima[size_t(r)];
      for (int64_t k = 1; k < group; ++k) m = std::max(m, maxima[size_t(k * n + r)]);
      global_max[size_t(r)] = m;
    }
    cpu::cross_entropy_rescale_sumexp(sums, local_max, global_max.data(), n);
    std::copy(sums, sums + n, packed.begin());
    std::copy(sums + chunk_rows, sums + chunk_rows + n, packed.begin() + n);
    tensor_parallel_sum(tp, packed.data(), 2 * n);
    for (int64_t r = 0; r < n; ++r) {
      const double w = loss_weights ? double(loss_weights[r0 + r]) : 1.0;
      lse[size_t(r)] = global_max[size_t(r)] + std::log(packed[size_t(r)]);
      const T loss = w != 0 ? lse[size_t(r)] - packed[size_t(n + r)] : T(0);
      weighted_loss_sum += w * double(loss);
      coef[size_t(r)] = T(loss_grad_scale * w / weight_sum);
    }
    if (!training) continue;
    timed("output layer + loss fwd+bwd", [&] {
      cpu::cross_entropy_logits_backward(logits, lse.data(), targets + r0, coef.data(), n, shard_vocab, vocab_begin);
      cpu::gemm<T>(false, false, n, channels, shard_vocab, T(1), logits, shard_vocab, weight_shard, channels, T(1),
                   dx + r0 * channels, channels);
      cpu::gemm<T>(true, false, shard_vocab, channels, n, T(1), logits, shard_vocab, x + r0 * channels, channels, T(1),
                   dweight_shard, channels);
    });
  }
  if (training) tensor_parallel_sum(tp, dx, rows * channels);
  return {weighted_loss_sum / weight_sum, weight_sum};
}

template <typename T>
void vocab_parallel_logits(comm::Communicator* tp, T* logits, const T* x, const T* weight_shard, int64_t rows,
                           int64_t channels, int64_t shard_vocab) {
  std::vector<T> local(static_cast<size_t>(rows * shard_vocab));
  cpu::classifier_logits(local.data(), x, weight_shard, rows, channels, shard_vocab);
  const std::vector<T> all = gather_over(tp, local.data(), rows * shard_vocab);
  const int64_t group = tp->size(), vocab = shard_vocab * group;
  for (int64_t k = 0; k < group; ++k) {
    for (int64_t r = 0; r < rows; ++r) {
      const T* from = all.data() + (k * rows + r) * shard_vocab;
      std::copy(from, from + shard_vocab, logits + r * vocab + k * shard_vocab);
    }
  }
}

#define NEOX_INSTANTIATE_VOCAB_PARALLEL(T)                                                                          \
  template void vocab_shard_embedding_forward<T>(T*, const int32_t*, const T*, int64_t, int64_t, int64_t, int64_t); \
  template void vocab_shard_embedding_backward<T>(T*, const T*, const int32_t*, int64_t, int64_t, int64_t, int64_t); \
  template cpu::CrossEntropyResult vocab_parallel_cross_entropy<T>(comm::Communicator*, bool, T*, T*, const T*,     \
                                                                   const T*, const int32_t*, const T*, int64_t,     \
                                                                   int64_t, int64_t, int64_t, double, T*, int64_t); \
  template void vocab_parallel_logits<T>(comm::Communicator*, T*, const T*, const T*, int64_t, int64_t, int64_t);
NEOX_INSTANTIATE_VOCAB_PARALLEL(float)
NEOX_INSTANTIATE_VOCAB_PARALLEL(double)

}  // namespace neox::model
