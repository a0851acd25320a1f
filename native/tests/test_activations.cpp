// GELU (erf and tanh) and SwiGLU: forward vs the formulas, backward vs finite differences,
// float vs double.
#include <cmath>

#include "cpu/gelu.h"
#include "cpu/swiglu.h"
#include "op_test_util.h"

using namespace neox::cpu;
using namespace neox::testing;

namespace {

double gelu_reference(double x, GeluApproximation approximation) {
  if (approximation == GeluApproximation::tanh) {
    return 0.5 * x * (1 + std::tanh(std::sqrt(2 / M_PI) * (x + 0.044715 * x * x * x)));
  }
  return 0.5 * x * (1 + std::erf(x / std::sqrt(2.0)));
}

const GeluApproximation kBothGelus[] = {GeluApproximation::none, GeluApproximation::tanh};

}  // namespace

NEOX_TEST(gelu_forward_matches_erf_and_tanh_formulas) {
  const auto x = random_vector(1000, 30, -6.0, 6.0);
  for (GeluApproximation approximation : kBothGelus) {
    std::vector<double> y(x.size()), expected(x.size());
    gelu_forward(y.data(), x.data(), int64_t(x.size()), approximation);
    for (size_t i = 0; i < x.size(); ++i) expected[i] = gelu_reference(x[i], approximation);
    NEOX_EXPECT_CLOSE("gelu double", y, expected, kReferenceTolerance);
    auto xf = cast_vector<float>(x);
    std::vector<float> yf(x.size());
    gelu_forward(yf.data(), xf.data(), int64_t(x.size()), approximation);
    NEOX_EXPECT_CLOSE("gelu float", yf, expected, 1e-6);
  }
  // The two forms differ by at most ≈4.7e-4 (reference §1.5): they are not mixed up.
  std::vector<double> exact(1), approx(1), at_two = {2.0};
  gelu_forward(exact.data(), at_two.data(), 1, GeluApproximation::none);
  gelu_forward(approx.data(), at_two.data(), 1, GeluApproximation::tanh);
  NEOX_EXPECT(std::fabs(exact[0] - approx[0]) > 1e-5 && std::fabs(exact[0] - approx[0]) < 5e-4);
}

NEOX_TEST(gelu_backward_matches_finite_differences) {
  for (GeluApproximation approximation : kBothGelus) {
    auto x = random_vector(200, 31, -4.0, 4.0);
    const auto probe = random_vector(x.size(), 32);
    std::vector<double> dx(x.size(), 0.0);
    gelu_backward(dx.data(), x.data(), probe.data(), int64_t(x.size()), approximation);
    auto loss = [&] {
      std::vector<double> y(x.size());
      gelu_forward(y.data(), x.data(), int64_t(x.size()), approximation);
      return dot(y, probe);
    };
    NEOX_EXPECT_CLOSE("gelu dinp", dx, numeric_gradient(x, loss), kFiniteDifferenceTolerance);
    auto xf = cast_vector<float>(x), pf = cast_vector<float>(probe);
    std::vector<float> dxf(x.size(), 0.f);
    gelu_backward(dxf.data(), xf.data(), pf.data(), int64_t(x.size()), approximation);
    NEOX_EXPECT_CLOSE("gelu dinp float", dxf, dx, kFloatTolerance);
  }
}

NEOX_TEST(swiglu_uses_first_half_as_up_and_second_half_as_gate) {
  const int64_t rows = 3, half = 4;
  const auto inp = random_vector(rows * 2 * half, 33, -3.0, 3.0);
  std::vector<double> y(rows * half), expected(rows * half);
  swiglu_forward(y.data(), inp.data(), rows, half);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < half; ++c) {
      const double u = inp[r * 2 * half + c], g = inp[r * 2 * half + half + c];
      expected[r * half + c] = g / (1 + std::exp(-g)) * u;
    }
  NEOX_EXPECT_CLOSE("swiglu out", y, expected, kReferenceTolerance);
}

NEOX_TEST(swiglu_backward_matches_finite_differences_and_float) {
  const int64_t rows = 5, half = 6;
  auto inp = random_vector(rows * 2 * half, 34, -3.0, 3.0);
  const auto probe = random_vector(rows * half, 35);
  std::vector<double> dinp(inp.size(), 0.0);
  swiglu_backward(dinp.data(), inp.data(), probe.data(), rows, half);
  auto loss = [&] {
    std::vector<double> y(rows * half);
    swiglu_forward(y.data(), inp.data(), rows, half);
    return dot(y, probe);
  };
  NEOX_EXPECT_CLOSE("swiglu dinp", dinp, numeric_gradient(inp, loss), kFiniteDifferenceTolerance);
  auto inpf = cast_vector<float>(inp), pf = cast_vector<float>(probe);
  std::vector<float> dinpf(inp.size(), 0.f);
  swiglu_backward(dinpf.data(), inpf.data(), pf.data(), rows, half);
  NEOX_EXPECT_CLOSE("swiglu dinp float", dinpf, dinp, kFloatTolerance);
}
