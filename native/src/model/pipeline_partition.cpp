#include "model/pipeline_partition.h"

#include <algorithm>
#include <regex>

#include "core/errors.h"
#include "model/param_layout.h"

namespace neox::model {

namespace {

const char kEmbedding[] = "EmbeddingPipe";
const char kBlock[] = "ParallelTransformerLayerPipe";
const char kNorm[] = "NormPipe";
const char kOutput[] = "ParallelLinearPipe";

struct Weights {
  int64_t embedding = 0, norm = 0, output = 0;
  std::vector<int64_t> blocks;
};

int64_t elements_of(const ParamLayout& layout, const std::string& prefix) {
  int64_t n = 0;
  for (const TensorSpec& spec : layout.tensors()) {
    if (spec.name.rfind(prefix, 0) == 0) n += spec.numel;
  }
  return n;
}

Weights weights_of(const ModelConfig& config, const std::string& method) {
  Weights w;
  w.blocks.assign(size_t(config.num_layers), 0);
  if (method == "uniform") {
    w.embedding = w.norm = w.output = 1;
    std::fill(w.blocks.begin(), w.blocks.end(), 1);
    return w;
  }
  if (method == "parameters") {
    const ParamLayout layout(config.pipeline_stage(0, config.num_layers, true, true));
    w.embedding = elements_of(layout, "embed.");
    w.norm = elements_of(layout, "final_norm.");
    w.output = config.tied_embeddings ? elements_of(layout, "embed.word_embeddings.") : elements_of(layout, "final_linear.");
    for (int64_t i = 0; i < config.num_layers; ++i) w.blocks[size_t(i)] = elements_of(layout, "layers." + std::to_string(i) + ".");
    return w;
  }
  NEOX_CHECK_ARG(method.rfind("type:", 0) == 0, "pipe_partition_method is '" << method
                 << "'; use 'type:transformer|mlp' (GPT-NeoX's default), 'parameters' or 'uniform'");
  std::regex pattern;
  try {
    pattern = std::regex(method.substr(5), std::regex::icase);
  } catch (const std::regex_error& e) {
    NEOX_CHECK_ARG(false, "pipe_partition_method '" << method << "' holds an invalid regular expression (" << e.what() << ")");
  }
  auto matches = [&](const char* name) { return std::regex_search(name, pattern) ? 1 : 0; };
  w.embedding = matches(kEmbedding);
  w.norm = matches(kNorm);
  w.output = matches(kOutput);
  std::fill(w.blocks.begin(), w.blocks.end(), matches(kBlock));
  NEOX_CHECK_ARG(matches(kBlock), "pipe_partition_method '" << method << "' matches no transformer block ("
                 << kBlock << "); use 'type:transformer|mlp'");
  return w;
}

}  // namespace

std::vector<int64_t> partition_layers(const ModelConfig& config, int64_t stages, const std::string& method) {
  const int64_t L = config.num_layers;
  NEOX_CHECK_ARG(stages >= 1 && stages <= L, "pipe_parallel_size " << stages << " exceeds num_layers " << L
                 << "; every pipeline stage needs at least one transformer block");
  const Weights w = weights_of(config, method);
  // Weight of stage s holding blocks [a, b).
  auto stage_weight = [&](int64_t s, int64_t a, int64_t b) {
    int64_t total = s == 0 ? w.embedding : 0;
    if (s == stages - 1) total += w.norm + w.output;
    for (int64_t i = a; i < b; ++i) total += w.blocks[size_t(i)];
    return total;
  };
  // Can stages s… take blocks [a, L) with every stage non-empty and at most `limit`?
  auto feasible = [&](int64_t limit) {
    std::vector<int64_t> bounds{0};
    int64_t a = 0;
    for (int64_t s = 0; s < stages; ++s) {
      const int64_t remaining_stages = stages - s - 1;
      int64_t b = a + 1;  // at least one block
      if (stage_weight(s, a, b) > limit) return std::vector<int64_t>{};
      // Greedy: take more while it fits and leaves a block for each later stage.
      while (b < L - remaining_stages && stage_weight(s, a, b + 1) <= limit) ++b;
      if (s == stages - 1) {
        if (b != L && stage_weight(s, a, L) > limit) return std::vector<int64_t>{};
        b = L;
      }
      bounds.push_back(b);
      a = b;
    }
    return bounds;
  };
  int64_t low = 0, high = stage_weight(0, 0, L) + w.norm + w.output + w.embedding;
  std::vector<int64_t> best = feasible(high);
  NEOX_ASSERT(!best.empty());
  while (low < high) {  // the smallest feasible bottleneck
    const int64_t mid = low + (high - low) / 2;
    std::vector<int64_t> bounds = feasible(mid);
    if (bounds.empty()) {
      low = mid + 1;
    } else {
      high = mid;
      best = std::move(bounds);
    }
  }
  return best;
}

}  // namespace neox::model
