#include "cpu/cross_entropy.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "core/errors.h"
#include "core/threads.h"
#include "cpu/matmul.h"
#include "cpu/vec_math.h"

namespace neox::cpu {

namespace {

void check_classifier_args(const char* op, const void* x, const void* weight, int64_t rows, int64_t channels,
                           int64_t vocab) {
  NEOX_CHECK_ARG(rows >= 0 && channels > 0 && vocab > 0, op << ": shape rows=" << rows << " C=" << channels << " V="
                 << vocab << " is invalid; rows must be >= 0 and C, V > 0");
  NEOX_CHECK_ARG(x != nullptr && weight != nullptr, op << " got a null x or weight pointer; pass both");
}

// Σ w over rows (double, in row order) after checking that every counted row has a valid target.
template <typename T>
double checked_weight_sum(const char* op, const int32_t* targets, const T* loss_weights, int64_t rows,
                          int64_t vocab) {
  NEOX_CHECK_ARG(targets != nullptr || rows == 0, op << " got a null targets pointer; pass (rows) int32 token ids");
  double sum = 0;
  for (int64_t r = 0; r < rows; ++r) {
    const double w = loss_weights ? double(loss_weights[r]) : 1.0;
    NEOX_CHECK_ARG(std::isfinite(w) && w >= 0, op << ": loss weight at row " << r << " is " << w
                   << "; weights must be finite and >= 0 (a loss mask is 0/1)");
    if (w == 0) continue;
    NEOX_CHECK_ARG(targets[r] >= 0 && targets[r] < vocab, op << ": target at row " << r << " is " << targets[r]
                   << "; it must be in [0, " << vocab << ") (padded vocab), or give the row loss weight 0");
    sum += w;
  }
  return sum;
}

// The shared chunk loop of the eval and training entries (dx, dweight null for eval).
template <typename T>
CrossEntropyResult run_chunked_cross_entropy(const char* op, bool training, T* dx, T* dweight, T* losses, const T* x,
                                             const T* weight, const int32_t* targets, const T* loss_weights,
                                             int64_t rows, int64_t channels, int64_t vocab, double loss_grad_scale,
                                             T* scratch, int64_t chunk_rows) {
  check_classifier_args(op, x, weight, rows, channels, vocab);
  NEOX_CHECK_ARG(scratch != nullptr && chunk_rows > 0, op << ": scratch is " << (scratch ? "set" : "null")
                 << " with chunk_rows " << chunk_rows << "; allocate cross_entropy_scratch_elems(chunk_rows, V) elements"
                 << " once and pass chunk_rows > 0");
  const double weight_sum = checked_weight_sum(op, targets, loss_weights, rows, vocab);
  if (weight_sum == 0) {
    if (losses != nullptr) std::fill(losses, losses + rows, T(0));
    return {};
  }
  T* logits = scratch;
  T* row_max = logits + chunk_rows * vocab;  // then the row's logsumexp
  T* row_sumexp = row_max + chunk_rows;      // then the row's gradient coefficient
  T* target_logit = row_sumexp + chunk_rows;
  double weighted_loss_sum = 0;
  for (int64_t r0 = 0; r0 < rows; r0 += chunk_rows) {
    const int64_t n = std::min(chunk_rows, rows - r0);
    gemm<T>(false, true, n, vocab, channels, T(1), x + r0 * channels, channels, weight, channels, T(0), logits, vocab);
    cross_entropy_row_stats(row_max, row_sumexp, target_logit, logits, targets + r0, n, vocab, 0);
    for (int64_t r = 0; r < n; ++r) {
      const double w = loss_weights ? double(loss_weights[r0 + r]) : 1.0;
      const T lse = row_max[r] + std::log(row_sumexp[r]);
      const T loss = w != 0 ? lse - target_logit[r] : T(0);
      if (losses != nullptr) losses[r0 + r] = loss;
      weighted_loss_sum += w * double(loss);
      row_max[r] = lse;
      row_sumexp[r] = T(loss_grad_scale * w / weight_sum);
    }
    if (!training) continue;
    cross_entropy_logits_backward(logits, row_max, targets + r0, row_sumexp, n, vocab, 0);
    if (dx != nullptr) {
      gemm<T>(false, false, n, channels, vocab, T(1), logits, vocab, weight, channels, T(1), dx + r0 * channels,
              channels);
    }
    if (dweight != nullptr) {
      gemm<T>(true, false, vocab, channels, n, T(1), logits, vocab, x + r0 * channels, channels, T(1), dweight,
              channels);
    }
  }
  return {weighted_loss_sum / weight_sum, weight_sum};
}

void check_row_args(const char* op, const void* logits, const void* targets, int64_t rows, int64_t shard_vocab) {
  NEOX_CHECK_ARG(rows >= 0 && shard_vocab > 0, op << ": rows " << rows << ", shard vocab " << shard_vocab
                 << "; rows must be >= 0 and the shard's vocab > 0");
  NEOX_CHECK_ARG(logits != nullptr && targets != nullptr, op << " got a null logits or targets pointer; pass both");
}

}  // namespace

int64_t cross_entropy_scratch_elems(int64_t chunk_rows, int64_t vocab) {
  NEOX_CHECK_ARG(chunk_rows > 0 && vocab > 0, "cross_entropy_scratch_elems: chunk_rows " << chunk_rows << " and vocab "
                 << vocab << " must both be > 0");
  return chunk_rows * vocab + 3 * chunk_rows;
}

template <typename T>
void cross_entropy_row_stats(T* row_max, T* row_sumexp, T* target_logit, const T* logits, const int32_t* targets,
                             int64_t rows, int64_t shard_vocab, int64_t vocab_begin) {
  check_row_args("cross_entropy_row_stats", logits, targets, rows, shard_vocab);
  NEOX_CHECK_ARG(row_max && row_sumexp && target_logit, "cross_entropy_row_stats needs row_max, row_sumexp and"
                 " target_logit buffers of `rows` elements; one is null");
  parallel_for(rows, 1, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const T* l = logits + r * shard_vocab;
      T mx = -std::numeric_limits<T>::infinity();
#pragma omp simd reduction(max : mx)
      for (int64_t v = 0; v < shard_vocab; ++v) mx = l[v] > mx ? l[v] : mx;
      T sum = 0;
#pragma omp simd reduction(+ : sum)
      for (int64_t v = 0; v < shard_vocab; ++v) sum += exp_fast(l[v] - mx);
      const int64_t local_target = int64_t(targets[r]) - vocab_begin;
      row_max[r] = mx;
      row_sumexp[r] = sum;
      target_logit[r] = local_target >= 0 && local_target < shard_vocab ? l[local_target] : T(0);
    }
  });
}

