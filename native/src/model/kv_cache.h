// The key/value cache of ONE sequence for cached decoding (decoder.h): for every layer, the keys
// (after rotary) and values of each position read so far, token-major (positions, NKV, HS), so a
// step appends rows and attention reads one kv head with a fixed stride (cached_attention.h).
// Storage grows geometrically as positions are added; nothing is shared between sequences.
#pragma once

#include <cstdint>
#include <vector>

namespace neox::model {

template <typename T>
class KvCache {
 public:
  KvCache(int64_t layers, int64_t kv_width) : kv_width_(kv_width), keys_(size_t(layers)), values_(size_t(layers)) {}

  // Positions read so far.
  int64_t length() const { return length_; }
  // Makes room for `positions` in every layer (contents of the first length() kept).
  void reserve(int64_t positions) {
    for (size_t l = 0; l < keys_.size(); ++l) {
      if (int64_t(keys_[l].size()) < positions * kv_width_) {
        keys_[l].resize(size_t(positions * kv_width_));
        values_[l].resize(size_t(positions * kv_width_));
      }
    }
  }
  // After the rows of positions [length(), length) are written in every layer.
  void set_length(int64_t length) { length_ = length; }
  // Row p of a layer: keys(l) + p·kv_width (NKV·HS values).
  T* keys(int64_t layer) { return keys_[size_t(layer)].data(); }
  T* values(int64_t layer) { return values_[size_t(layer)].data(); }
  int64_t bytes() const {
    int64_t total = 0;
    for (size_t l = 0; l < keys_.size(); ++l) total += int64_t(keys_[l].capacity() + values_[l].capacity()) * int64_t(sizeof(T));
    return total;
  }

 private:
  int64_t kv_width_;
  int64_t length_ = 0;
  std::vector<std::vector<T>> keys_, values_;
};

}  // namespace neox::model
