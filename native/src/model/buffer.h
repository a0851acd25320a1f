// A fixed-size, 64-byte-aligned array owned by the model (parameters, gradients, optimizer
// moments, activations). Allocated once and zero-filled so its pages are touched up front: no
// allocation or first-touch page fault happens inside a training step.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <new>

namespace neox::model {

template <typename T>
class Buffer {
 public:
  Buffer() = default;
  explicit Buffer(int64_t count) { reset(count); }

  // Replaces the contents with `count` zeros (a no-op apart from zeroing when the size is kept).
  void reset(int64_t count) {
    if (count != count_) {
      data_.reset();
      count_ = 0;
      if (count > 0) {
        const size_t bytes = ((size_t(count) * sizeof(T) + 63) / 64) * 64;
        T* fresh = static_cast<T*>(std::aligned_alloc(64, bytes));
        if (fresh == nullptr) throw std::bad_alloc();
        data_.reset(fresh);
        count_ = count;
      }
    }
    if (count_ > 0) std::memset(data_.get(), 0, sizeof(T) * size_t(count_));
  }

  T* data() { return data_.get(); }
  const T* data() const { return data_.get(); }
  int64_t size() const { return count_; }

 private:
  std::unique_ptr<T, decltype(&std::free)> data_{nullptr, &std::free};
  int64_t count_ = 0;
};

}  // namespace neox::model
