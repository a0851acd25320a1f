// Causal attention of a sequence's NEW query rows against its KV cache (cached decoding: a
// prompt's prefill, then one row per decode step), for several sequences of different lengths
// in one call. Same math as attention.h's forward without dropout:
//
//   query row t of a sequence sits at position p = first_position + t (first_position = cache
//   length before this call); it attends to cached keys j with j ≤ p (and j ≥ p − w with a sliding
//   window w ≥ 0); score = q · k_j / sqrt(HS); out = softmax(scores) · V.
//   query head h reads kv head h / (NH/NKV).
//
// Shapes:
//   qkv     the sequence's new rows of the fused QKV activation, located by `layout` (qkv_layout.h;
//           batch and seq_len of the layout are ignored, rows are token_stride apart); rotary has
//           been applied to q
//   keys, values  (first_position + new_rows, NKV, HS) contiguous: the cache with these rows' k and
//           v already appended (after rotary)
//   out     (new_rows, NH·HS) contiguous
//
// Work splits over (sequence, query head, block of 64 query rows); each block computes its
// scores with one single-threaded GEMM (GEMV for one row) against the keys it may see, so results
// do not depend on the thread count. A call with little work runs on the calling thread.
#pragma once

#include <cstdint>
#include <vector>

#include "cpu/qkv_layout.h"

namespace neox::cpu {

template <typename T>
struct CachedAttentionSequence {
  const T* qkv;             // first new row
  T* out;                   // first output row
  int64_t new_rows;         // n ≥ 1
  const T* keys;            // (first_position + n, NKV, HS)
  const T* values;
  int64_t first_position;   // cache length before the new rows
};

template <typename T>
void cached_attention_forward(const std::vector<CachedAttentionSequence<T>>& sequences, const QkvLayout& layout,
                              int64_t sliding_window);

}  // namespace neox::cpu
