// layernorm and rmsnorm: forward vs the formula, backward vs finite differences, float vs
// double, thread-count independence of the parameter gradients.
#include <cmath>

#include "cpu/layernorm.h"
#include "cpu/rmsnorm.h"
#include "op_test_util.h"

using namespace neox::cpu;
using namespace neox::testing;

namespace {

// Inputs with a non-zero mean and a spread, so mean and variance both matter.
struct NormCase {
  int64_t rows, channels;
  std::vector<double> inp, weight, bias, probe;
  NormCase(int64_t r, int64_t c, uint64_t seed)
      : rows(r), channels(c), inp(random_vector(r * c, seed, -2.0, 3.0)), weight(random_vector(c, seed + 1, 0.5, 1.5)),
        bias(random_vector(c, seed + 2)), probe(random_vector(r * c, seed + 3)) {}
};

template <typename T>
struct LayernormRun {
  std::vector<T> out, mean, rstd, dinp, dweight, dbias;
  LayernormRun(const NormCase& c, double eps) {
    auto inp = cast_vector<T>(c.inp), weight = cast_vector<T>(c.weight), bias = cast_vector<T>(c.bias);
    auto probe = cast_vector<T>(c.probe);
    out.resize(inp.size()), mean.resize(c.rows), rstd.resize(c.rows);
    dinp.assign(inp.size(), T(0)), dweight.assign(c.channels, T(0)), dbias.assign(c.channels, T(0));
    layernorm_forward(out.data(), mean.data(), rstd.data(), inp.data(), weight.data(), bias.data(), c.rows, c.channels, eps);
    layernorm_backward(dinp.data(), dweight.data(), dbias.data(), probe.data(), inp.data(), weight.data(), mean.data(),
                       rstd.data(), c.rows, c.channels);
  }
};

template <typename T>
struct RmsnormRun {
  std::vector<T> out, rstd, dinp, dscale;
  RmsnormRun(const NormCase& c, double eps) {
    auto inp = cast_vector<T>(c.inp), scale = cast_vector<T>(c.weight), probe = cast_vector<T>(c.probe);
    out.resize(inp.size()), rstd.resize(c.rows), dinp.assign(inp.size(), T(0)), dscale.assign(c.channels, T(0));
    rmsnorm_forward(out.data(), rstd.data(), inp.data(), scale.data(), c.rows, c.channels, eps);
    rmsnorm_backward(dinp.data(), dscale.data(), probe.data(), inp.data(), scale.data(), rstd.data(), c.rows, c.channels);
  }
};

}  // namespace

NEOX_TEST(layernorm_forward_matches_the_formula) {
  NormCase c(5, 7, 20);
  const double eps = 1e-5;
  LayernormRun<double> run(c, eps);
  std::vector<double> expected(c.inp.size());
  for (int64_t r = 0; r < c.rows; ++r) {
    double mean = 0, var = 0;
    for (int64_t k = 0; k < c.channels; ++k) mean += c.inp[r * c.channels + k] / double(c.channels);
    for (int64_t k = 0; k < c.channels; ++k) var += std::pow(c.inp[r * c.channels + k] - mean, 2) / double(c.channels);
    for (int64_t k = 0; k < c.channels; ++k)
      expected[r * c.channels + k] = (c.inp[r * c.channels + k] - mean) / std::sqrt(var + eps) * c.weight[k] + c.bias[k];
    NEOX_EXPECT_NEAR(run.mean[r], mean, 1e-12);
    NEOX_EXPECT_NEAR(run.rstd[r], 1 / std::sqrt(var + eps), 1e-9);
  }
  NEOX_EXPECT_CLOSE("layernorm out", run.out, expected, kReferenceTolerance);
}

NEOX_TEST(layernorm_backward_matches_finite_differences) {
  NormCase c(4, 6, 21);
  LayernormRun<double> run(c, 1e-5);
  auto loss = [&] {
    LayernormRun<double> again(c, 1e-5);
    return dot(again.out, c.probe);
  };
  NEOX_EXPECT_CLOSE("dinp", run.dinp, numeric_gradient(c.inp, loss), kFiniteDifferenceTolerance);
  NEOX_EXPECT_CLOSE("dweight", run.dweight, numeric_gradient(c.weight, loss), kFiniteDifferenceTolerance);
  NEOX_EXPECT_CLOSE("dbias", run.dbias, numeric_gradient(c.bias, loss), kFiniteDifferenceTolerance);
}

