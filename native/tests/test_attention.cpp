// attention: forward vs plain softmax(QKᵀ/√HS)·V (MHA, GQA, window, dropout, T not a multiple of
// the 64-row block), backward vs finite differences, float vs double, determinism, dropout
// reproducibility.
#include <cmath>

#include "cpu/attention.h"
#include "op_test_util.h"

using namespace neox::cpu;
using namespace neox::testing;

namespace {

struct AttentionCase {
  QkvLayout layout;
  AttentionOptions options;
  std::vector<double> qkv, probe;
  AttentionCase(QkvLayout l, int64_t window, double dropout, uint64_t seed) : layout(l) {
    options.sliding_window = window;
    options.dropout = {dropout, 1234, 7};
    qkv = random_vector(layout.elements(), seed, -1.5, 1.5);
    probe = random_vector(layout.batch * layout.seq_len * layout.heads * layout.head_size, seed + 1);
  }
  int64_t out_elems() const { return layout.batch * layout.seq_len * layout.heads * layout.head_size; }
  int64_t lse_elems() const { return layout.batch * layout.heads * layout.seq_len; }
};

// The textbook computation, one query row at a time, with the same dropout keep rule.
void naive_attention(std::vector<double>& out, std::vector<double>& lse, const AttentionCase& c) {
  const QkvLayout& L = c.layout;
  const int64_t T = L.seq_len, HS = L.head_size, NH = L.heads;
  const DropoutMask mask(c.options.dropout);
  out.assign(c.out_elems(), 0.0);
  lse.assign(c.lse_elems(), 0.0);
  for (int64_t b = 0; b < L.batch; ++b)
    for (int64_t h = 0; h < NH; ++h)
      for (int64_t i = 0; i < T; ++i) {
        const int64_t kvh = h / (NH / L.kv_heads);
        std::vector<double> score(T, -INFINITY);
        double mx = -INFINITY;
        for (int64_t j = 0; j <= i; ++j) {
          if (c.options.sliding_window >= 0 && j < i - c.options.sliding_window) continue;
          double s = 0;
          for (int64_t d = 0; d < HS; ++d) s += c.qkv[L.q_index(b, i, h) + d] * c.qkv[L.k_index(b, j, kvh) + d];
          score[j] = s / std::sqrt(double(HS));
          mx = std::max(mx, score[j]);
        }
        double sum = 0;
        for (int64_t j = 0; j < T; ++j) sum += std::exp(score[j] - mx);
        lse[(b * NH + h) * T + i] = mx + std::log(sum);
        for (int64_t j = 0; j < T; ++j) {
          double p = std::exp(score[j] - mx) / sum;
          if (mask.active()) p = mask.keep(uint64_t(((b * NH + h) * T + i) * T + j)) ? p * mask.keep_scale() : 0.0;
          for (int64_t d = 0; d < HS; ++d) out[((b * T + i) * NH + h) * HS + d] += p * c.qkv[L.v_index(b, j, kvh) + d];
        }
      }
}

template <typename T>
struct AttentionRun {
  std::vector<T> out, lse, dqkv;
  explicit AttentionRun(const AttentionCase& c, bool with_backward = true) {
    const auto qkv = cast_vector<T>(c.qkv), probe = cast_vector<T>(c.probe);
    out.resize(c.out_elems()), lse.resize(c.lse_elems());
    attention_forward(out.data(), lse.data(), qkv.data(), c.layout, c.options);
    if (!with_backward) return;
    dqkv.assign(qkv.size(), T(0));
    attention_backward(dqkv.data(), probe.data(), qkv.data(), out.data(), lse.data(), c.layout, c.options);
  }
};

void expect_matches_naive(const AttentionCase& c, const char* what) {
  std::vector<double> out, lse;
  naive_attention(out, lse, c);
  AttentionRun<double> run(c, false);
  NEOX_EXPECT_CLOSE(what << " out", run.out, out, kReferenceTolerance);
  NEOX_EXPECT_CLOSE(what << " lse", run.lse, lse, kReferenceTolerance);
}

void expect_gradient_matches_finite_differences(AttentionCase c, const char* what) {
  AttentionRun<double> run(c);
  auto loss = [&] { return dot(AttentionRun<double>(c, false).out, c.probe); };
  NEOX_EXPECT_CLOSE(what << " dqkv", run.dqkv, numeric_gradient(c.qkv, loss), kFiniteDifferenceTolerance);
}

}  // namespace

