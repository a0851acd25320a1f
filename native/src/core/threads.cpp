#include "core/threads.h"

#include <cblas.h>
#include <omp.h>

#include <atomic>
#include <thread>

namespace neox {

namespace {
std::atomic<int> g_threads{0};
}

int hardware_threads() {
  const unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

void set_num_threads(int n) {
  if (n <= 0) n = hardware_threads();
  g_threads = n;
  omp_set_num_threads(n);
  openblas_set_num_threads(n);
}

int num_threads() {
  int n = g_threads.load();
  if (n == 0) {
    set_num_threads(0);
    n = g_threads.load();
  }
  return n;
}

}  // namespace neox