NEOX_TEST(rmsnorm_forward_matches_the_gpt_neox_formula) {
  NormCase c(5, 7, 22);
  const double eps = 1e-8;
  RmsnormRun<double> run(c, eps);
  std::vector<double> expected(c.inp.size());
  for (int64_t r = 0; r < c.rows; ++r) {
    double ms = 0;
    for (int64_t k = 0; k < c.channels; ++k) ms += c.inp[r * c.channels + k] * c.inp[r * c.channels + k] / double(c.channels);
    for (int64_t k = 0; k < c.channels; ++k) expected[r * c.channels + k] = c.weight[k] * c.inp[r * c.channels + k] / std::sqrt(ms + eps);
  }
  NEOX_EXPECT_CLOSE("rmsnorm out", run.out, expected, kReferenceTolerance);
}

NEOX_TEST(rmsnorm_backward_matches_finite_differences) {
  NormCase c(4, 6, 23);
  RmsnormRun<double> run(c, 1e-6);
  auto loss = [&] {
    RmsnormRun<double> again(c, 1e-6);
    return dot(again.out, c.probe);
  };
  NEOX_EXPECT_CLOSE("dinp", run.dinp, numeric_gradient(c.inp, loss), kFiniteDifferenceTolerance);
  NEOX_EXPECT_CLOSE("dscale", run.dscale, numeric_gradient(c.weight, loss), kFiniteDifferenceTolerance);
}

NEOX_TEST(norms_float_match_double) {
  NormCase c(37, 200, 24);
  LayernormRun<double> ln(c, 1e-5);
  LayernormRun<float> lnf(c, 1e-5);
  NEOX_EXPECT_CLOSE("layernorm out", lnf.out, ln.out, kFloatTolerance);
  NEOX_EXPECT_CLOSE("layernorm dinp", lnf.dinp, ln.dinp, kFloatTolerance);
  NEOX_EXPECT_CLOSE("layernorm dweight", lnf.dweight, ln.dweight, kFloatTolerance);
  NEOX_EXPECT_CLOSE("layernorm dbias", lnf.dbias, ln.dbias, kFloatTolerance);
  RmsnormRun<double> rms(c, 1e-5);
  RmsnormRun<float> rmsf(c, 1e-5);
  NEOX_EXPECT_CLOSE("rmsnorm out", rmsf.out, rms.out, kFloatTolerance);
  NEOX_EXPECT_CLOSE("rmsnorm dinp", rmsf.dinp, rms.dinp, kFloatTolerance);
  NEOX_EXPECT_CLOSE("rmsnorm dscale", rmsf.dscale, rms.dscale, kFloatTolerance);
}

NEOX_TEST(norms_are_bitwise_identical_for_one_and_two_threads) {
  NormCase c(300, 384, 25);
  auto run_both = [&](int threads) {
    ThreadCountScope scope(threads);
    return std::make_pair(LayernormRun<float>(c, 1e-5), RmsnormRun<float>(c, 1e-5));
  };
  auto one = run_both(1), two = run_both(2), again = run_both(2);
  for (auto* other : {&two, &again}) {
    NEOX_EXPECT(bitwise_equal(one.first.out, other->first.out) && bitwise_equal(one.first.dinp, other->first.dinp));
    NEOX_EXPECT(bitwise_equal(one.first.dweight, other->first.dweight) && bitwise_equal(one.first.dbias, other->first.dbias));
    NEOX_EXPECT(bitwise_equal(one.second.dinp, other->second.dinp) && bitwise_equal(one.second.dscale, other->second.dscale));
  }
}

NEOX_TEST(norms_reject_a_non_positive_eps) {
  std::vector<float> x(4), w(2), b(2), y(4), m(2), r(2);
  NEOX_EXPECT_THROWS(layernorm_forward(y.data(), m.data(), r.data(), x.data(), w.data(), b.data(), 2, 2, 0.0), "eps is 0");
  NEOX_EXPECT_THROWS(rmsnorm_forward(y.data(), r.data(), x.data(), w.data(), 2, 2, -1.0), "eps is -1");
}
