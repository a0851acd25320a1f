// Helpers for the op tests: seeded random data, central finite differences, error measures and
// a thread-count override. Gradient checks run the ops in double precision.
#pragma once

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <functional>
#include <vector>

#include "core/threads.h"
#include "test_harness.h"

namespace neox::testing {

// Deterministic uniform numbers (splitmix64), so every test run sees the same inputs.
class TestRng {
 public:
  explicit TestRng(uint64_t seed) : state_(seed) {}
  uint64_t next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  double uniform(double lo, double hi) { return lo + (hi - lo) * double(next() >> 11) * 0x1.0p-53; }
  int32_t index(int64_t n) { return int32_t(next() % uint64_t(n)); }

 private:
  uint64_t state_;
};

inline std::vector<double> random_vector(int64_t n, uint64_t seed, double lo = -1.0, double hi = 1.0) {
  TestRng rng(seed);
  std::vector<double> v(static_cast<size_t>(n));
  for (double& x : v) x = rng.uniform(lo, hi);
  return v;
}

template <typename To, typename From>
std::vector<To> cast_vector(const std::vector<From>& v) {
  return std::vector<To>(v.begin(), v.end());
}

inline double dot(const std::vector<double>& a, const std::vector<double>& b) {
  double s = 0;
  for (size_t i = 0; i < a.size(); ++i) s += a[i] * b[i];
  return s;
}

// ∂loss/∂x_k by central differences (x is perturbed in place and restored).
inline std::vector<double> numeric_gradient(std::vector<double>& x, const std::function<double()>& loss,
                                            double step = 1e-5) {
  std::vector<double> grad(x.size());
  for (size_t k = 0; k < x.size(); ++k) {
    const double saved = x[k];
    x[k] = saved + step;
    const double up = loss();
    x[k] = saved - step;
    const double down = loss();
    x[k] = saved;
    grad[k] = (up - down) / (2 * step);
  }
  return grad;
}

// max_k |a_k − b_k| / max(max_k |b_k|, 1e-12): error relative to the reference's scale.
template <typename A, typename B>
double relative_error(const std::vector<A>& a, const std::vector<B>& b) {
  double diff = 0, scale = 1e-12;
  for (size_t k = 0; k < a.size() && k < b.size(); ++k) {
    diff = std::max(diff, std::fabs(double(a[k]) - double(b[k])));
    scale = std::max(scale, std::fabs(double(b[k])));
  }
  return a.size() == b.size() ? diff / scale : INFINITY;
}

template <typename T>
bool bitwise_equal(const std::vector<T>& a, const std::vector<T>& b) {
  return a.size() == b.size() && std::memcmp(a.data(), b.data(), a.size() * sizeof(T)) == 0;
}

// Runs with a given thread count, restoring the previous one afterwards.
class ThreadCountScope {
 public:
  explicit ThreadCountScope(int threads) : saved_(neox::num_threads()) { neox::set_num_threads(threads); }
  ~ThreadCountScope() { neox::set_num_threads(saved_); }

 private:
  int saved_;
};

// Tolerances used across the op tests.
constexpr double kFiniteDifferenceTolerance = 1e-6;  // analytic vs central differences, double
constexpr double kReferenceTolerance = 1e-12;        // op vs naive reference, both double
constexpr double kFloatTolerance = 2e-5;             // float op vs double op, relative to scale

}  // namespace neox::testing

// Expects relative_error(actual, expected) <= tol and prints the error otherwise.
#define NEOX_EXPECT_CLOSE(what, actual, expected, tol)                                                  \
  do {                                                                                                  \
    const double neox_err_ = ::neox::testing::relative_error((actual), (expected));                    \
    NEOX_EXPECT(neox_err_ <= (tol)) << what << ": relative error " << neox_err_ << " > " << (tol);     \
  } while (0)
