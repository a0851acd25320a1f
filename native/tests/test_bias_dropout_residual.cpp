// bias + dropout + residual: exact sum without dropout, mask reproducibility and rate, kept
// elements scaled by 1/(1−p), backward vs finite differences, thread-count independence.
#include <cmath>

#include "cpu/bias_dropout_residual.h"
#include "op_test_util.h"

using namespace neox::cpu;
using namespace neox::testing;

namespace {

struct ResidualCase {
  int64_t rows, channels;
  DropoutSpec dropout;
  std::vector<double> x, bias, residual, probe;
  ResidualCase(int64_t r, int64_t c, double p, uint64_t seed)
      : rows(r), channels(c), dropout{p, 99, 5}, x(random_vector(r * c, seed)), bias(random_vector(c, seed + 1)),
        residual(random_vector(r * c, seed + 2)), probe(random_vector(r * c, seed + 3)) {}
  template <typename T>
  std::vector<T> forward() const {
    auto xt = cast_vector<T>(x), bt = cast_vector<T>(bias), rt = cast_vector<T>(residual);
    std::vector<T> out(x.size());
    bias_dropout_residual_forward(out.data(), xt.data(), bt.data(), rt.data(), rows, channels, dropout);
    return out;
  }
};

}  // namespace

NEOX_TEST(bias_dropout_residual_without_dropout_is_the_plain_sum) {
  ResidualCase c(4, 5, 0.0, 70);
  const auto out = c.forward<double>();
  std::vector<double> expected(out.size());
  for (int64_t r = 0; r < c.rows; ++r)
    for (int64_t k = 0; k < c.channels; ++k)
      expected[r * c.channels + k] = c.residual[r * c.channels + k] + c.x[r * c.channels + k] + c.bias[k];
  NEOX_EXPECT_CLOSE("out", out, expected, kReferenceTolerance);
}

NEOX_TEST(dropout_mask_is_reproducible_scaled_and_drops_at_rate_p) {
  ResidualCase c(256, 512, 0.1, 71);
  c.residual.assign(c.residual.size(), 0.0);
  c.bias.assign(c.bias.size(), 0.0);
  c.x.assign(c.x.size(), 1.0);
  const auto out = c.forward<float>();
  int64_t dropped = 0;
  bool scaled = true;
  for (float v : out) {
    if (v == 0.f) ++dropped;
    else scaled = scaled && std::fabs(v - 1.f / 0.9f) < 1e-6f;
  }
  const double rate = double(dropped) / double(out.size());
  // 131072 draws: the standard error of the rate is 0.00083; allow 5 of them.
  NEOX_EXPECT(std::fabs(rate - 0.1) < 0.0042) << "dropped fraction " << rate;
  NEOX_EXPECT(scaled) << "kept elements are not scaled by 1/(1-p)";
  NEOX_EXPECT(bitwise_equal(out, c.forward<float>())) << "same seed and offset gave another mask";
  {
    ThreadCountScope one(1);
    NEOX_EXPECT(bitwise_equal(out, c.forward<float>())) << "mask depends on the thread count";
  }
  c.dropout.offset += 1;
  NEOX_EXPECT(!bitwise_equal(out, c.forward<float>())) << "a new offset gave the same mask";
}

NEOX_TEST(bias_dropout_residual_backward_matches_finite_differences) {
  ResidualCase c(6, 7, 0.3, 72);
  std::vector<double> dx(c.x.size(), 0.0), dbias(c.bias.size(), 0.0), dresidual(c.residual.size(), 0.0);
  bias_dropout_residual_backward(dx.data(), dbias.data(), dresidual.data(), c.probe.data(), c.rows, c.channels, c.dropout);
  auto loss = [&] { return dot(c.forward<double>(), c.probe); };
  NEOX_EXPECT_CLOSE("dx", dx, numeric_gradient(c.x, loss), kFiniteDifferenceTolerance);
  NEOX_EXPECT_CLOSE("dbias", dbias, numeric_gradient(c.bias, loss), kFiniteDifferenceTolerance);
  NEOX_EXPECT_CLOSE("dresidual", dresidual, numeric_gradient(c.residual, loss), kFiniteDifferenceTolerance);
}

NEOX_TEST(bias_dropout_residual_rejects_dresidual_aliasing_dout) {
  std::vector<float> dout(4), dx(4);
  NEOX_EXPECT_THROWS(bias_dropout_residual_backward<float>(dx.data(), nullptr, dout.data(), dout.data(), 2, 2, {}),
                     "pass null for dresidual");
}
