// One thread pool per process: OpenMP's, shared by OpenBLAS (its OpenMP build) and by our own
// loops, so an actor never runs more busy threads than it was given.
#pragma once

#include <cstdint>

namespace neox {

// Sets the threads used by BLAS and by parallel_for. n = 0 means all cores of the machine.
void set_num_threads(int n);
int num_threads();
int hardware_threads();

// Calls fn(begin, end) on disjoint chunks of [0, n) in parallel. Chunks are at least `grain`
// long; small ranges run on the calling thread. fn must not throw.
template <typename Fn>
void parallel_for(int64_t n, int64_t grain, Fn&& fn) {
  if (n <= 0) return;
  const int threads = num_threads();
  if (threads <= 1 || n <= grain) {
    fn(int64_t{0}, n);
    return;
  }
  int64_t chunks = (n + grain - 1) / grain;
  if (chunks > threads) chunks = threads;
#pragma omp parallel for num_threads(static_cast<int>(chunks)) schedule(static, 1)
  for (int64_t c = 0; c < chunks; ++c) {
    const int64_t begin = n * c / chunks;
    const int64_t end = n * (c + 1) / chunks;
    fn(begin, end);
  }
}

}  // namespace neox
