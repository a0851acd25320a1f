// rotary: the rotary-dims rule, tables vs PyTorch's fp32 tables, forward vs the rotate-half
// formula (partial rotary, GQA layout, position offset), backward vs finite differences.
#include <cmath>

#include "cpu/rotary.h"
#include "op_test_util.h"

using namespace neox::cpu;
using namespace neox::testing;

NEOX_TEST(rotary_dims_follow_the_gpt_neox_rule) {
  NEOX_EXPECT(rotary_dims(64, 0.25) == 16);   // Pythia-70M
  NEOX_EXPECT(rotary_dims(80, 0.25) == 20);   // Pythia-2.8B
  NEOX_EXPECT(rotary_dims(32, 0.25) == 8);    // Pythia-14M
  NEOX_EXPECT(rotary_dims(128, 1.0) == 128);  // Llama
  NEOX_EXPECT_THROWS(rotary_dims(10, 0.3), "must be even");
}

NEOX_TEST(rotary_float_tables_match_pytorch_fp32_tables) {
  // Values printed by torch 2.13 for GPT-NeoX's RotaryEmbedding (dim 16, base 10000, fp32):
  // inv_freq = 1/(base ** (arange(0, 16, 2).float()/16)), freqs = outer(arange(2048).float(), inv_freq).
  struct Expected { int64_t p, j; double cos, sin; };
  const Expected expected[] = {{1, 0, 0.5403023362159729, 0.8414709568023682},
                               {1000, 1, -0.4773979187011719, 0.8786872029304504},
                               {2047, 3, -0.3232646882534027, 0.9463086128234863},
                               {2047, 7, 0.7977038621902466, 0.6030493974685669},
                               {777, 5, -0.7747335433959961, 0.632287859916687}};
  std::vector<float> cos_table(2048 * 8), sin_table(2048 * 8);
  rotary_tables(cos_table.data(), sin_table.data(), 2048, 16, 10000.0);
  for (const Expected& e : expected) {
    NEOX_EXPECT_NEAR(cos_table[e.p * 8 + e.j], e.cos, 1.2e-7) << " p=" << e.p << " j=" << e.j;
    NEOX_EXPECT_NEAR(sin_table[e.p * 8 + e.j], e.sin, 1.2e-7) << " p=" << e.p << " j=" << e.j;
  }
  std::vector<double> cos_d(2048 * 8), sin_d(2048 * 8);
  rotary_tables(cos_d.data(), sin_d.data(), 2048, 16, 10000.0);
  NEOX_EXPECT_NEAR(cos_d[1000 * 8 + 1], std::cos(1000 * std::pow(10000.0, -2.0 / 16)), 1e-12);
}

namespace {

struct RotaryCase {
  QkvLayout layout = QkvLayout::grouped(2, 5, 4, 2, 8);  // B=2, T=5, NH=4, NKV=2, HS=8
  int64_t rdims = rotary_dims(8, 0.5);                    // partial: 4 of 8 dims
  int64_t offset = 3, positions = 12;
  std::vector<double> cos_table = std::vector<double>(positions * rdims / 2);
  std::vector<double> sin_table = std::vector<double>(positions * rdims / 2);
  std::vector<double> qkv = random_vector(layout.elements(), 40);
  std::vector<double> probe = random_vector(layout.elements(), 41);
  RotaryCase() { rotary_tables(cos_table.data(), sin_table.data(), positions, rdims, 10000.0); }
  std::vector<double> rotated() const {
    std::vector<double> x = qkv;
    rotary_forward(x.data(), layout, cos_table.data(), sin_table.data(), positions, rdims, offset);
    return x;
  }
};

}  // namespace

NEOX_TEST(rotary_forward_rotates_half_pairs_of_q_and_k_only) {
  RotaryCase c;
  const std::vector<double> y = c.rotated();
  std::vector<double> expected = c.qkv;  // v and dims >= r pass through
  const int64_t half = c.rdims / 2;
  for (int64_t b = 0; b < c.layout.batch; ++b)
    for (int64_t t = 0; t < c.layout.seq_len; ++t) {
      const double p = double(t + c.offset);
      auto rotate = [&](int64_t start) {
        for (int64_t j = 0; j < half; ++j) {
          const double theta = p * std::pow(10000.0, -2.0 * double(j) / double(c.rdims));
          const double x1 = c.qkv[start + j], x2 = c.qkv[start + j + half];
          expected[start + j] = x1 * std::cos(theta) - x2 * std::sin(theta);
          expected[start + j + half] = x2 * std::cos(theta) + x1 * std::sin(theta);
        }
      };
      for (int64_t h = 0; h < c.layout.heads; ++h) rotate(c.layout.q_index(b, t, h));
      for (int64_t h = 0; h < c.layout.kv_heads; ++h) rotate(c.layout.k_index(b, t, h));
    }
  NEOX_EXPECT_CLOSE("rotated qkv", y, expected, kReferenceTolerance);
}

NEOX_TEST(rotary_backward_matches_finite_differences) {
  RotaryCase c;
  std::vector<double> dqkv = c.probe;
  rotary_backward(dqkv.data(), c.layout, c.cos_table.data(), c.sin_table.data(), c.positions, c.rdims, c.offset);
  auto loss = [&] { return dot(c.rotated(), c.probe); };
  NEOX_EXPECT_CLOSE("dqkv", dqkv, numeric_gradient(c.qkv, loss), kFiniteDifferenceTolerance);
}

NEOX_TEST(rotary_rejects_tables_shorter_than_the_positions_used) {
  RotaryCase c;
  c.offset = 8;  // positions up to 13 > 12
  NEOX_EXPECT_THROWS(c.rotated(), "exceed the 12-position");
}
