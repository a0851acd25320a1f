// AdamW vs PyTorch's torch.optim.AdamW on a two-step example; decay on/off; grad_scale;
// gradient norm (determinism), clipping and the non-finite check.
#include <cmath>
#include <limits>

#include "core/errors.h"
#include "cpu/adamw.h"
#include "cpu/grad_norm.h"
#include "op_test_util.h"

using namespace neox::cpu;
using namespace neox::testing;

namespace {

// p = [1, −0.5, 0.25, 0], g1 = [0.1, −0.2, 0.3, 1e-3], g2 = [−0.05, 0.4, 0, −2];
// lr 0.01, betas (0.9, 0.95), eps 1e-8, weight_decay 0.1.
// Step 1 by hand for p[0]: m = 0.01, v = 0.0005, m̂ = 0.1, v̂ = 0.01,
//   p = 1·(1 − 0.001) − 0.01·0.1/(0.1 + 1e-8) = 0.989000001.
// Expected values printed by torch 2.13 torch.optim.AdamW (float64 and float32 parameters).
const double kInitial[4] = {1.0, -0.5, 0.25, 0.0};
const double kGrads[2][4] = {{0.1, -0.2, 0.3, 1e-3}, {-0.05, 0.4, 0.0, -2.0}};
const double kTorchFloat64[2][4] = {{0.9890000009999999, -0.4895000005, 0.23975000033333332, -0.009999900000999989},
                                    {0.9853273068602668, -0.4926442398902382, 0.2327237731889919, -0.0026436083216378583}};
const double kTorchFloat32[2][4] = {{0.9890000224113464, -0.4895000159740448, 0.2397499978542328, -0.009999900124967098},
                                    {0.9853273630142212, -0.4926442503929138, 0.23272377252578735, -0.0026436084881424904}};
const AdamWHyper kHyper{0.01, 0.9, 0.95, 1e-8, 0.1};

template <typename T>
void expect_two_steps_match(const double (&expected)[2][4], double tolerance) {
  std::vector<T> p(kInitial, kInitial + 4), m(4, T(0)), v(4, T(0));
  for (int step = 1; step <= 2; ++step) {
    std::vector<T> g(kGrads[step - 1], kGrads[step - 1] + 4);
    adamw_update(p.data(), g.data(), m.data(), v.data(), 4, kHyper, step, 1.0);
    for (int i = 0; i < 4; ++i) NEOX_EXPECT_NEAR(p[i], expected[step - 1][i], tolerance) << " step " << step << " i " << i;
  }
}

}  // namespace

NEOX_TEST(adamw_two_steps_match_torch_adamw) {
  NEOX_EXPECT_NEAR(0.989000001, kTorchFloat64[0][0], 1e-15);  // the hand computation above
  expect_two_steps_match<double>(kTorchFloat64, 1e-15);
  expect_two_steps_match<float>(kTorchFloat32, 1.2e-7);
}

NEOX_TEST(adamw_without_decay_and_with_grad_scale) {
  // wd = 0: the first step moves every parameter by exactly lr·sign(g) (up to eps).
  std::vector<float> p = {1.f, -1.f}, g = {0.3f, -7.f}, m(2, 0.f), v(2, 0.f);
  AdamWHyper no_decay = kHyper;
  no_decay.weight_decay = 0.0;
  adamw_update(p.data(), g.data(), m.data(), v.data(), 2, no_decay, 1, 1.0);
  NEOX_EXPECT_NEAR(p[0], 1.0 - 0.01, 1e-7);
  NEOX_EXPECT_NEAR(p[1], -1.0 + 0.01, 1e-7);
  // grad_scale s on g equals passing s·g.
  std::vector<double> pa = {0.5, 0.2}, pb = pa, ga = {0.4, -0.1}, gb = {0.2, -0.05}, ma(2, 0.0), va(2, 0.0), mb(2, 0.0), vb(2, 0.0);
  adamw_update(pa.data(), ga.data(), ma.data(), va.data(), 2, kHyper, 1, 0.5);
  adamw_update(pb.data(), gb.data(), mb.data(), vb.data(), 2, kHyper, 1, 1.0);
  NEOX_EXPECT(pa == pb && ma == mb && va == vb);
}

NEOX_TEST(adamw_rejects_step_zero) {
  std::vector<float> p(1), g(1), m(1), v(1);
  NEOX_EXPECT_THROWS(adamw_update(p.data(), g.data(), m.data(), v.data(), 1, kHyper, 0, 1.0), "step is 0");
}

NEOX_TEST(grad_norm_is_exact_and_identical_for_any_thread_count) {
  const auto values = cast_vector<float>(random_vector(300001, 90));
  double expected = 0;
  for (float x : values) expected += double(x) * double(x);
  double sums[2];
  for (int threads : {1, 2}) {
    ThreadCountScope scope(threads);
    sums[threads - 1] = sum_of_squares(values.data(), int64_t(values.size()));
  }
  NEOX_EXPECT_NEAR(sums[0], expected, 1e-9 * expected);
  NEOX_EXPECT(sums[0] == sums[1]) << sums[0] << " vs " << sums[1];
}

NEOX_TEST(clipping_follows_the_deepspeed_rule) {
  NEOX_EXPECT_NEAR(clip_coefficient(2.0, 1.0), 1.0 / (2.0 + 1e-6), 1e-15);
  NEOX_EXPECT(clip_coefficient(0.5, 1.0) == 1.0);
  NEOX_EXPECT(clip_coefficient(1.0, 1.0) == 1.0 / (1.0 + 1e-6));  // (‖g‖+1e-6)/clip just above 1 still clips
  std::vector<double> g = {3.0, 4.0};  // ‖g‖ = 5
  scale_in_place(g.data(), 2, clip_coefficient(std::sqrt(sum_of_squares(g.data(), 2)), 1.0));
  NEOX_EXPECT_NEAR(std::sqrt(sum_of_squares(g.data(), 2)), 5.0 / (5.0 + 1e-6), 1e-15);
}

NEOX_TEST(non_finite_check_reports_the_first_bad_element) {
  std::vector<float> g(200000, 0.5f);
  NEOX_EXPECT(first_non_finite(g.data(), int64_t(g.size())) == -1);
  g[150000] = std::numeric_limits<float>::quiet_NaN();
  g[70000] = std::numeric_limits<float>::infinity();  // first, in another 64 Ki block
  NEOX_EXPECT(first_non_finite(g.data(), int64_t(g.size())) == 70000);
  NEOX_EXPECT(!std::isfinite(sum_of_squares(g.data(), int64_t(g.size()))));
  try {
    check_finite(g.data(), int64_t(g.size()), "layers.0.mlp.linear1.weight.grad");
    NEOX_EXPECT(false) << "no throw";
  } catch (const neox::Error& e) {
    NEOX_EXPECT(e.code() == neox::ErrorCode::NonFinite);
    NEOX_EXPECT(std::string(e.what()).find("layers.0.mlp.linear1.weight.grad has a non-finite value inf at flat index 70000") == 0)
        << e.what();
  }
}
