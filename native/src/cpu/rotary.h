// Rotary position embedding (GPT-NeoX `pos_emb: rotary`, reference §1.4), applied in place to
// the q and k heads of the fused QKV activation (layout: qkv_layout.h).
//
// r = rotary_dims(HS, rotary_pct): r = HS when rotary_pct == 1, else int(HS·rotary_pct); r even.
// θ_j = base^(−2j/r), j < r/2. Token t has position p = t + position_offset (offset = cache
// length for cached decoding; 0 in training). For every q and k head, pairs (j, j + r/2):
//   u'[j]       = u[j]·cos(pθ_j) − u[j+r/2]·sin(pθ_j)
//   u'[j+r/2]   = u[j+r/2]·cos(pθ_j) + u[j]·sin(pθ_j)          dims ≥ r pass through.
//
//   rotary_tables(cos, sin, P, r, base): cos/sin (P, r/2) for positions 0..P−1. Computed in T
//     the way PyTorch does in fp32 (inv_freq = 1/base^(2j/r), angle = p·inv_freq rounded to T),
//     so float tables match GPT-NeoX/HF fp32 tables. Build once per run.
//   rotary_forward (qkv,  ...) rotates q and k in place; needs P ≥ T + position_offset.
//   rotary_backward(dqkv, ...) turns the gradient w.r.t. the rotated q, k into the gradient
//     w.r.t. the unrotated ones, in place (the transpose rotation). This is the one backward that
//     transforms rather than adds: call it after attention_backward has filled dqkv.
#pragma once

#include <cstdint>

#include "cpu/qkv_layout.h"

namespace neox::cpu {

int64_t rotary_dims(int64_t head_size, double rotary_pct);

template <typename T>
void rotary_tables(T* cos_table, T* sin_table, int64_t positions, int64_t rotary_dims, double base);

template <typename T>
void rotary_forward(T* qkv, const QkvLayout& layout, const T* cos_table, const T* sin_table, int64_t table_positions,
                    int64_t rotary_dims, int64_t position_offset);

template <typename T>
void rotary_backward(T* dqkv, const QkvLayout& layout, const T* cos_table, const T* sin_table,
                     int64_t table_positions, int64_t rotary_dims, int64_t position_offset);

}  // namespace neox::cpu
