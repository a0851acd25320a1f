#include "cpu/attention.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>

#include "core/errors.h"
#include "core/threads.h"
#include "cpu/counter_rng.h"
#include "cpu/matmul.h"
#include "cpu/scratch.h"
#include "cpu/vec_math.h"

namespace neox::cpu {

namespace {

// Block sizes. Every block product has M·N·K = query_block · key_block · HS, and we keep that at
// or below 64³: OpenBLAS (0.3.21, default GEMM_MULTITHREAD_THRESHOLD) runs such products on the
// calling thread, while larger ones inside our parallel region go through its threaded driver,
// which serialises concurrent callers and ran 4× slower in a measurement (64×128×64 products).
// HS=64 gives 64×64 blocks (a 16 KiB fp32 score block), HS=128 64×32, HS=256 64×16.
constexpr int64_t kMaxBlockProduct = 64 * 64 * 64;
constexpr int64_t kMaxBlock = 64;

// Derived sizes and the mask rule shared by forward and backward.
struct AttentionGeometry {
  const QkvLayout& layout;
  int64_t seq_len, heads, head_size, out_row_stride, window;
  int64_t dropout_first_head, dropout_heads;  // this call's heads among the model's (AttentionOptions)
  int64_t query_block = kMaxBlock, key_block = kMaxBlock;

  AttentionGeometry(const QkvLayout& l, const AttentionOptions& options)
      : layout(l), seq_len(l.seq_len), heads(l.heads), head_size(l.head_size), out_row_stride(l.heads * l.head_size),
        window(options.sliding_window), dropout_first_head(options.dropout_first_head),
        dropout_heads(options.dropout_total_heads > 0 ? options.dropout_total_heads : l.heads) {
    while (query_block * key_block * head_size > kMaxBlockProduct && (key_block > 1 || query_block > 1)) {
      if (key_block >= query_block / 2 && key_block > 1) key_block /= 2;
      else query_block /= 2;
    }
  }
  int64_t block_elems() const { return query_block * key_block; }

