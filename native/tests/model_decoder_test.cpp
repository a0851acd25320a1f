// Cached decoding (model/decoder.h) against the full forward (GptModel::logits over the whole
// sequence): every logits row of prefills and decode steps, on the Pythia, Llama (GQA), GPT-2
// (learned positions, tied) and sliding-window configurations, with sequences of different lengths
// joining and leaving a batch; errors change nothing.
#include <algorithm>
#include <cmath>
#include <functional>
#include <string>

#include "core/errors.h"
#include "model/decoder.h"
#include "model_test_util.h"

using namespace neox::model;
using namespace neox::testing;

namespace {

ModelConfig longer(ModelConfig c, int64_t positions) {
  c.seq_length = positions;
  c.max_position_embeddings = positions + c.position_offset;
  return c;
}

// Rows of the full forward of `tokens` (one sequence): (n, V).
std::vector<float> full_logits(GptModel<float>& m, const std::vector<int32_t>& tokens) {
  std::vector<float> out(tokens.size() * size_t(m.config().vocab_size));
  m.logits(out.data(), tokens.data(), 1, int64_t(tokens.size()));
  return out;
}

// Largest |a − b| over one row, relative to the row's largest |b| (at least 1).
double row_error(const float* a, const float* b, int64_t V) {
  double diff = 0, scale = 1;
  for (int64_t v = 0; v < V; ++v) {
    diff = std::max(diff, std::fabs(double(a[v]) - double(b[v])));
    scale = std::max(scale, std::fabs(double(b[v])));
  }
  return diff / scale;
}

std::vector<int32_t> random_ids(const ModelConfig& c, int64_t n, uint64_t seed) {
  TestRng rng(seed);
  std::vector<int32_t> ids(static_cast<size_t>(n));
  for (int32_t& t : ids) t = rng.index(c.vocab_size);
  return ids;
}

// Three sequences: A and B prefill together (A with every row, B with its last row only), decode
// together; C joins mid-way (prefill in the same call as a decode step of A and B); B leaves.
// Every row returned must match the full forward of the sequence so far.
void check_against_full_forward(const ModelConfig& config, const std::string& name) {
  GptModel<float> m(config);
  randomize_parameters(m, 77);
  Decoder<float> d(m);
  const int64_t V = config.vocab_size;
  std::vector<int32_t> a = random_ids(config, 7, 1), b = random_ids(config, 3, 2), c = random_ids(config, 5, 3);
  const std::vector<int32_t> extra_a = random_ids(config, 8, 4), extra_b = random_ids(config, 8, 5),
                             extra_c = random_ids(config, 8, 6);
  double worst = 0;
  auto expect_row = [&](const std::vector<int32_t>& seq, int64_t position, const float* row, const char* what) {
    const std::vector<float> full = full_logits(m, std::vector<int32_t>(seq.begin(), seq.begin() + position + 1));
    const double error = row_error(row, full.data() + position * V, V);
    worst = std::max(worst, error);
    NEOX_EXPECT(error <= 1e-5) << name << ": " << what << " row at position " << position << " differs by " << error;
  };

  d.open(10);
  d.open(11);
  std::vector<float> out(size_t((7 + 1) * V));
  d.extend({{10, a.data(), 7, true}, {11, b.data(), 3, false}}, out.data());
  for (int64_t t = 0; t < 7; ++t) expect_row(a, t, out.data() + t * V, "prefill A");
  expect_row(b, 2, out.data() + 7 * V, "prefill B");

  for (int64_t step = 0; step < 8; ++step) {
    a.push_back(extra_a[size_t(step)]);
    std::vector<DecodeFeed> feeds = {{10, &a.back(), 1, false}};
    if (step < 4) {
      b.push_back(extra_b[size_t(step)]);
      feeds.push_back({11, &b.back(), 1, false});
    }
    if (step == 2) {
      d.open(12);
      feeds.push_back({12, c.data(), int64_t(c.size()), false});
    } else if (step > 2) {
      c.push_back(extra_c[size_t(step)]);
      feeds.push_back({12, &c.back(), 1, false});
    }
    if (step == 4) d.release(11);
    std::vector<float> rows(size_t(d.output_rows(feeds) * V));
    d.extend(feeds, rows.data());
    expect_row(a, int64_t(a.size()) - 1, rows.data(), "decode A");
    int64_t next = 1;
    if (step < 4) expect_row(b, int64_t(b.size()) - 1, rows.data() + V * next++, "decode B");
    if (step >= 2) expect_row(c, int64_t(c.size()) - 1, rows.data() + V * next++, "decode C");
  }
  NEOX_EXPECT(d.length(10) == 15 && d.length(12) == 10 && !d.has(11)) << name;
}

}  // namespace

