// Optional wall-time accounting per op, for profiling the training step (BENCHMARKS.md). Off unless
// the environment sets NEOX_PROFILE_OPS=1 when the process starts; when off, a ScopedOpTimer is
// one branch. Only the engine's compute thread records, so no locking is needed.
#pragma once

#include <chrono>
#include <string>
#include <utility>
#include <vector>

namespace neox::model {

class OpProfile {
 public:
  static bool enabled();
  static void add(const char* op, double seconds);
  // (op, total seconds, calls), in first-seen order; reset() clears.
  static std::vector<std::pair<std::string, std::pair<double, long>>> snapshot();
  static void reset();
  // A table of the snapshot, one op per line, with each op's share of the total.
  static std::string report();
};

class ScopedOpTimer {
 public:
  explicit ScopedOpTimer(const char* op) : op_(OpProfile::enabled() ? op : nullptr) {
    if (op_) start_ = std::chrono::steady_clock::now();
  }
  ~ScopedOpTimer() {
    if (op_) OpProfile::add(op_, std::chrono::duration<double>(std::chrono::steady_clock::now() - start_).count());
  }
  ScopedOpTimer(const ScopedOpTimer&) = delete;
  ScopedOpTimer& operator=(const ScopedOpTimer&) = delete;

 private:
  const char* op_;
  std::chrono::steady_clock::time_point start_;
};

}  // namespace neox::model

namespace neox::model {

// Runs fn() and accounts its wall time to `op` (when profiling is on).
template <typename Fn>
void timed(const char* op, Fn&& fn) {
  ScopedOpTimer timer(op);
  fn();
}

}  // namespace neox::model
