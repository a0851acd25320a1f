// skinny_matmul_forward (cpu/skinny_matmul.h) against a naive product: every row count 1…8, with and
// without bias, an input width that is not a multiple of the vector width, float and double; bad
// row counts are refused.
#include <string>

#include "core/errors.h"
#include "cpu/skinny_matmul.h"
#include "op_test_util.h"

using namespace neox::cpu;
using namespace neox::testing;

namespace {

template <typename T>
void check_rows(int64_t rows, bool with_bias, double tolerance) {
  const int64_t in = 37, out = 300;  // 37 = two float vectors of 16 + a tail of 5
  const std::vector<double> x = random_vector(rows * in, 21), w = random_vector(out * in, 22), b = random_vector(out, 23);
  std::vector<T> y(size_t(rows * out));
  const std::vector<T> xf = cast_vector<T>(x), wf = cast_vector<T>(w), bf = cast_vector<T>(b);
  skinny_matmul_forward<T>(y.data(), xf.data(), wf.data(), with_bias ? bf.data() : nullptr, rows, in, out);
  std::vector<double> expected(size_t(rows * out));
  for (int64_t r = 0; r < rows; ++r) {
    for (int64_t o = 0; o < out; ++o) {
      double s = with_bias ? b[size_t(o)] : 0;
      for (int64_t k = 0; k < in; ++k) s += x[size_t(r * in + k)] * w[size_t(o * in + k)];
      expected[size_t(r * out + o)] = s;
    }
  }
  const std::string what = "skinny rows " + std::to_string(rows) + (with_bias ? " with bias" : "");
  NEOX_EXPECT_CLOSE(what, cast_vector<double>(y), expected, tolerance);
}

}  // namespace

NEOX_TEST(skinny_matmul_matches_naive_product_for_1_to_8_rows) {
  for (int64_t rows = 1; rows <= kSkinnyMaxRows; ++rows) {
    for (bool with_bias : {false, true}) {
      check_rows<double>(rows, with_bias, kReferenceTolerance);
      check_rows<float>(rows, with_bias, 1e-5);
    }
  }
}

NEOX_TEST(skinny_matmul_refuses_more_rows_than_it_handles) {
  std::vector<float> x(9 * 4), w(4 * 4), y(9 * 4);
  std::string message;
  try {
    skinny_matmul_forward<float>(y.data(), x.data(), w.data(), nullptr, 9, 4, 4);
  } catch (const neox::Error& e) {
    message = e.what();
  }
  NEOX_EXPECT(message == "skinny_matmul_forward: shape rows=9 IC=4 OC=4 is invalid; rows must be in [1, 8] (use matmul_forward beyond) and features > 0")
      << message;
}
