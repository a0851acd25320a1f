// The vectorisable float exp/tanh/erf used by the ops: accuracy bounds and special values.
#include <cmath>
#include <limits>

#include "cpu/vec_math.h"
#include "op_test_util.h"

using namespace neox::cpu;

NEOX_TEST(vec_math_exp_fast_relative_error_below_3e_7) {
  double worst = 0;
  for (int i = -870000; i <= 880000; ++i) {
    const float x = float(i) * 1e-4f;
    const double exact = std::exp(double(x));
    worst = std::max(worst, std::fabs(double(exp_fast(x)) - exact) / exact);
  }
  NEOX_EXPECT(worst < 3e-7) << "max relative error " << worst;
}

NEOX_TEST(vec_math_tanh_and_erf_fast_absolute_error) {
  double worst_tanh = 0, worst_erf = 0;
  for (int i = -100000; i <= 100000; ++i) {
    const float x = float(i) * 1e-4f;
    worst_tanh = std::max(worst_tanh, std::fabs(double(tanh_fast(x)) - std::tanh(double(x))));
    worst_erf = std::max(worst_erf, std::fabs(double(erf_fast(x)) - std::erf(double(x))));
  }
  NEOX_EXPECT(worst_tanh < 3e-7) << "tanh max abs error " << worst_tanh;
  NEOX_EXPECT(worst_erf < 3e-7) << "erf max abs error " << worst_erf;
}

NEOX_TEST(vec_math_exp_fast_saturates_and_propagates_nan) {
  NEOX_EXPECT(std::isnan(exp_fast(std::numeric_limits<float>::quiet_NaN())));
  NEOX_EXPECT(exp_fast(-std::numeric_limits<float>::infinity()) < 1.3e-38f);
  NEOX_EXPECT(exp_fast(-1000.f) < 1.3e-38f);
  NEOX_EXPECT(std::isfinite(exp_fast(1000.f)) && exp_fast(1000.f) > 1e38f);
  NEOX_EXPECT_NEAR(exp_fast(0.f), 1.0, 0);
}