  // Query i sees keys [first_key(i), i].
  int64_t first_key(int64_t i) const { return window < 0 ? 0 : std::max<int64_t>(0, i - window); }
  // Keys j are seen by queries [j, last_query_end(j)) (exclusive end).
  int64_t last_query_end(int64_t j) const { return window < 0 ? seq_len : std::min(seq_len, j + window + 1); }
  int64_t out_index(int64_t b, int64_t t, int64_t h) const { return ((b * seq_len + t) * heads + h) * head_size; }
  int64_t lse_index(int64_t b, int64_t h, int64_t t) const { return (b * heads + h) * seq_len + t; }
  uint64_t dropout_row_index(int64_t b, int64_t h, int64_t i) const {
    return static_cast<uint64_t>(((b * dropout_heads + dropout_first_head + h) * seq_len + i) * seq_len);
  }
};

void check_attention_args(const char* op, const QkvLayout& layout, const AttentionOptions& options) {
  layout.validate(op);
  NEOX_CHECK_ARG(options.sliding_window >= -1, op << ": sliding window " << options.sliding_window
                 << " is invalid; use w >= 0 (keys i−w … i) or −1 for full causal attention");
  NEOX_CHECK_ARG(options.dropout_total_heads == 0 ||
                     (options.dropout_first_head >= 0 && options.dropout_first_head + layout.heads <= options.dropout_total_heads),
                 op << ": dropout heads " << options.dropout_first_head << " … " << options.dropout_first_head + layout.heads - 1
                    << " are not among the model's " << options.dropout_total_heads << " heads");
}

int64_t align_down(int64_t value, int64_t block) { return value / block * block; }

// Multiplies the allowed part [lo, hi] of a probability row by the dropout keep factor (1/(1−p)
// or 0), writing into `dropped` (entries outside [lo, hi] are zero in both).
template <typename T>
void apply_dropout_row(T* dropped, const T* probs, int64_t cols, int64_t lo, int64_t hi, const DropoutMask& mask,
                       uint64_t first_index) {
  const T keep_scale = T(mask.keep_scale());
  for (int64_t j = 0; j < cols; ++j) {
    const bool allowed = j >= lo && j <= hi;
    dropped[j] = allowed && mask.keep(first_index + uint64_t(j)) ? probs[j] * keep_scale : T(0);
  }
}

template <typename T>
void forward_query_block(T* out, T* lse, const T* qkv, const AttentionGeometry& g, const DropoutMask& mask,
                         int64_t b, int64_t h, int64_t i0, T* scratch) {
  const QkvLayout& layout = g.layout;
  const int64_t kq = g.query_block, kk = g.key_block;
  const int64_t i1 = std::min(g.seq_len, i0 + kq), rows = i1 - i0, hs = g.head_size;
  const int64_t kvh = h / layout.group_size();
  const T scale = T(1) / std::sqrt(T(hs));
  T* scores = scratch;
  T* row_max = scores + g.block_elems();
  T* row_sum = row_max + kq;
  const T* q = qkv + layout.q_index(b, i0, h);
  T* o = out + g.out_index(b, i0, h);
  for (int64_t r = 0; r < rows; ++r) {
    row_max[r] = -std::numeric_limits<T>::infinity();
    row_sum[r] = 0;
    std::memset(o + r * g.out_row_stride, 0, sizeof(T) * hs);
  }
  for (int64_t j0 = align_down(g.first_key(i0), kk); j0 < i1; j0 += kk) {
    const int64_t j1 = std::min(i1, j0 + kk), cols = j1 - j0;
    gemm<T>(false, true, rows, cols, hs, scale, q, layout.token_stride, qkv + layout.k_index(b, j0, kvh),
            layout.token_stride, T(0), scores, kk);
    for (int64_t r = 0; r < rows; ++r) {
      const int64_t i = i0 + r;
      const int64_t lo = std::max(j0, g.first_key(i)) - j0, hi = std::min(j1 - 1, i) - j0;
      T* s = scores + r * kk;
      if (lo > hi) {
        std::fill(s, s + cols, T(0));
        continue;
      }
      T block_max = -std::numeric_limits<T>::infinity();
#pragma omp simd reduction(max : block_max)
      for (int64_t j = lo; j <= hi; ++j) block_max = s[j] > block_max ? s[j] : block_max;
      const T new_max = std::max(row_max[r], block_max);
      const T correction = exp_fast(row_max[r] - new_max);
      T sum = 0;
#pragma omp simd reduction(+ : sum)
      for (int64_t j = lo; j <= hi; ++j) {
        const T p = exp_fast(s[j] - new_max);
        s[j] = p;
        sum += p;
      }
      std::fill(s, s + lo, T(0));
      std::fill(s + hi + 1, s + cols, T(0));
      if (mask.active()) apply_dropout_row(s, s, cols, lo, hi, mask, g.dropout_row_index(b, h, i) + uint64_t(j0));
      row_sum[r] = row_sum[r] * correction + sum;
      row_max[r] = new_max;
      if (correction != T(1)) {
        T* o_row = o + r * g.out_row_stride;
        for (int64_t d = 0; d < hs; ++d) o_row[d] *= correction;
      }
    }
    gemm<T>(false, false, rows, hs, cols, T(1), scores, kk, qkv + layout.v_index(b, j0, kvh),
            layout.token_stride, T(1), o, g.out_row_stride);
  }
  for (int64_t r = 0; r < rows; ++r) {
    const T inv_sum = T(1) / row_sum[r];
    T* o_row = o + r * g.out_row_stride;
    for (int64_t d = 0; d < hs; ++d) o_row[d] *= inv_sum;
    lse[g.lse_index(b, h, i0 + r)] = row_max[r] + std::log(row_sum[r]);
  }
}

// One task: kv head `kvh` of batch row b with its NH/NKV query heads. Owns dk, dv of that kv
// head and dq of those query heads.
template <typename T>
void backward_kv_head(T* dqkv, const T* dout, const T* qkv, const T* out, const T* lse, const AttentionGeometry& g,
                      const DropoutMask& mask, int64_t b, int64_t kvh, T* scratch) {
  const QkvLayout& layout = g.layout;
  const int64_t group = layout.group_size(), hs = g.head_size, ts = layout.token_stride, seq_len = g.seq_len;
  const int64_t kq = g.query_block, kk = g.key_block, block_elems = g.block_elems();
  const T scale = T(1) / std::sqrt(T(hs));
  T* probs = scratch;                                         // P (block)
  T* dprobs = probs + block_elems;                            // dP, then dS (block)
  T* dropped = mask.active() ? dprobs + block_elems : probs;  // dropout(P) (block)
  T* row_dot = dprobs + 2 * block_elems;                      // D_i = dout_i · out_i, (group, T)

  for (int64_t gi = 0; gi < group; ++gi) {
    const int64_t h = kvh * group + gi;
    for (int64_t i = 0; i < seq_len; ++i) {
      const T* dy = dout + g.out_index(b, i, h);
      const T* y = out + g.out_index(b, i, h);
      T dot = 0;
#pragma omp simd reduction(+ : dot)
      for (int64_t d = 0; d < hs; ++d) dot += dy[d] * y[d];
      row_dot[gi * seq_len + i] = dot;
    }
  }

  for (int64_t j0 = 0; j0 < seq_len; j0 += kk) {
    const int64_t j1 = std::min(seq_len, j0 + kk), cols = j1 - j0;
    const T* k = qkv + layout.k_index(b, j0, kvh);
    const T* v = qkv + layout.v_index(b, j0, kvh);
    T* dk = dqkv + layout.k_index(b, j0, kvh);
    T* dv = dqkv + layout.v_index(b, j0, kvh);
    const int64_t query_end = g.last_query_end(j1 - 1);
    for (int64_t gi = 0; gi < group; ++gi) {
      const int64_t h = kvh * group + gi;
      for (int64_t i0 = align_down(j0, kq); i0 < query_end; i0 += kq) {
        const int64_t i1 = std::min(seq_len, i0 + kq), rows = i1 - i0;
        const T* q = qkv + layout.q_index(b, i0, h);
        T* dq = dqkv + layout.q_index(b, i0, h);
        const T* dy = dout + g.out_index(b, i0, h);
        gemm<T>(false, true, rows, cols, hs, scale, q, ts, k, ts, T(0), probs, kk);
        for (int64_t r = 0; r < rows; ++r) {
          const int64_t i = i0 + r;
          const int64_t lo = std::max(j0, g.first_key(i)) - j0, hi = std::min(j1 - 1, i) - j0;
          T* p = probs + r * kk;
          const T row_lse = lse[g.lse_index(b, h, i)];
          for (int64_t j = 0; j < cols; ++j) p[j] = j >= lo && j <= hi ? exp_fast(p[j] - row_lse) : T(0);
          if (mask.active()) {
            apply_dropout_row(dropped + r * kk, p, cols, lo, hi, mask, g.dropout_row_index(b, h, i) + uint64_t(j0));
          }
        }
        // dV_j += dropout(P)ᵀ dO_i ;  dP = dO_i V_jᵀ
        gemm<T>(true, false, cols, hs, rows, T(1), dropped, kk, dy, g.out_row_stride, T(1), dv, ts);
        gemm<T>(false, true, rows, cols, hs, T(1), dy, g.out_row_stride, v, ts, T(0), dprobs, kk);
        // dS = (dropout(P) ⊙ dP − P · D_i) · scale   (the dropout factor moves onto P)
        for (int64_t r = 0; r < rows; ++r) {
          const T d_i = row_dot[gi * seq_len + i0 + r];
          const T* p = probs + r * kk;
          const T* pd = dropped + r * kk;
          T* ds = dprobs + r * kk;
          for (int64_t j = 0; j < cols; ++j) ds[j] = (pd[j] * ds[j] - p[j] * d_i) * scale;
        }
        // dQ_i += dS K_j ;  dK_j += dSᵀ Q_i
        gemm<T>(false, false, rows, hs, cols, T(1), dprobs, kk, k, ts, T(1), dq, ts);
        gemm<T>(true, false, cols, hs, rows, T(1), dprobs, kk, q, ts, T(1), dk, ts);
      }
    }
  }
}

}  // namespace

template <typename T>
void attention_forward(T* out, T* lse, const T* qkv, const QkvLayout& layout, const AttentionOptions& options) {
  check_attention_args("attention_forward", layout, options);
  NEOX_CHECK_ARG(out && lse && qkv, "attention_forward got a null out, lse or qkv pointer; pass all three");
  const DropoutMask mask(options.dropout);
  const AttentionGeometry g(layout, options);
  const int64_t query_blocks = (layout.seq_len + g.query_block - 1) / g.query_block;
  const int64_t tasks = layout.batch * layout.heads * query_blocks;
  parallel_for(tasks, 1, [&](int64_t t0, int64_t t1) {
    T* scratch = thread_scratch<T>(g.block_elems() + 2 * g.query_block);
    for (int64_t task = t0; task < t1; ++task) {
      const int64_t qb = task % query_blocks, bh = task / query_blocks;
      forward_query_block(out, lse, qkv, g, mask, bh / layout.heads, bh % layout.heads, qb * g.query_block, scratch);
    }
  });
}

template <typename T>
void attention_backward(T* dqkv, const T* dout, const T* qkv, const T* out, const T* lse, const QkvLayout& layout,
                        const AttentionOptions& options) {
  check_attention_args("attention_backward", layout, options);
  NEOX_CHECK_ARG(dqkv && dout && qkv && out && lse,
                 "attention_backward got a null dqkv, dout, qkv, out or lse pointer; pass all five");
  const DropoutMask mask(options.dropout);
  const AttentionGeometry g(layout, options);
  const int64_t tasks = layout.batch * layout.kv_heads;
  parallel_for(tasks, 1, [&](int64_t t0, int64_t t1) {
    T* scratch = thread_scratch<T>(3 * g.block_elems() + layout.group_size() * layout.seq_len);
    for (int64_t task = t0; task < t1; ++task) {
      backward_kv_head(dqkv, dout, qkv, out, lse, g, mask, task / layout.kv_heads, task % layout.kv_heads, scratch);
    }
  });
}

#define NEOX_INSTANTIATE_ATTENTION(T)                                                                             \
  template void attention_forward<T>(T*, T*, const T*, const QkvLayout&, const AttentionOptions&);              \
  template void attention_backward<T>(T*, const T*, const T*, const T*, const T*, const QkvLayout&,             \
                                      const AttentionOptions&);
NEOX_INSTANTIATE_ATTENTION(float)
NEOX_INSTANTIATE_ATTENTION(double)

}  // namespace neox::cpu