NEOX_TEST(decoder_matches_full_forward_pythia) { check_against_full_forward(longer(tiny_pythia_config(), 16), "pythia"); }
NEOX_TEST(decoder_matches_full_forward_llama_gqa) { check_against_full_forward(longer(tiny_llama_config(), 16), "llama"); }
NEOX_TEST(decoder_matches_full_forward_gpt2_learned) { check_against_full_forward(longer(tiny_gpt2_config(), 16), "gpt2"); }
NEOX_TEST(decoder_matches_full_forward_sliding_window) {
  ModelConfig c = longer(tiny_llama_config(), 16);
  c.sliding_window = 3;
  check_against_full_forward(c, "sliding window");
}
NEOX_TEST(decoder_matches_full_forward_no_positions_tied) {
  ModelConfig c = longer(tiny_pythia_config(), 16);
  c.pos_emb = PositionKind::none;
  c.tied_embeddings = true;
  c.parallel_residual = false;
  check_against_full_forward(c, "no positions");
}

// A prompt longer than one query block (64 rows) and decode steps after it.
NEOX_TEST(decoder_long_prompt_crosses_query_blocks) {
  const ModelConfig config = longer(tiny_llama_config(), 150);
  GptModel<float> m(config);
  randomize_parameters(m, 5);
  Decoder<float> d(m);
  const int64_t V = config.vocab_size;
  std::vector<int32_t> seq = random_ids(config, 140, 9);
  d.open(1);
  std::vector<float> out(size_t(140 * V));
  d.extend({{1, seq.data(), 140, true}}, out.data());
  const std::vector<int32_t> more = random_ids(config, 3, 10);
  for (int32_t token : more) {
    seq.push_back(token);
    std::vector<float> row(static_cast<size_t>(V));
    d.extend({{1, &seq.back(), 1, false}}, row.data());
    const std::vector<float> full = full_logits(m, seq);
    const double error = row_error(row.data(), full.data() + (int64_t(seq.size()) - 1) * V, V);
    NEOX_EXPECT(error <= 1e-5) << "decode after a 140-token prompt differs by " << error;
  }
  const std::vector<float> full = full_logits(m, std::vector<int32_t>(seq.begin(), seq.begin() + 140));
  double worst = 0;
  for (int64_t t = 0; t < 140; ++t) worst = std::max(worst, row_error(out.data() + t * V, full.data() + t * V, V));
  NEOX_EXPECT(worst <= 1e-5) << "prefill rows differ by " << worst;
}

namespace {

std::string error_of(const std::function<void()>& fn) {
  try {
    fn();
  } catch (const neox::Error& e) {
    return e.what();
  }
  return "(no error)";
}

}  // namespace

