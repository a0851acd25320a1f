// Where q, k and v live inside the fused QKV activation (the output of the QKV linear layer,
// shape (B, T, width)), so rotary and attention read and write it in place without a
// "split heads" copy. Gradients (dqkv) use the same layout.
//
// GPT-NeoX has two layouts (reference §1.4, §2.3):
//   interleaved (num_kv_heads unset or == NH): per token [head 0: q|k|v][head 1: q|k|v]…,
//                width = 3·NH·HS                                   → QkvLayout::interleaved
//   grouped     (NKV < NH): per token [Q: NH heads][K: NKV heads][V: NKV heads], head-major,
//                width = (NH + 2·NKV)·HS                            → QkvLayout::grouped
// QkvLayout::gpt_neox(...) picks the one GPT-NeoX uses for (NH, NKV). Other layouts (separate
// q/k/v tensors of one allocation, a KV cache later) only need other offsets and strides.
// Query head h reads kv head h / (NH/NKV) (consecutive groups, as repeat_interleave).
#pragma once

#include <cstdint>

#include "core/errors.h"

namespace neox::cpu {

struct QkvLayout {
  int64_t batch = 0;          // B
  int64_t seq_len = 0;        // T
  int64_t heads = 0;          // NH query heads
  int64_t kv_heads = 0;       // NKV key/value heads (NH % NKV == 0)
  int64_t head_size = 0;      // HS
  int64_t token_stride = 0;   // elements from token (b, t) to (b, t+1); batches are contiguous
  int64_t q_offset = 0, k_offset = 0, v_offset = 0;  // head 0 of q / k / v within a token row
  int64_t q_head_stride = 0, kv_head_stride = 0;     // elements between consecutive heads

  static QkvLayout interleaved(int64_t batch, int64_t seq_len, int64_t heads, int64_t head_size) {
    return {batch, seq_len, heads, heads, head_size, 3 * heads * head_size,
            0, head_size, 2 * head_size, 3 * head_size, 3 * head_size};
  }
  static QkvLayout grouped(int64_t batch, int64_t seq_len, int64_t heads, int64_t kv_heads, int64_t head_size) {
    return {batch, seq_len, heads, kv_heads, head_size, (heads + 2 * kv_heads) * head_size,
            0, heads * head_size, (heads + kv_heads) * head_size, head_size, head_size};
  }
  static QkvLayout gpt_neox(int64_t batch, int64_t seq_len, int64_t heads, int64_t kv_heads, int64_t head_size) {
    return kv_heads == heads ? interleaved(batch, seq_len, heads, head_size)
                             : grouped(batch, seq_len, heads, kv_heads, head_size);
  }

  int64_t group_size() const { return heads / kv_heads; }
  int64_t token_index(int64_t b, int64_t t) const { return (b * seq_len + t) * token_stride; }
  int64_t q_index(int64_t b, int64_t t, int64_t h) const { return token_index(b, t) + q_offset + h * q_head_stride; }
  int64_t k_index(int64_t b, int64_t t, int64_t kvh) const { return token_index(b, t) + k_offset + kvh * kv_head_stride; }
  int64_t v_index(int64_t b, int64_t t, int64_t kvh) const { return token_index(b, t) + v_offset + kvh * kv_head_stride; }
  int64_t elements() const { return batch * seq_len * token_stride; }

  void validate(const char* op) const {
    NEOX_CHECK_ARG(batch >= 0 && seq_len >= 0 && heads > 0 && kv_heads > 0 && head_size > 0,
                   op << ": QKV shape B=" << batch << " T=" << seq_len << " NH=" << heads << " NKV=" << kv_heads
                      << " HS=" << head_size << " is invalid; B, T must be >= 0 and NH, NKV, HS > 0");
    NEOX_CHECK_ARG(heads % kv_heads == 0, op << ": num_attention_heads " << heads << " is not a multiple of num_kv_heads "
                   << kv_heads << "; choose num_kv_heads dividing the head count");
    NEOX_CHECK_ARG(token_stride >= (heads + 2 * kv_heads) * head_size,
                   op << ": QKV token stride " << token_stride << " is smaller than (NH + 2·NKV)·HS = "
                      << (heads + 2 * kv_heads) * head_size << "; build the layout with QkvLayout::gpt_neox");
  }
};

}  // namespace neox::cpu
