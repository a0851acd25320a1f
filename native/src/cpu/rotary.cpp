#include "cpu/rotary.h"

#include <cmath>

#include "core/errors.h"
#include "core/threads.h"

namespace neox::cpu {

namespace {

void check_rotary_args(const char* op, const void* qkv, const QkvLayout& layout, const void* cos_table,
                       const void* sin_table, int64_t table_positions, int64_t rdims, int64_t position_offset) {
  layout.validate(op);
  NEOX_CHECK_ARG(qkv && cos_table && sin_table, op << " got a null qkv, cos or sin pointer; pass all three");
  NEOX_CHECK_ARG(rdims > 0 && rdims % 2 == 0 && rdims <= layout.head_size,
                 op << ": rotary dims " << rdims << " must be even and in [2, head size " << layout.head_size << "]");
  NEOX_CHECK_ARG(position_offset >= 0 && layout.seq_len + position_offset <= table_positions,
                 op << ": positions up to " << layout.seq_len + position_offset << " (T=" << layout.seq_len
                    << " + offset " << position_offset << ") exceed the " << table_positions
                    << "-position cos/sin tables; build the tables for at least seq_length positions");
}

// Rotates the first `rdims` dims of every q and k head by the angle of its position; `sin_sign`
// −1 applies the transpose (inverse) rotation.
template <typename T>
void rotate_q_and_k(T* qkv, const QkvLayout& layout, const T* cos_table, const T* sin_table, int64_t rdims,
                    int64_t position_offset, T sin_sign) {
  const int64_t half = rdims / 2;
  const int64_t tokens = layout.batch * layout.seq_len;
  parallel_for(tokens, 16, [&](int64_t n0, int64_t n1) {
    for (int64_t n = n0; n < n1; ++n) {
      const int64_t b = n / layout.seq_len, t = n % layout.seq_len;
      const T* c = cos_table + (t + position_offset) * half;
      const T* s = sin_table + (t + position_offset) * half;
      auto rotate = [&](T* u) {
        for (int64_t j = 0; j < half; ++j) {
          const T x1 = u[j], x2 = u[j + half];
          const T sn = sin_sign * s[j];
          u[j] = x1 * c[j] - x2 * sn;
          u[j + half] = x2 * c[j] + x1 * sn;
        }
      };
      for (int64_t h = 0; h < layout.heads; ++h) rotate(qkv + layout.q_index(b, t, h));
      for (int64_t h = 0; h < layout.kv_heads; ++h) rotate(qkv + layout.k_index(b, t, h));
    }
  });
}

}  // namespace

int64_t rotary_dims(int64_t head_size, double rotary_pct) {
  NEOX_CHECK_ARG(rotary_pct > 0 && rotary_pct <= 1, "rotary_pct is " << rotary_pct << "; it must be in (0, 1]");
  const int64_t dims = rotary_pct == 1.0 ? head_size : static_cast<int64_t>(static_cast<double>(head_size) * rotary_pct);
  NEOX_CHECK_ARG(dims >= 2 && dims % 2 == 0, "rotary dims int(" << head_size << " · " << rotary_pct << ") = " << dims
                 << " must be even and >= 2; choose rotary_pct so head_size·rotary_pct is an even integer");
  return dims;
}

template <typename T>
void rotary_tables(T* cos_table, T* sin_table, int64_t positions, int64_t rdims, double base) {
  NEOX_CHECK_ARG(cos_table && sin_table, "rotary_tables got a null cos or sin pointer; pass two (P, r/2) buffers");
  NEOX_CHECK_ARG(positions >= 0 && rdims >= 2 && rdims % 2 == 0,
                 "rotary_tables: positions " << positions << ", rotary dims " << rdims << "; need positions >= 0 and even dims >= 2");
  NEOX_CHECK_ARG(base > 0, "rotary_emb_base is " << base << "; it must be > 0 (GPT-NeoX default 10000)");
  const int64_t half = rdims / 2;
  for (int64_t j = 0; j < half; ++j) {
    const T inv_freq = T(1) / std::pow(T(base), T(2 * j) / T(rdims));
    for (int64_t p = 0; p < positions; ++p) {
      const T angle = T(p) * inv_freq;
      cos_table[p * half + j] = T(std::cos(double(angle)));
      sin_table[p * half + j] = T(std::sin(double(angle)));
    }
  }
}

template <typename T>
void rotary_forward(T* qkv, const QkvLayout& layout, const T* cos_table, const T* sin_table, int64_t table_positions,
                    int64_t rdims, int64_t position_offset) {
  check_rotary_args("rotary_forward", qkv, layout, cos_table, sin_table, table_positions, rdims, position_offset);
  rotate_q_and_k(qkv, layout, cos_table, sin_table, rdims, position_offset, T(1));
}

template <typename T>
void rotary_backward(T* dqkv, const QkvLayout& layout, const T* cos_table, const T* sin_table,
                     int64_t table_positions, int64_t rdims, int64_t position_offset) {
  check_rotary_args("rotary_backward", dqkv, layout, cos_table, sin_table, table_positions, rdims, position_offset);
  rotate_q_and_k(dqkv, layout, cos_table, sin_table, rdims, position_offset, T(-1));
}

#define NEOX_INSTANTIATE_ROTARY(T)                                                                          \
  template void rotary_tables<T>(T*, T*, int64_t, int64_t, double);                                       \
  template void rotary_forward<T>(T*, const QkvLayout&, const T*, const T*, int64_t, int64_t, int64_t);   \
  template void rotary_backward<T>(T*, const QkvLayout&, const T*, const T*, int64_t, int64_t, int64_t);
NEOX_INSTANTIATE_ROTARY(float)
NEOX_INSTANTIATE_ROTARY(double)

}  // namespace neox::cpu
