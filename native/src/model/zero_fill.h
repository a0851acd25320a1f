// Sets n elements to zero, split over the engine's threads for large buffers (gradient buffers
// are zeroed once per optimizer step, activation gradients once per backward).
#pragma once

#include <cstdint>
#include <cstring>

#include "core/threads.h"

namespace neox::model {

template <typename T>
void zero_fill(T* data, int64_t n) {
  if (data == nullptr || n <= 0) return;
  parallel_for(n, int64_t(1) << 18, [&](int64_t i0, int64_t i1) {
    std::memset(data + i0, 0, sizeof(T) * size_t(i1 - i0));
  });
}

}  // namespace neox::model
