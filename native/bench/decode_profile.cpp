// Per-op wall time of cached decode steps (model/decoder.h) on the Pythia-70M shape of
// `npm run bench -- generate` (no Node), for profiling. Not a test. Build: npm run build:native, then
//   NEOX_PROFILE_OPS=1 GOMP_SPINCOUNT=10000 OPENBLAS_CORETYPE=SKYLAKEX \
//     native/build/neox_decode_profile [batch (1)] [prompt (32)] [steps (32)]
// (the environment variables are what native/ts/native.ts sets for the addon on this CPU).
// Prefills `batch` prompts, then times `steps` one-token decode steps of all of them; prints the
// mean step time and the op table of the decode steps.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <vector>

#include "core/threads.h"
#include "model/decoder.h"
#include "model/op_profile.h"

using namespace neox::model;

int main(int argc, char** argv) {
  const int64_t batch = argc > 1 ? std::atoll(argv[1]) : 1;
  const int64_t prompt = argc > 2 ? std::atoll(argv[2]) : 32;
  const int64_t steps = argc > 3 ? std::atoll(argv[3]) : 32;
  if (batch < 1 || prompt < 1 || steps < 1 || prompt + steps > 2048) {
    std::fprintf(stderr, "usage: neox_decode_profile [batch >= 1] [prompt >= 1] [steps >= 1] (prompt + steps <= 2048)\n");
    return 2;
  }
  ModelConfig c;
  c.num_layers = 6;
  c.hidden_size = 512;
  c.num_heads = c.num_kv_heads = 8;
  c.seq_length = c.max_position_embeddings = 2048;
  c.vocab_size = 50304;
  c.mlp_linear1_width = c.mlp_linear2_width = 2048;
  c.pos_emb = PositionKind::rotary;
  c.rotary_pct = 0.25;
  c.parallel_residual = true;
  c.tied_embeddings = false;
  neox::set_num_threads(0);
  GptModel<float> model(c);
  model.initialize(1);
  Decoder<float> decoder(model);
  std::vector<int32_t> tokens(size_t(batch * prompt));
  for (size_t i = 0; i < tokens.size(); ++i) tokens[i] = int32_t((i * 7919) % 50304);
  std::vector<DecodeFeed> feeds;
  for (int64_t b = 0; b < batch; ++b) {
    decoder.open(b);
    feeds.push_back({b, tokens.data() + b * prompt, prompt, false});
  }
  std::vector<float> logits(size_t(batch * c.vocab_size));
  decoder.extend(feeds, logits.data());
  OpProfile::reset();
  const auto start = std::chrono::steady_clock::now();
  for (int64_t s = 0; s < steps; ++s) {
    for (DecodeFeed& f : feeds) f.count = 1;  // feed each sequence's first prompt token again
    decoder.extend(feeds, logits.data());
  }
  const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();
  std::printf("pythia-70m decode: batch %lld, prompt %lld, %lld steps, %d threads: %.2f ms/step\n", (long long)batch,
              (long long)prompt, (long long)steps, neox::num_threads(), ms / double(steps));
  if (OpProfile::enabled()) std::cout << OpProfile::report();
  return 0;
}
