// gemv (cpu/matmul.h): y = α·op(A)·x + β·y against a naive product, both transposes, a leading
// dimension wider than the row, float and double; bad shapes are refused.
#include <string>

#include "core/errors.h"
#include "cpu/matmul.h"
#include "op_test_util.h"

using namespace neox::cpu;
using namespace neox::testing;

namespace {

template <typename T>
void check_gemv(bool transpose, double tolerance) {
  const int64_t m = 7, n = 5, lda = 9;  // A (m, n) inside rows of lda
  const std::vector<double> a = random_vector(m * lda, 11), x = random_vector(transpose ? m : n, 12),
                            y0 = random_vector(transpose ? n : m, 13);
  std::vector<T> y = cast_vector<T>(y0);
  const std::vector<T> af = cast_vector<T>(a), xf = cast_vector<T>(x);
  gemv<T>(transpose, m, n, T(0.5), af.data(), lda, xf.data(), T(2), y.data());
  std::vector<double> expected(y0.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    double s = 0;
    if (transpose) {
      for (int64_t r = 0; r < m; ++r) s += a[r * lda + int64_t(i)] * x[r];
    } else {
      for (int64_t c = 0; c < n; ++c) s += a[int64_t(i) * lda + c] * x[c];
    }
    expected[i] = 0.5 * s + 2 * y0[i];
  }
  const std::string what = transpose ? "gemv Aᵀx" : "gemv Ax";
  NEOX_EXPECT_CLOSE(what, cast_vector<double>(y), expected, tolerance);
}

}  // namespace

NEOX_TEST(gemv_matches_naive_product) {
  for (bool transpose : {false, true}) {
    check_gemv<double>(transpose, kReferenceTolerance);
    check_gemv<float>(transpose, 1e-5);
  }
}

NEOX_TEST(gemv_refuses_a_leading_dimension_shorter_than_a_row) {
  std::vector<float> a(12), x(4), y(3);
  std::string message;
  try {
    gemv<float>(false, 3, 4, 1.f, a.data(), 3, x.data(), 0.f, y.data());
  } catch (const neox::Error& e) {
    message = e.what();
  }
  NEOX_EXPECT(message == "gemv: shape m=3 n=4 lda=3 is invalid; need m, n >= 0 and lda >= n") << message;
}
