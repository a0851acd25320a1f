// Elementwise transcendental functions written so GCC vectorises the loops that call them
// (no branches, no libm calls on the float path). GCC only if-converts their clamps and selects
// under -fno-trapping-math (set for neox_core in native/CMakeLists.txt); without it every loop
// calling them stays scalar. Double precision calls libm: the double
// instantiations exist for finite-difference tests, where accuracy matters and speed does not.
//
//   exp_fast  : float max relative error ≈ 2e-7 (tests/test_vec_math.cpp measures it); exp of a
//               value below −87.3 returns ≈1.2e-38 rather than 0; NaN propagates.
//   tanh_fast : float absolute error ≈ 2e-7 (1 − 2/(e^{2y}+1)).
//   erf_fast  : float absolute error ≈ 2e-7 (series near 0, Abramowitz & Stegun 7.1.26 beyond).
#pragma once

#include <cmath>
#include <cstdint>
#include <cstring>

namespace neox::cpu {

inline float exp_fast(float x) {
  // exp(x) = 2^n · e^f with n = round(x·log2 e), f = x − n·ln 2 (|f| ≤ ln2/2, ln 2 split in two
  // parts so n·ln2_hi is exact); e^f by its degree-7 Taylor polynomial (truncation < 6e-9).
  const float clamped = x < -87.33f ? -87.33f : (x > 88.37f ? 88.37f : x);
  const float n = std::nearbyint(clamped * 1.44269504089f);
  float f = clamped - n * 0.693145752f;
  f = f - n * 1.42860677e-6f;
  float p = 1.f / 5040.f + f * (1.f / 40320.f);
  p = 1.f / 720.f + f * p;
  p = 1.f / 120.f + f * p;
  p = 1.f / 24.f + f * p;
  p = 1.f / 6.f + f * p;
  p = 0.5f + f * p;
  p = 1.f + f * p;
  p = 1.f + f * p;
  const int32_t bits = (static_cast<int32_t>(n) + 127) << 23;
  float scale;
  std::memcpy(&scale, &bits, sizeof(scale));
  const float result = p * scale;
  return x != x ? x : result;
}
inline double exp_fast(double x) { return std::exp(x); }

inline float tanh_fast(float y) { return 1.f - 2.f / (exp_fast(2.f * y) + 1.f); }
inline double tanh_fast(double y) { return std::tanh(y); }

inline float erf_fast(float x) {
  // |x| < 0.8: Maclaurin series 2/√π · Σ (−1)^n x^(2n+1) / (n!(2n+1)), n ≤ 8 (truncation < 3e-9);
  // otherwise Abramowitz & Stegun 7.1.26 (|error| ≤ 1.5e-7), whose 1 − t·poly·e^{−x²} would lose
  // digits to cancellation near 0. Both are computed and one is selected, so loops vectorise.
  const float a = x < 0.f ? -x : x;
  const float x2 = a * a;
  float series = -1.f / 685440.f;
  series = 1.f / 75600.f + x2 * series;
  series = -1.f / 9360.f + x2 * series;
  series = 1.f / 1320.f + x2 * series;
  series = -1.f / 216.f + x2 * series;
  series = 1.f / 42.f + x2 * series;
  series = -1.f / 10.f + x2 * series;
  series = 1.f / 3.f + x2 * series;
  series = 1.12837916709551f * a * (1.f - x2 * series);
  const float t = 1.f / (1.f + 0.3275911f * a);
  float poly = 1.061405429f;
  poly = -1.453152027f + t * poly;
  poly = 1.421413741f + t * poly;
  poly = -0.284496736f + t * poly;
  poly = 0.254829592f + t * poly;
  const float tail = 1.f - t * poly * exp_fast(-x2);
  const float magnitude = a < 0.8f ? series : tail;
  return x < 0.f ? -magnitude : magnitude;
}
inline double erf_fast(double x) { return std::erf(x); }

}  // namespace neox::cpu
