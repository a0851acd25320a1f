// embedding: gather, position add, scatter-add backward (finite differences), determinism
// across thread counts, id validation.
#include "cpu/embedding.h"
#include "op_test_util.h"

using namespace neox::cpu;
using namespace neox::testing;

NEOX_TEST(embedding_forward_gathers_rows_and_adds_positions) {
  const int64_t rows = 6, channels = 3, vocab = 5;
  const std::vector<int32_t> tokens = {4, 0, 4, 2, 1, 4}, positions = {0, 1, 2, 0, 1, 2};
  const std::vector<double> wte = random_vector(vocab * channels, 11), wpe = random_vector(3 * channels, 12);
  std::vector<double> out(rows * channels, 99.0);
  embedding_forward(out.data(), tokens.data(), wte.data(), rows, channels, vocab, false);
  embedding_forward(out.data(), positions.data(), wpe.data(), rows, channels, int64_t(3), true);
  std::vector<double> expected(rows * channels);
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t c = 0; c < channels; ++c) expected[r * channels + c] = wte[tokens[r] * channels + c] + wpe[positions[r] * channels + c];
  NEOX_EXPECT_CLOSE("token + position embedding", out, expected, kReferenceTolerance);
}

NEOX_TEST(embedding_backward_matches_finite_differences_with_repeated_ids) {
  const int64_t rows = 9, channels = 4, vocab = 6;
  const std::vector<int32_t> ids = {1, 5, 1, 1, 0, 3, 5, 2, 1};
  std::vector<double> table = random_vector(vocab * channels, 13);
  const std::vector<double> probe = random_vector(rows * channels, 14);
  std::vector<double> dtable(table.size(), 0.0);
  embedding_backward(dtable.data(), probe.data(), ids.data(), rows, channels, vocab);
  auto loss = [&] {
    std::vector<double> out(rows * channels);
    embedding_forward(out.data(), ids.data(), table.data(), rows, channels, vocab, false);
    return dot(out, probe);
  };
  NEOX_EXPECT_CLOSE("dtable", dtable, numeric_gradient(table, loss), kFiniteDifferenceTolerance);
}

NEOX_TEST(embedding_backward_is_bitwise_identical_for_one_and_two_threads) {
  const int64_t rows = 512, channels = 256, vocab = 17;
  TestRng rng(15);
  std::vector<int32_t> ids(rows);
  for (auto& id : ids) id = rng.index(vocab);
  const auto dout = cast_vector<float>(random_vector(rows * channels, 16));
  std::vector<float> one(vocab * channels, 0.f), two(vocab * channels, 0.f), again(vocab * channels, 0.f);
  {
    ThreadCountScope threads(1);
    embedding_backward(one.data(), dout.data(), ids.data(), rows, channels, vocab);
  }
  {
    ThreadCountScope threads(2);
    embedding_backward(two.data(), dout.data(), ids.data(), rows, channels, vocab);
    embedding_backward(again.data(), dout.data(), ids.data(), rows, channels, vocab);
  }
  NEOX_EXPECT(bitwise_equal(one, two)) << "1 vs 2 threads differ";
  NEOX_EXPECT(bitwise_equal(two, again)) << "two runs differ";
}

NEOX_TEST(embedding_rejects_an_id_outside_the_vocabulary) {
  const std::vector<int32_t> ids = {0, 7};
  std::vector<float> table(5 * 2), out(2 * 2);
  NEOX_EXPECT_THROWS(embedding_forward(out.data(), ids.data(), table.data(), 2, 2, 5, false), "row 1 is 7");
}
