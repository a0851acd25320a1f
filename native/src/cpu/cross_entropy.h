// The output layer fused with softmax cross-entropy (reference §1.6): logits = x · W_outᵀ over the
// padded vocabulary V, loss = Σ_r w_r·(logsumexp(logits_r) − logits_r[target_r]) / Σ_r w_r.
// Logits are computed `chunk_rows` rows at a time into a caller-owned scratch, so no (B·T, V)
// tensor ever exists: at most (chunk_rows, V). The training entry turns each chunk's logits into
// their gradient in place and applies both products before moving on (no recomputation).
//
// Shapes (rows = B·T):  x (rows, C)  weight (V, C) = W_out, PyTorch [out, in]  targets (rows) int32
//   loss_weights (rows) or null = all 1 (GPT-NeoX's loss mask; rows with weight 0 may carry any
//   target, e.g. −100, and get loss 0 and no gradient)   losses (rows) per-row output or null
//   scratch: cross_entropy_scratch_elems(chunk_rows, V) elements, allocated once by the caller.
//
//   cross_entropy_forward_backward (training): returns the mean loss and ADDS (+=)
//     dx += loss_grad_scale · ∂loss/∂x,  dweight += loss_grad_scale · ∂loss/∂W
//     (loss_grad_scale = 1/gradient_accumulation_steps, times a loss scale under fp16).
//   cross_entropy_forward (eval): the same loss, no gradients.
//   classifier_logits (inference): the plain (rows, V) logits.
// A batch whose weights sum to 0 returns loss 0 and adds no gradient.
//
// Vocab-parallel cross-entropy (tensor parallelism, later) uses the two row-level pieces below
// with an all-reduce between them. Rank k holds W_out rows [v0, v0+V_k) and per chunk:
//   1. logits_k = x·W_kᵀ;  cross_entropy_row_stats(..., vocab_begin = v0) → local max M_k,
//      Σexp(logit − M_k) S_k, target logit (0 when the target is in another shard);
//   2. all-reduce MAX of M → M;  S_k ·= exp(M_k − M) (cross_entropy_rescale_sumexp);
//      all-reduce SUM of S and of the target logits;  lse = M + log S;
//   3. cross_entropy_logits_backward(..., vocab_begin = v0) → dlogits_k in place;
//      dW_k += dlogits_kᵀ·x;  dx = dlogits_k·W_k, all-reduced SUM over the tensor-parallel group.
// The single-device entries below run exactly these steps with one shard (v0 = 0, no all-reduce).
#pragma once

#include <cstdint>

namespace neox::cpu {

struct CrossEntropyResult {
  double mean_loss = 0;   // Σ w·loss / Σ w
  double weight_sum = 0;  // Σ w (the number of counted tokens without weights)
};

int64_t cross_entropy_scratch_elems(int64_t chunk_rows, int64_t vocab);

template <typename T>
CrossEntropyResult cross_entropy_forward_backward(T* dx, T* dweight, T* losses, const T* x, const T* weight,
                                                  const int32_t* targets, const T* loss_weights, int64_t rows,
                                                  int64_t channels, int64_t vocab, double loss_grad_scale, T* scratch,
                                                  int64_t chunk_rows);

template <typename T>
CrossEntropyResult cross_entropy_forward(T* losses, const T* x, const T* weight, const int32_t* targets,
                                         const T* loss_weights, int64_t rows, int64_t channels, int64_t vocab,
                                         T* scratch, int64_t chunk_rows);

template <typename T>
void classifier_logits(T* logits, const T* x, const T* weight, int64_t rows, int64_t channels, int64_t vocab);

// Row statistics of one vocab shard's logits (rows, shard_vocab): row_max, row_sumexp =
// Σ exp(logit − row_max), target_logit = logits[target − vocab_begin] when the target lies in
// [vocab_begin, vocab_begin + shard_vocab), else 0. Targets < 0 are ignored (logit 0).
template <typename T>
void cross_entropy_row_stats(T* row_max, T* row_sumexp, T* target_logit, const T* logits, const int32_t* targets,
                             int64_t rows, int64_t shard_vocab, int64_t vocab_begin);

// After the all-reduce MAX of row maxima: sumexp ·= exp(local_max − global_max).
template <typename T>
void cross_entropy_rescale_sumexp(T* row_sumexp, const T* local_max, const T* global_max, int64_t rows);

// In place: logits → coef_r · (softmax(logits)_v − [v == target_r]) with softmax from the row's
// full-vocabulary logsumexp `lse`. Rows with coef 0 become 0.
template <typename T>
void cross_entropy_logits_backward(T* logits, const T* lse, const int32_t* targets, const T* row_coef, int64_t rows,
                                   int64_t shard_vocab, int64_t vocab_begin);

}  // namespace neox::cpu
