// Deterministic reductions over rows into per-column sums (bias and norm-weight gradients).
// Threads split the *columns*; every thread walks all rows in order for its columns, so the
// result is bitwise identical for any thread count, without atomics.
#pragma once

#include <array>
#include <cstdint>
#include <cstring>

#include "core/threads.h"
#include "cpu/scratch.h"

namespace neox::cpu {

// For K outputs of `cols` columns each: outs[k][c] += Σ_rows contribution. add_row(row, c0, c1,
// acc) adds row `row`'s contribution for columns [c0, c1) into acc[k][c − c0]; acc starts at 0
// per call, so each call's sum is formed first and then added to outs (null outs are skipped).
template <typename T, size_t K, typename AddRow>
void accumulate_column_sums(int64_t rows, int64_t cols, const std::array<T*, K>& outs, AddRow&& add_row) {
  constexpr int64_t min_columns_per_thread = 64;
  parallel_for(cols, min_columns_per_thread, [&](int64_t c0, int64_t c1) {
    const int64_t width = c1 - c0;
    T* partial = thread_scratch<T>(static_cast<size_t>(K * width));
    std::memset(partial, 0, sizeof(T) * K * width);
    std::array<T*, K> acc;
    for (size_t k = 0; k < K; ++k) acc[k] = partial + k * width;
    for (int64_t row = 0; row < rows; ++row) add_row(row, c0, c1, acc);
    for (size_t k = 0; k < K; ++k) {
      if (outs[k] == nullptr) continue;
      T* out = outs[k] + c0;
      for (int64_t c = 0; c < width; ++c) out[c] += acc[k][c];
    }
  });
}

}  // namespace neox::cpu
