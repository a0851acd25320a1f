// matmul (linear): forward vs a naive product, backward vs finite differences, accumulation,
// float vs double, argument errors.
#include "cpu/matmul.h"
#include "op_test_util.h"

using namespace neox::cpu;
using namespace neox::testing;

namespace {

struct LinearCase {
  int64_t rows = 7, in = 5, out = 6;
  std::vector<double> inp = random_vector(rows * in, 1);
  std::vector<double> weight = random_vector(out * in, 2);
  std::vector<double> bias = random_vector(out, 3);
  std::vector<double> probe = random_vector(rows * out, 4);  // loss = Σ out ⊙ probe

  double loss() {
    std::vector<double> y(rows * out);
    matmul_forward(y.data(), inp.data(), weight.data(), bias.data(), rows, in, out);
    return dot(y, probe);
  }
};

}  // namespace

NEOX_TEST(matmul_forward_matches_naive_product_with_and_without_bias) {
  LinearCase c;
  for (bool with_bias : {true, false}) {
    std::vector<double> y(c.rows * c.out), expected(c.rows * c.out);
    matmul_forward(y.data(), c.inp.data(), c.weight.data(), with_bias ? c.bias.data() : nullptr, c.rows, c.in, c.out);
    for (int64_t r = 0; r < c.rows; ++r)
      for (int64_t o = 0; o < c.out; ++o) {
        double s = with_bias ? c.bias[o] : 0;
        for (int64_t i = 0; i < c.in; ++i) s += c.inp[r * c.in + i] * c.weight[o * c.in + i];
        expected[r * c.out + o] = s;
      }
    NEOX_EXPECT_CLOSE("linear forward", y, expected, kReferenceTolerance);
  }
}

NEOX_TEST(matmul_backward_matches_finite_differences) {
  LinearCase c;
  std::vector<double> dinp(c.inp.size()), dweight(c.weight.size()), dbias(c.bias.size());
  matmul_backward(dinp.data(), dweight.data(), dbias.data(), c.probe.data(), c.inp.data(), c.weight.data(), c.rows,
                  c.in, c.out);
  auto loss = [&] { return c.loss(); };
  NEOX_EXPECT_CLOSE("dinp", dinp, numeric_gradient(c.inp, loss), kFiniteDifferenceTolerance);
  NEOX_EXPECT_CLOSE("dweight", dweight, numeric_gradient(c.weight, loss), kFiniteDifferenceTolerance);
  NEOX_EXPECT_CLOSE("dbias", dbias, numeric_gradient(c.bias, loss), kFiniteDifferenceTolerance);
}

NEOX_TEST(matmul_backward_accumulates_into_every_gradient) {
  LinearCase c;
  std::vector<double> once[3], twice[3];
  for (auto* grads : {once, twice}) {
    grads[0].assign(c.inp.size(), 0.0);
    grads[1].assign(c.weight.size(), 0.0);
    grads[2].assign(c.bias.size(), 0.0);
  }
  matmul_backward(once[0].data(), once[1].data(), once[2].data(), c.probe.data(), c.inp.data(), c.weight.data(),
                  c.rows, c.in, c.out);
  for (int pass = 0; pass < 2; ++pass) {
    matmul_backward(twice[0].data(), twice[1].data(), twice[2].data(), c.probe.data(), c.inp.data(), c.weight.data(),
                    c.rows, c.in, c.out);
  }
  for (int k = 0; k < 3; ++k) {
    for (double& g : once[k]) g *= 2;
    NEOX_EXPECT_CLOSE("two backward calls add up", twice[k], once[k], kReferenceTolerance);
  }
}

NEOX_TEST(matmul_float_matches_double) {
  LinearCase c;
  c.rows = 33, c.in = 70, c.out = 19;
  c.inp = random_vector(c.rows * c.in, 5), c.weight = random_vector(c.out * c.in, 6), c.bias = random_vector(c.out, 7);
  c.probe = random_vector(c.rows * c.out, 8);
  std::vector<double> y(c.rows * c.out), dinp(c.inp.size()), dweight(c.weight.size()), dbias(c.out);
  matmul_forward(y.data(), c.inp.data(), c.weight.data(), c.bias.data(), c.rows, c.in, c.out);
  matmul_backward(dinp.data(), dweight.data(), dbias.data(), c.probe.data(), c.inp.data(), c.weight.data(), c.rows,
                  c.in, c.out);
  auto inp = cast_vector<float>(c.inp), weight = cast_vector<float>(c.weight), bias = cast_vector<float>(c.bias);
  auto probe = cast_vector<float>(c.probe);
  std::vector<float> yf(y.size()), dinpf(dinp.size()), dweightf(dweight.size()), dbiasf(dbias.size());
  matmul_forward(yf.data(), inp.data(), weight.data(), bias.data(), c.rows, c.in, c.out);
  matmul_backward(dinpf.data(), dweightf.data(), dbiasf.data(), probe.data(), inp.data(), weight.data(), c.rows, c.in,
                  c.out);
  NEOX_EXPECT_CLOSE("out", yf, y, kFloatTolerance);
  NEOX_EXPECT_CLOSE("dinp", dinpf, dinp, kFloatTolerance);
  NEOX_EXPECT_CLOSE("dweight", dweightf, dweight, kFloatTolerance);
  NEOX_EXPECT_CLOSE("dbias", dbiasf, dbias, kFloatTolerance);
}

NEOX_TEST(matmul_rejects_a_zero_feature_count) {
  std::vector<float> x(4), w(4), y(4);
  NEOX_EXPECT_THROWS(matmul_forward<float>(y.data(), x.data(), w.data(), nullptr, 2, 0, 2), "in=0");
}
