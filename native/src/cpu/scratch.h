// Per-thread scratch memory for op kernels (attention blocks, column-sum partials).
// Each thread keeps one 64-byte-aligned buffer per scalar type that grows to the largest request
// and is reused across calls, so steady-state training allocates nothing here. A kernel takes
// one buffer per call and carves its sub-buffers from it; it must not call another op that also
// asks for scratch while it holds the pointer.
#pragma once

#include <cstddef>
#include <cstdlib>
#include <memory>
#include <new>

namespace neox::cpu {

template <typename T>
T* thread_scratch(size_t count) {
  struct Buffer {
    std::unique_ptr<T, decltype(&std::free)> data{nullptr, &std::free};
    size_t capacity = 0;
  };
  thread_local Buffer buffer;
  if (buffer.capacity < count) {
    const size_t bytes = ((count * sizeof(T) + 63) / 64) * 64;
    T* fresh = static_cast<T*>(std::aligned_alloc(64, bytes));
    if (fresh == nullptr) throw std::bad_alloc();
    buffer.data.reset(fresh);
    buffer.capacity = count;
  }
  return buffer.data.get();
}

}  // namespace neox::cpu
