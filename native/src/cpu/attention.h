// Causal self-attention, multi-head or grouped-query, in the memory-efficient blocked form with
// an online softmax (the FlashAttention algorithm: Dao et al. 2022, 2023). No T×T matrix is ever
// stored: the forward keeps only the output and each row's logsumexp, the backward recomputes
// the scores block by block. Per-thread scratch: three score blocks of at most 64×64 (smaller
// when HS > 64, see attention.cpp) plus (NH/NKV)·T values (cpu/scratch.h).
//
//   score[i, j] = q_i · k_j / sqrt(HS)        allowed: j ≤ i, and j ≥ i − w with a sliding window w
//   P[i, :]     = softmax over allowed j      out_i = Σ_j dropout(P)[i, j] · v_j
//   query head h uses kv head h / (NH/NKV);  the scale is fixed at 1/sqrt(HS) (μP's 1/HS is not offered)
//
// Shapes:
//   qkv  (B, T, width)      fused QKV activation, located by `layout` (qkv_layout.h); rotary
//                           (rotary.h) has already been applied to q and k
//   out  (B, T, NH, HS)     contiguous = (B·T, NH·HS), the input of the attention dense layer
//   lse  (B, NH, T)         logsumexp of each row's scaled scores (over all allowed keys, before
//                           dropout); written by forward, read by backward
//   dqkv (B, T, width)      same layout as qkv; backward ADDS (+=) into the q, k and v slots (the
//                           caller zeroes it), then rotary_backward rotates the q, k part in place
//
// Options: sliding_window w ≥ 0 keeps keys i−w … i (w+1 keys, GPT-NeoX's `sliding_window_width`),
// −1 = plain causal. dropout p ∈ [0, 1) on the probabilities, scaled by 1/(1−p); the keep mask of
// element (b, h, i, j) comes from counter_rng.h keyed by (dropout.seed, dropout.offset) and index
// ((b·NH + h)·T + i)·T + j (NH and h counted over the whole model's heads, see AttentionOptions), so the backward regenerates it exactly and results do not depend on
// thread count or block sizes.
//
// Parallelism and determinism: the forward splits (B, NH, query blocks) over threads; the
// backward splits (B, NKV): one task owns a kv head's dk, dv and the dq of its NH/NKV query
// heads, so no two threads write the same gradient (B·NKV tasks: with fewer tasks than threads,
// e.g. MQA at B=1, the backward leaves threads idle). Each task runs single-threaded BLAS on the
// blocks. The split does not depend on the thread count: results are bitwise identical run to
// run and across thread counts (tested for 1 vs 2).
#pragma once

#include <cstdint>

#include "cpu/counter_rng.h"
#include "cpu/qkv_layout.h"

namespace neox::cpu {

struct AttentionOptions {
  int64_t sliding_window = -1;   // w >= 0: keys i−w … i; −1: full causal
  DropoutSpec dropout;           // attention-probability dropout; offset distinct per layer and step
  // The dropout mask is keyed by each head's index among all the model's heads: this call's head h
  // is head dropout_first_head + h of dropout_total_heads (0: this call's heads are all of them),
  // so a tensor-parallel shard draws exactly the mask the whole model draws for its heads.
  int64_t dropout_first_head = 0;
  int64_t dropout_total_heads = 0;
};

template <typename T>
void attention_forward(T* out, T* lse, const T* qkv, const QkvLayout& layout, const AttentionOptions& options);

template <typename T>
void attention_backward(T* dqkv, const T* dout, const T* qkv, const T* out, const T* lse, const QkvLayout& layout,
                        const AttentionOptions& options);

}  // namespace neox::cpu