NEOX_TEST(attention_forward_matches_naive_softmax_attention) {
  expect_matches_naive(AttentionCase(QkvLayout::interleaved(2, 150, 3, 16), -1, 0.0, 50), "MHA T=150");
  expect_matches_naive(AttentionCase(QkvLayout::grouped(2, 130, 4, 2, 8), -1, 0.0, 51), "GQA T=130");
  expect_matches_naive(AttentionCase(QkvLayout::grouped(1, 200, 4, 1, 8), 37, 0.0, 52), "MQA window 37");
  expect_matches_naive(AttentionCase(QkvLayout::interleaved(1, 70, 2, 8), 0, 0.0, 53), "window 0 (self only)");
  expect_matches_naive(AttentionCase(QkvLayout::interleaved(3, 1, 2, 8), -1, 0.0, 54), "T=1");
  expect_matches_naive(AttentionCase(QkvLayout::grouped(1, 140, 4, 2, 8), 70, 0.25, 55), "dropout 0.25 + window");
  expect_matches_naive(AttentionCase(QkvLayout::interleaved(1, 100, 2, 128), 45, 0.0, 56), "HS=128 (64x32 blocks)");
  expect_matches_naive(AttentionCase(QkvLayout::grouped(1, 90, 2, 1, 256), -1, 0.1, 57), "HS=256 (64x16 blocks)");
}

NEOX_TEST(attention_backward_matches_finite_differences_mha) {
  expect_gradient_matches_finite_differences(AttentionCase(QkvLayout::interleaved(2, 70, 2, 4), -1, 0.0, 60), "MHA T=70");
}

NEOX_TEST(attention_backward_matches_finite_differences_gqa_window) {
  expect_gradient_matches_finite_differences(AttentionCase(QkvLayout::grouped(1, 70, 4, 2, 4), 20, 0.0, 61),
                                             "GQA window 20");
  // Window 1: query 64 (first row of the second query block) sees key 63 (last of the first key block).
  expect_gradient_matches_finite_differences(AttentionCase(QkvLayout::interleaved(1, 70, 1, 4), 1, 0.0, 67),
                                             "window 1 across the block edge");
}

NEOX_TEST(attention_backward_matches_finite_differences_with_key_blocks_smaller_than_query_blocks) {
  // HS=128 uses 64-query x 32-key blocks: the key block [32, 40) meets masked query rows 0..31.
  expect_gradient_matches_finite_differences(AttentionCase(QkvLayout::interleaved(1, 40, 1, 128), -1, 0.0, 68),
                                             "HS=128 T=40");
}

NEOX_TEST(attention_backward_matches_finite_differences_with_dropout) {
  expect_gradient_matches_finite_differences(AttentionCase(QkvLayout::grouped(1, 67, 2, 1, 4), -1, 0.3, 62),
                                             "MQA dropout 0.3");
}

NEOX_TEST(attention_float_matches_double) {
  AttentionCase c(QkvLayout::grouped(2, 200, 4, 1, 32), 100, 0.0, 63);
  AttentionRun<double> d(c);
  AttentionRun<float> f(c);
  NEOX_EXPECT_CLOSE("out", f.out, d.out, kFloatTolerance);
  NEOX_EXPECT_CLOSE("lse", f.lse, d.lse, kFloatTolerance);
  NEOX_EXPECT_CLOSE("dqkv", f.dqkv, d.dqkv, kFloatTolerance);
}

NEOX_TEST(attention_is_bitwise_identical_across_runs_and_thread_counts) {
  AttentionCase c(QkvLayout::grouped(2, 300, 4, 2, 32), -1, 0.1, 64);
  auto run_with = [&](int threads) {
    ThreadCountScope scope(threads);
    return AttentionRun<float>(c);
  };
  const auto one = run_with(1), two = run_with(2), again = run_with(2);
  for (const auto* other : {&two, &again}) {
    NEOX_EXPECT(bitwise_equal(one.out, other->out) && bitwise_equal(one.lse, other->lse));
    NEOX_EXPECT(bitwise_equal(one.dqkv, other->dqkv));
  }
}

