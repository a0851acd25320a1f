#include "cpu/cached_attention.h"

#include <algorithm>
#include <cmath>

#include "core/threads.h"
#include "cpu/matmul.h"
#include "cpu/scratch.h"

namespace neox::cpu {

namespace {

constexpr int64_t kQueryBlock = 64;
// Below this many multiply-adds in a call (e.g. a decode step over short caches) threads cost more
// than they save: the call runs on the calling thread.
constexpr int64_t kParallelWork = int64_t(1) << 18;

struct WorkItem {
  int64_t sequence, head, first_row, rows;
};

// Keys row t may see: [lo, hi] (inclusive).
struct KeyRange {
  int64_t lo, hi;
};

KeyRange key_range(int64_t position, int64_t sliding_window) {
  return {sliding_window >= 0 ? std::max<int64_t>(0, position - sliding_window) : 0, position};
}

template <typename T>
void attend_block(const CachedAttentionSequence<T>& s, const QkvLayout& layout, int64_t head, int64_t first_row,
                  int64_t rows, int64_t sliding_window) {
  const int64_t HS = layout.head_size, kv_stride = layout.kv_heads * HS;
  const int64_t kv_head = head / layout.group_size();
  const KeyRange first = key_range(s.first_position + first_row, sliding_window);
  const KeyRange last = key_range(s.first_position + first_row + rows - 1, sliding_window);
  const int64_t lo = first.lo, width = last.hi - lo + 1;
  T* scores = thread_scratch<T>(size_t(rows * width));
  const T* q = s.qkv + first_row * layout.token_stride + layout.q_offset + head * layout.q_head_stride;
  const T* k = s.keys + lo * kv_stride + kv_head * HS;
  const T* v = s.values + lo * kv_stride + kv_head * HS;
  const T scale = T(1) / std::sqrt(T(HS));
  if (rows == 1) {
    gemv<T>(false, width, HS, scale, k, kv_stride, q, T(0), scores);  // a decode step: no packing
  } else {
    gemm<T>(false, true, rows, width, HS, scale, q, layout.token_stride, k, kv_stride, T(0), scores, width);
  }
  for (int64_t r = 0; r < rows; ++r) {
    const KeyRange range = key_range(s.first_position + first_row + r, sliding_window);
    T* row = scores + r * width;
    const int64_t begin = range.lo - lo, end = range.hi - lo + 1;  // allowed columns [begin, end)
    T best = row[begin];
    for (int64_t j = begin + 1; j < end; ++j) best = std::max(best, row[j]);
    T total = 0;
    for (int64_t j = 0; j < width; ++j) {
      const T e = (j >= begin && j < end) ? std::exp(row[j] - best) : T(0);
      row[j] = e;
      total += e;
    }
    const T inv = T(1) / total;
    for (int64_t j = begin; j < end; ++j) row[j] *= inv;
  }
  const int64_t out_stride = layout.heads * HS;
  T* out = s.out + first_row * out_stride + head * HS;
  if (rows == 1) {
    gemv<T>(true, width, HS, T(1), v, kv_stride, scores, T(0), out);
  } else {
    gemm<T>(false, false, rows, HS, width, T(1), scores, width, v, kv_stride, T(0), out, out_stride);
  }
}

}  // namespace

template <typename T>
void cached_attention_forward(const std::vector<CachedAttentionSequence<T>>& sequences, const QkvLayout& layout,
                              int64_t sliding_window) {
  layout.validate("cached_attention_forward");
  std::vector<WorkItem> items;
  int64_t work = 0;
  for (int64_t i = 0; i < int64_t(sequences.size()); ++i) {
    const CachedAttentionSequence<T>& s = sequences[size_t(i)];
    NEOX_CHECK_ARG(s.new_rows >= 1 && s.first_position >= 0,
                   "cached_attention_forward: sequence " << i << " has " << s.new_rows << " new rows at position "
                   << s.first_position << "; need at least one row at a position >= 0");
    for (int64_t h = 0; h < layout.heads; ++h) {
      for (int64_t r = 0; r < s.new_rows; r += kQueryBlock) {
        items.push_back({i, h, r, std::min(kQueryBlock, s.new_rows - r)});
        work += 2 * items.back().rows * (s.first_position + r + items.back().rows) * layout.head_size;
      }
    }
  }
  const int64_t grain = work < kParallelWork ? int64_t(items.size()) : 1;
  parallel_for(int64_t(items.size()), grain, [&](int64_t begin, int64_t end) {
    for (int64_t w = begin; w < end; ++w) {
      const WorkItem& item = items[size_t(w)];
      attend_block(sequences[size_t(item.sequence)], layout, item.head, item.first_row, item.rows, sliding_window);
    }
  });
}

template void cached_attention_forward<float>(const std::vector<CachedAttentionSequence<float>>&, const QkvLayout&,
                                              int64_t);
template void cached_attention_forward<double>(const std::vector<CachedAttentionSequence<double>>&, const QkvLayout&,
                                               int64_t);

}  // namespace neox::cpu