NEOX_TEST(decoder_refuses_bad_feeds_and_changes_nothing) {
  const ModelConfig config = tiny_pythia_config();  // 8 positions
  GptModel<float> m(config);
  randomize_parameters(m, 3);
  Decoder<float> d(m);
  d.open(1);
  std::vector<int32_t> ok = {1, 2, 3};
  std::vector<float> out(size_t(4 * config.vocab_size));
  d.extend({{1, ok.data(), 3, false}}, out.data());
  const std::vector<int32_t> bad_id = {4, 11};
  const std::vector<int32_t> six(6, 1);
  auto expect_message = [](const std::string& got, const std::string& want) {
    NEOX_EXPECT(got.find(want) != std::string::npos) << "got '" << got << "', want it to contain '" << want << "'";
  };
  expect_message(error_of([&] { d.extend({{1, ok.data(), 1, false}, {2, ok.data(), 1, false}}, out.data()); }),
                 "decoder: sequence 2 is not open (never opened or already released)");
  expect_message(error_of([&] { d.extend({{1, bad_id.data(), 2, false}}, out.data()); }),
                 "decoder: token id 11 of sequence 1 (new token 1) is outside [0, 11) (padded_vocab_size)");
  expect_message(error_of([&] { d.extend({{1, six.data(), 6, false}}, out.data()); }),
                 "decoder: sequence 1 would hold 9 positions (3 cached + 6 new), more than the model's 8");
  expect_message(error_of([&] { d.extend({{1, ok.data(), 1, false}, {1, ok.data(), 1, false}}, out.data()); }),
                 "decoder: sequence 1 appears twice in one call");
  expect_message(error_of([&] { d.extend({{1, ok.data(), 0, false}}, out.data()); }), "has 0 tokens; give at least one");
  expect_message(error_of([&] { d.open(1); }), "decoder: sequence 1 is already open");
  NEOX_EXPECT(d.length(1) == 3) << "a refused call changed the cache length to " << d.length(1);
  // The cache is intact: the next step still matches the full forward.
  std::vector<int32_t> seq = {1, 2, 3, 5};
  d.extend({{1, &seq.back(), 1, false}}, out.data());
  const std::vector<float> full = full_logits(m, seq);
  NEOX_EXPECT(row_error(out.data(), full.data() + 3 * config.vocab_size, config.vocab_size) <= 1e-5);
  d.release(1);
  expect_message(error_of([&] { d.release(1); }), "decoder: sequence 1 is not open");
}

// An output layer large enough (V·C ≥ 2^22) that decode steps of several sequences stream it
// (skinny_matmul) and of one sequence use gemv: both still match the full forward.
NEOX_TEST(decoder_large_output_layer_matches_full_forward) {
  ModelConfig config = longer(tiny_pythia_config(), 16);
  config.hidden_size = 64;
  config.num_heads = 4;
  config.num_kv_heads = 4;
  config.num_layers = 1;
  config.vocab_size = 65536;
  GptModel<float> m(config);
  randomize_parameters(m, 8);
  Decoder<float> d(m);
  const int64_t V = config.vocab_size;
  std::vector<std::vector<int32_t>> seqs = {random_ids(config, 3, 1), random_ids(config, 5, 2), random_ids(config, 2, 3)};
  std::vector<DecodeFeed> feeds;
  for (int64_t i = 0; i < 3; ++i) {
    d.open(i);
    feeds.push_back({i, seqs[size_t(i)].data(), int64_t(seqs[size_t(i)].size()), false});
  }
  std::vector<float> rows(size_t(3 * V));
  d.extend(feeds, rows.data());
  for (int64_t step = 0; step < 3; ++step) {
    const int64_t active = step == 2 ? 1 : 3;  // the last step decodes one sequence alone
    feeds.clear();
    for (int64_t i = 0; i < active; ++i) {
      seqs[size_t(i)].push_back(int32_t((step * 7919 + i * 104729) % V));
      feeds.push_back({i, &seqs[size_t(i)].back(), 1, false});
    }
    d.extend(feeds, rows.data());
    for (int64_t i = 0; i < active; ++i) {
      const std::vector<float> full = full_logits(m, seqs[size_t(i)]);
      const double error = row_error(rows.data() + i * V, full.data() + (int64_t(seqs[size_t(i)].size()) - 1) * V, V);
      NEOX_EXPECT(error <= 1e-5) << "step " << step << ", sequence " << i << ": relative error " << error;
    }
  }
}