NEOX_TEST(attention_dropout_depends_only_on_seed_and_offset) {
  AttentionCase c(QkvLayout::interleaved(1, 80, 2, 8), -1, 0.2, 65);
  const auto first = AttentionRun<float>(c, false).out;
  NEOX_EXPECT(bitwise_equal(first, AttentionRun<float>(c, false).out)) << "same seed and offset differ";
  c.options.dropout.offset = 8;
  NEOX_EXPECT(!bitwise_equal(first, AttentionRun<float>(c, false).out)) << "a new offset gave the same mask";
}

NEOX_TEST(attention_rejects_heads_not_divisible_by_kv_heads) {
  AttentionCase c(QkvLayout::grouped(1, 4, 4, 2, 4), -1, 0.0, 66);
  c.layout.kv_heads = 3;
  std::vector<float> out(64), lse(16), qkv(200);
  NEOX_EXPECT_THROWS(attention_forward(out.data(), lse.data(), qkv.data(), c.layout, c.options),
                     "not a multiple of num_kv_heads 3");
}

NEOX_TEST(attention_dropout_of_a_head_range_equals_the_whole_models) {
  // A tensor-parallel shard holding heads 2–3 of 4 draws the mask the whole model draws for them.
  const int64_t B = 2, T = 70, HS = 8;
  AttentionCase whole(QkvLayout::interleaved(B, T, 4, HS), -1, 0.3, 67);
  const AttentionRun<double> all(whole);
  auto shard_of = [&](int64_t first, bool keyed_globally) {
    AttentionCase shard(QkvLayout::interleaved(B, T, 2, HS), -1, 0.3, 67);
    if (keyed_globally) shard.options.dropout_first_head = first, shard.options.dropout_total_heads = 4;
    for (int64_t b = 0; b < B; ++b)
      for (int64_t t = 0; t < T; ++t)
        for (int64_t h = 0; h < 2; ++h)
          for (int64_t d = 0; d < HS; ++d) {
            shard.qkv[shard.layout.q_index(b, t, h) + d] = whole.qkv[whole.layout.q_index(b, t, first + h) + d];
            shard.qkv[shard.layout.k_index(b, t, h) + d] = whole.qkv[whole.layout.k_index(b, t, first + h) + d];
            shard.qkv[shard.layout.v_index(b, t, h) + d] = whole.qkv[whole.layout.v_index(b, t, first + h) + d];
            shard.probe[((b * T + t) * 2 + h) * HS + d] = whole.probe[((b * T + t) * 4 + first + h) * HS + d];
          }
    return std::make_pair(shard, AttentionRun<double>(shard));
  };
  for (int64_t first : {0, 2}) {
    const auto [shard, part] = shard_of(first, true);
    std::vector<double> out, dqkv;
    for (int64_t b = 0; b < B; ++b)
      for (int64_t t = 0; t < T; ++t)
        for (int64_t h = 0; h < 2; ++h)
          for (int64_t d = 0; d < HS; ++d) {
            out.push_back(all.out[((b * T + t) * 4 + first + h) * HS + d]);
            for (auto index : {&QkvLayout::q_index, &QkvLayout::k_index, &QkvLayout::v_index}) {
              NEOX_EXPECT(part.dqkv[(shard.layout.*index)(b, t, h) + d] == all.dqkv[(whole.layout.*index)(b, t, first + h) + d]);
            }
          }
    NEOX_EXPECT(bitwise_equal(part.out, out)) << "heads " << first << "–" << first + 1;
  }
  // Keyed by the shard's own head indices, heads 2–3 would draw heads 0–1's mask instead.
  const auto [shard, local] = shard_of(2, false);
  const auto [shard2, global] = shard_of(2, true);
  NEOX_EXPECT(!bitwise_equal(local.out, global.out));
}

NEOX_TEST(attention_rejects_dropout_heads_outside_the_model) {
  AttentionCase c(QkvLayout::interleaved(1, 4, 2, 4), -1, 0.1, 68);
  c.options.dropout_first_head = 3;
  c.options.dropout_total_heads = 4;
  std::vector<float> out(32), lse(8), qkv(96);
  NEOX_EXPECT_THROWS(attention_forward(out.data(), lse.data(), qkv.data(), c.layout, c.options),
                     "dropout heads 3 … 4 are not among the model's 4 heads");
}
