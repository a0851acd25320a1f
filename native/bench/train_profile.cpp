// Per-op wall time of training steps of the native model (no Node), for profiling the shapes of
// `npm run bench -- train`. Not a test. Build: npm run build:native, then
//   NEOX_PROFILE_OPS=1 GOMP_SPINCOUNT=10000 OPENBLAS_CORETYPE=SKYLAKEX \
//     native/build/neox_train_profile [pythia-14m|pythia-70m|pythia-70m-2k|gpt2-124m] [steps]
// (the environment variables are what native/ts/native.ts sets for the addon on this CPU).
// Prints each step's time and phases, then the op table over all steps but the first.
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "core/threads.h"
#include "model/op_profile.h"
#include "model/trainer.h"

using namespace neox::model;

namespace {

struct Shape {
  const char* name;
  int64_t layers, hidden, heads, batch, seq;
  bool gpt2;  // learned positions, tied, sequential; else Pythia (rotary 0.25, untied, parallel)
};

constexpr Shape kShapes[] = {
    {"pythia-14m", 6, 128, 4, 8, 256, false},
    {"pythia-70m", 6, 512, 8, 8, 256, false},
    {"pythia-70m-2k", 6, 512, 8, 1, 2048, false},
    {"gpt2-124m", 12, 768, 12, 4, 256, true},
};

}  // namespace

int main(int argc, char** argv) {
  const std::string wanted = argc > 1 ? argv[1] : "pythia-70m";
  const int steps = argc > 2 ? std::atoi(argv[2]) : 4;
  const Shape* shape = nullptr;
  for (const Shape& s : kShapes) {
    if (wanted == s.name) shape = &s;
  }
  if (shape == nullptr || steps < 2) {
    std::fprintf(stderr, "usage: neox_train_profile [pythia-14m|pythia-70m|pythia-70m-2k|gpt2-124m] [steps >= 2]\n");
    return 2;
  }
  ModelConfig c;
  c.num_layers = shape->layers;
  c.hidden_size = shape->hidden;
  c.num_heads = c.num_kv_heads = shape->heads;
  c.seq_length = c.max_position_embeddings = shape->seq;
  c.vocab_size = 50304;
  c.mlp_linear1_width = c.mlp_linear2_width = 4 * shape->hidden;
  c.activation = MlpActivation::gelu_tanh;
  c.pos_emb = shape->gpt2 ? PositionKind::learned : PositionKind::rotary;
  c.rotary_pct = 0.25;
  c.parallel_residual = !shape->gpt2;
  c.tied_embeddings = shape->gpt2;
  c.init_method = InitMethod::small_init;
  c.output_init_method = InitMethod::wang_init;
  TrainingConfig t;
  t.micro_batch = shape->batch;
  t.beta2 = 0.95;
  Trainer trainer(c, t, 1, 0);
  std::vector<int32_t> tokens(size_t(shape->batch * (shape->seq + 1)));
  for (size_t i = 0; i < tokens.size(); ++i) tokens[i] = int32_t((i * 7919) % 50304);
  std::printf("%s B=%ld T=%ld, %d threads, profiling %s\n", shape->name, long(shape->batch), long(shape->seq),
              neox::num_threads(), OpProfile::enabled() ? "on" : "off (set NEOX_PROFILE_OPS=1)");
  for (int s = 0; s < steps; ++s) {
    const StepResult r = trainer.train_step(tokens.data(), int64_t(tokens.size()), nullptr, 0, 1e-4, s);
    if (s == 0) OpProfile::reset();  // the first step allocates the workspace
    std::printf("step %d: %.0f ms (forward+loss %.0f, backward %.0f, optimizer %.0f), %.0f tokens/s\n", s,
                r.timings.total_ms, r.timings.forward_ms, r.timings.backward_ms, r.timings.optimizer_ms,
                double(shape->batch * shape->seq) / r.timings.total_ms * 1e3);
  }
  std::printf("%s", OpProfile::report().c_str());
  return 0;
}
