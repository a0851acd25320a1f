// Fused output layer + cross-entropy: loss vs full logits + log-softmax, backward vs finite
// differences (masked rows, chunk boundaries), chunk-size independence, float vs double,
// the vocab-sharded statistics path, zero weights and target validation.
#include <cmath>

#include "cpu/cross_entropy.h"
#include "op_test_util.h"

using namespace neox::cpu;
using namespace neox::testing;

namespace {

struct LossCase {
  int64_t rows, channels, vocab;
  std::vector<double> x, weight, loss_weights;
  std::vector<int32_t> targets;
  LossCase(int64_t r, int64_t c, int64_t v, uint64_t seed)
      : rows(r), channels(c), vocab(v), x(random_vector(r * c, seed, -2.0, 2.0)), weight(random_vector(v * c, seed + 1)),
        loss_weights(r, 1.0), targets(r) {
    TestRng rng(seed + 2);
    for (auto& t : targets) t = rng.index(v);
    for (int64_t row = 0; row < r; row += 3) loss_weights[row] = 0.0;  // masked positions
    if (r > 1) targets[1] = -100;                                      // ignored target on a masked row
    if (r > 1) loss_weights[1] = 0.0;
  }

  template <typename T>
  struct Run {
    std::vector<T> dx, dweight, losses;
    CrossEntropyResult result;
  };
  template <typename T>
  Run<T> run(int64_t chunk_rows, bool training, double grad_scale = 1.0) const {
    auto xt = cast_vector<T>(x), wt = cast_vector<T>(weight), lw = cast_vector<T>(loss_weights);
    Run<T> out;
    out.dx.assign(xt.size(), T(0)), out.dweight.assign(wt.size(), T(0)), out.losses.assign(rows, T(-1));
    std::vector<T> scratch(cross_entropy_scratch_elems(chunk_rows, vocab));
    out.result = training ? cross_entropy_forward_backward(out.dx.data(), out.dweight.data(), out.losses.data(), xt.data(),
                                                           wt.data(), targets.data(), lw.data(), rows, channels, vocab,
                                                           grad_scale, scratch.data(), chunk_rows)
                          : cross_entropy_forward(out.losses.data(), xt.data(), wt.data(), targets.data(), lw.data(),
                                                  rows, channels, vocab, scratch.data(), chunk_rows);
    return out;
  }
};

// Full (rows, V) logits and a log-softmax, the way the loss is written in PyTorch.
std::vector<double> naive_losses(const LossCase& c) {
  std::vector<double> losses(c.rows, 0.0);
  for (int64_t r = 0; r < c.rows; ++r) {
    if (c.loss_weights[r] == 0) continue;
    std::vector<double> logits(c.vocab);
    double mx = -INFINITY;
    for (int64_t v = 0; v < c.vocab; ++v) {
      double s = 0;
      for (int64_t k = 0; k < c.channels; ++k) s += c.x[r * c.channels + k] * c.weight[v * c.channels + k];
      logits[v] = s;
      mx = std::max(mx, s);
    }
    double sum = 0;
    for (double l : logits) sum += std::exp(l - mx);
    losses[r] = -(logits[c.targets[r]] - mx - std::log(sum));
  }
  return losses;
}

}  // namespace

NEOX_TEST(cross_entropy_matches_full_logits_and_log_softmax) {
  LossCase c(13, 6, 37, 80);
  const auto expected = naive_losses(c);
  double weighted = 0, weight_sum = 0;
  for (int64_t r = 0; r < c.rows; ++r) weighted += c.loss_weights[r] * expected[r], weight_sum += c.loss_weights[r];
  for (bool training : {false, true}) {
    const auto run = c.run<double>(5, training);
    NEOX_EXPECT_CLOSE("per-row losses", run.losses, expected, kReferenceTolerance);
    NEOX_EXPECT_NEAR(run.result.mean_loss, weighted / weight_sum, 1e-12);
    NEOX_EXPECT_NEAR(run.result.weight_sum, weight_sum, 0);
  }
}

NEOX_TEST(cross_entropy_backward_matches_finite_differences_across_chunks) {
  LossCase c(11, 5, 23, 81);
  const auto run = c.run<double>(4, true, 0.5);  // chunks of 4, 4, 3 rows
  auto loss = [&] { return 0.5 * c.run<double>(4, false).result.mean_loss; };
  NEOX_EXPECT_CLOSE("dx", run.dx, numeric_gradient(c.x, loss), kFiniteDifferenceTolerance);
  NEOX_EXPECT_CLOSE("dweight", run.dweight, numeric_gradient(c.weight, loss), kFiniteDifferenceTolerance);
}

NEOX_TEST(cross_entropy_result_does_not_depend_on_chunk_size) {
  LossCase c(29, 8, 61, 82);
  const auto reference = c.run<double>(29, true);
  for (int64_t chunk : {1, 4, 7, 64}) {
    const auto run = c.run<double>(chunk, true);
    NEOX_EXPECT_NEAR(run.result.mean_loss, reference.result.mean_loss, 1e-12) << " chunk " << chunk;
    NEOX_EXPECT_CLOSE("dx", run.dx, reference.dx, kReferenceTolerance);
    NEOX_EXPECT_CLOSE("dweight", run.dweight, reference.dweight, kReferenceTolerance);
  }
}