template <typename T>
void cross_entropy_rescale_sumexp(T* row_sumexp, const T* local_max, const T* global_max, int64_t rows) {
  for (int64_t r = 0; r < rows; ++r) row_sumexp[r] *= exp_fast(local_max[r] - global_max[r]);
}

template <typename T>
void cross_entropy_logits_backward(T* logits, const T* lse, const int32_t* targets, const T* row_coef, int64_t rows,
                                   int64_t shard_vocab, int64_t vocab_begin) {
  check_row_args("cross_entropy_logits_backward", logits, targets, rows, shard_vocab);
  NEOX_CHECK_ARG(lse != nullptr && row_coef != nullptr, "cross_entropy_logits_backward needs lse and row_coef; one is null");
  parallel_for(rows, 1, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      T* l = logits + r * shard_vocab;
      const T coef = row_coef[r];
      if (coef == T(0)) {
        std::memset(l, 0, sizeof(T) * shard_vocab);
        continue;
      }
      const T row_lse = lse[r];
      for (int64_t v = 0; v < shard_vocab; ++v) l[v] = coef * exp_fast(l[v] - row_lse);
      const int64_t local_target = int64_t(targets[r]) - vocab_begin;
      if (local_target >= 0 && local_target < shard_vocab) l[local_target] -= coef;
    }
  });
}

template <typename T>
CrossEntropyResult cross_entropy_forward_backward(T* dx, T* dweight, T* losses, const T* x, const T* weight,
                                                  const int32_t* targets, const T* loss_weights, int64_t rows,
                                                  int64_t channels, int64_t vocab, double loss_grad_scale, T* scratch,
                                                  int64_t chunk_rows) {
  NEOX_CHECK_ARG(std::isfinite(loss_grad_scale), "cross_entropy_forward_backward: loss_grad_scale is "
                 << loss_grad_scale << "; pass a finite factor (1/gradient_accumulation_steps)");
  return run_chunked_cross_entropy("cross_entropy_forward_backward", true, dx, dweight, losses, x, weight, targets,
                                   loss_weights, rows, channels, vocab, loss_grad_scale, scratch, chunk_rows);
}

template <typename T>
CrossEntropyResult cross_entropy_forward(T* losses, const T* x, const T* weight, const int32_t* targets,
                                         const T* loss_weights, int64_t rows, int64_t channels, int64_t vocab,
                                         T* scratch, int64_t chunk_rows) {
  return run_chunked_cross_entropy<T>("cross_entropy_forward", false, nullptr, nullptr, losses, x, weight, targets,
                                      loss_weights, rows, channels, vocab, 0.0, scratch, chunk_rows);
}

template <typename T>
void classifier_logits(T* logits, const T* x, const T* weight, int64_t rows, int64_t channels, int64_t vocab) {
  check_classifier_args("classifier_logits", x, weight, rows, channels, vocab);
  NEOX_CHECK_ARG(logits != nullptr, "classifier_logits got a null logits pointer; pass a (rows, V) buffer");
  gemm<T>(false, true, rows, vocab, channels, T(1), x, channels, weight, channels, T(0), logits, vocab);
}

#define NEOX_INSTANTIATE_CROSS_ENTROPY(T)                                                                           \
  template CrossEntropyResult cross_entropy_forward_backward<T>(T*, T*, T*, const T*, const T*, const int32_t*,   \
                                                                const T*, int64_t, int64_t, int64_t, double, T*,  \
                                                                int64_t);                                         \
  template CrossEntropyResult cross_entropy_forward<T>(T*, const T*, const T*, const int32_t*, const T*, int64_t, \
                                                       int64_t, int64_t, T*, int64_t);                            \
  template void classifier_logits<T>(T*, const T*, const T*, int64_t, int64_t, int64_t);                          \
  template void cross_entropy_row_stats<T>(T*, T*, T*, const T*, const int32_t*, int64_t, int64_t, int64_t);      \
  template void cross_entropy_rescale_sumexp<T>(T*, const T*, const T*, int64_t);                                 \
  template void cross_entropy_logits_backward<T>(T*, const T*, const int32_t*, const T*, int64_t, int64_t, int64_t);
NEOX_INSTANTIATE_CROSS_ENTROPY(float)
NEOX_INSTANTIATE_CROSS_ENTROPY(double)

}  // namespace neox::cpu
