// Cached decoding on a GptModel's parameters (read through params() and layout(); the model is
// not modified): sequences with their own KV cache (kv_cache.h), fed any number of new tokens per
// call, several sequences of different lengths in one batched forward. A prompt's prefill and a
// one-token decode step are the same call (continuous batching mixes them freely).
//
//   open(id)       a new empty sequence (id chosen by the caller, never reused while open)
//   extend(feeds, out)  appends each feed's tokens to its sequence and writes logits into out,
//                  feed by feed: all `count` rows when all_rows, else only the row after the last
//                  token; (output_rows(feeds), V) floats. Row-wise work (embedding, norms, linear
//                  layers) runs on all new rows at once; attention reads each sequence's cache
//                  (cached_attention.h). Positions continue from the cache length: rotary offset
//                  and learned positions (+ opt_pos_emb_offset) as in the full forward.
//   release(id)    frees the sequence's cache.
//
// extend checks everything first (known, distinct sequences; count ≥ 1; token ids in [0, V); room
// for the positions) and changes nothing when a check fails. Logits equal GptModel::logits over
// the whole sequence up to float rounding (the tests hold them to 1e-5 relative).
// Not thread-safe; the caller sets the thread count (core/threads.h).
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "model/buffer.h"
#include "model/gpt_model.h"
#include "model/kv_cache.h"

namespace neox::model {

struct DecodeFeed {
  int64_t sequence = 0;
  const int32_t* tokens = nullptr;
  int64_t count = 0;
  bool all_rows = false;  // logits for every new row, or only the last
};

template <typename T>
class Decoder {
 public:
  explicit Decoder(const GptModel<T>& model);

  void open(int64_t id);
  void release(int64_t id);
  bool has(int64_t id) const { return caches_.count(id) != 0; }
  int64_t length(int64_t id) const;
  int64_t sequences() const { return int64_t(caches_.size()); }
  // Most positions a sequence may hold.
  int64_t max_positions() const;

  int64_t output_rows(const std::vector<DecodeFeed>& feeds) const;
  // Throws InvalidArgument (naming the feed, the value and the fix) when extend would refuse feeds.
  void check(const std::vector<DecodeFeed>& feeds) const;
  void extend(const std::vector<DecodeFeed>& feeds, T* out);

  int64_t bytes() const;

 private:
  void ensure_rows(int64_t rows);
  void layer(int64_t l, const std::vector<DecodeFeed>& feeds, const std::vector<int64_t>& first_row);

  const GptModel<T>& model_;
  Buffer<T> rotary_cos_, rotary_sin_;
  int64_t rotary_dims_ = 0;
  std::map<int64_t, KvCache<T>> caches_;
  // Activations of the current call's new rows (grown to the largest call).
  int64_t capacity_rows_ = 0;
  std::vector<int32_t> ids_, positions_;
  std::vector<T> x_, x_next_, norm_out_, mean_, rstd_, qkv_, attn_, branch_, mid_, fc1_, act_;
};

}  // namespace neox::model