NEOX_TEST(cross_entropy_float_matches_double_and_is_deterministic) {
  LossCase c(64, 48, 1000, 83);
  const auto d = c.run<double>(16, true);
  const auto f = c.run<float>(16, true);
  NEOX_EXPECT_NEAR(f.result.mean_loss, d.result.mean_loss, 1e-5 * std::fabs(d.result.mean_loss));
  NEOX_EXPECT_CLOSE("dx", f.dx, d.dx, kFloatTolerance);
  NEOX_EXPECT_CLOSE("dweight", f.dweight, d.dweight, kFloatTolerance);
  const auto again = c.run<float>(16, true);
  NEOX_EXPECT(bitwise_equal(f.dx, again.dx) && bitwise_equal(f.dweight, again.dweight) &&
              f.result.mean_loss == again.result.mean_loss);
}

NEOX_TEST(cross_entropy_vocab_shards_combine_to_the_full_softmax) {
  // Two "ranks" hold vocab rows [0, 20) and [20, 37); the all-reduces are done by hand.
  const int64_t rows = 4, vocab = 37, split = 20;
  const auto logits = random_vector(rows * vocab, 84, -5.0, 5.0);
  const std::vector<int32_t> targets = {3, 25, 19, 36};
  std::vector<double> shard[2] = {std::vector<double>(rows * split), std::vector<double>(rows * (vocab - split))};
  for (int64_t r = 0; r < rows; ++r)
    for (int64_t v = 0; v < vocab; ++v) (v < split ? shard[0][r * split + v] : shard[1][r * (vocab - split) + v - split]) = logits[r * vocab + v];
  const int64_t widths[2] = {split, vocab - split}, begins[2] = {0, split};
  std::vector<double> mx[2], sumexp[2], target_logit[2];
  for (int k = 0; k < 2; ++k) {
    mx[k].resize(rows), sumexp[k].resize(rows), target_logit[k].resize(rows);
    cross_entropy_row_stats(mx[k].data(), sumexp[k].data(), target_logit[k].data(), shard[k].data(), targets.data(), rows,
                            widths[k], begins[k]);
  }
  std::vector<double> global_max(rows), lse(rows), coef(rows, 0.25), full_mx(rows), full_sum(rows), full_target(rows);
  for (int64_t r = 0; r < rows; ++r) global_max[r] = std::max(mx[0][r], mx[1][r]);  // all-reduce MAX
  for (int k = 0; k < 2; ++k) cross_entropy_rescale_sumexp(sumexp[k].data(), mx[k].data(), global_max.data(), rows);
  cross_entropy_row_stats(full_mx.data(), full_sum.data(), full_target.data(), logits.data(), targets.data(), rows, vocab, 0);
  for (int64_t r = 0; r < rows; ++r) {
    lse[r] = global_max[r] + std::log(sumexp[0][r] + sumexp[1][r]);  // all-reduce SUM
    NEOX_EXPECT_NEAR(lse[r], full_mx[r] + std::log(full_sum[r]), 1e-12);
    NEOX_EXPECT_NEAR(target_logit[0][r] + target_logit[1][r], full_target[r], 0);
  }
  std::vector<double> full_grad = logits;
  cross_entropy_logits_backward(full_grad.data(), lse.data(), targets.data(), coef.data(), rows, vocab, 0);
  for (int k = 0; k < 2; ++k) {
    cross_entropy_logits_backward(shard[k].data(), lse.data(), targets.data(), coef.data(), rows, widths[k], begins[k]);
    for (int64_t r = 0; r < rows; ++r)
      for (int64_t v = 0; v < widths[k]; ++v)
        NEOX_EXPECT_NEAR(shard[k][r * widths[k] + v], full_grad[r * vocab + begins[k] + v], 1e-15);
  }
}

NEOX_TEST(cross_entropy_with_all_weights_zero_is_zero_and_adds_nothing) {
  LossCase c(5, 4, 9, 85);
  c.loss_weights.assign(c.rows, 0.0);
  const auto run = c.run<double>(2, true);
  NEOX_EXPECT(run.result.mean_loss == 0 && run.result.weight_sum == 0);
  for (double g : run.dx) NEOX_EXPECT(g == 0);
  for (double g : run.dweight) NEOX_EXPECT(g == 0);
}

NEOX_TEST(cross_entropy_rejects_an_out_of_range_target_on_a_counted_row) {
  LossCase c(5, 4, 9, 86);
  c.loss_weights[2] = 1.0;
  c.targets[2] = 9;
  NEOX_EXPECT_THROWS(c.run<float>(2, false), "target at row 2 is 9");
}

NEOX_TEST(classifier_logits_are_x_times_w_out_transposed) {
  LossCase c(3, 4, 5, 87);
  std::vector<double> logits(c.rows * c.vocab), expected(c.rows * c.vocab);
  classifier_logits(logits.data(), c.x.data(), c.weight.data(), c.rows, c.channels, c.vocab);
  for (int64_t r = 0; r < c.rows; ++r)
    for (int64_t v = 0; v < c.vocab; ++v)
      for (int64_t k = 0; k < c.channels; ++k) expected[r * c.vocab + v] += c.x[r * c.channels + k] * c.weight[v * c.channels + k];
  NEOX_EXPECT_CLOSE("logits", logits, expected, kReferenceTolerance);
}
