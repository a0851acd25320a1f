#include "cpu/embedding.h"

#include "core/errors.h"
#include "core/threads.h"

namespace neox::cpu {

namespace {

void check_embedding_args(const int32_t* ids, const void* table, int64_t rows, int64_t channels, int64_t vocab) {
  NEOX_CHECK_ARG(rows >= 0 && channels > 0 && vocab > 0, "embedding shape rows=" << rows << " C=" << channels
                 << " V=" << vocab << " is invalid; rows must be >= 0, C and V > 0");
  NEOX_CHECK_ARG(ids != nullptr && table != nullptr, "embedding got a null ids or table pointer; pass both");
  for (int64_t r = 0; r < rows; ++r) {
    NEOX_CHECK_ARG(ids[r] >= 0 && ids[r] < vocab, "embedding id at row " << r << " is " << ids[r]
                   << "; it must be in [0, " << vocab << "): check the tokenizer's vocabulary against the table size");
  }
}

}  // namespace

template <typename T>
void embedding_forward(T* out, const int32_t* ids, const T* table, int64_t rows, int64_t channels, int64_t vocab,
                       bool accumulate_into_out) {
  check_embedding_args(ids, table, rows, channels, vocab);
  NEOX_CHECK_ARG(out != nullptr, "embedding_forward got a null output pointer; pass a (rows, C) buffer");
  parallel_for(rows, 16, [&](int64_t r0, int64_t r1) {
    for (int64_t r = r0; r < r1; ++r) {
      const T* src = table + int64_t(ids[r]) * channels;
      T* dst = out + r * channels;
      if (accumulate_into_out) {
        for (int64_t c = 0; c < channels; ++c) dst[c] += src[c];
      } else {
        for (int64_t c = 0; c < channels; ++c) dst[c] = src[c];
      }
    }
  });
}

template <typename T>
void embedding_backward(T* dtable, const T* dout, const int32_t* ids, int64_t rows, int64_t channels,
                        int64_t vocab) {
  check_embedding_args(ids, dtable, rows, channels, vocab);
  NEOX_CHECK_ARG(dout != nullptr, "embedding_backward got a null dout pointer; pass the (rows, C) gradient");
  parallel_for(channels, 32, [&](int64_t c0, int64_t c1) {
    for (int64_t r = 0; r < rows; ++r) {
      const T* src = dout + r * channels;
      T* dst = dtable + int64_t(ids[r]) * channels;
      for (int64_t c = c0; c < c1; ++c) dst[c] += src[c];
    }
  });
}

#define NEOX_INSTANTIATE_EMBEDDING(T)                                                                  \
  template void embedding_forward<T>(T*, const int32_t*, const T*, int64_t, int64_t, int64_t, bool); \
  template void embedding_backward<T>(T*, const T*, const int32_t*, int64_t, int64_t, int64_t);
NEOX_INSTANTIATE_EMBEDDING(float)
NEOX_INSTANTIATE_EMBEDDING(double)

}  // namespace neox::cpu
