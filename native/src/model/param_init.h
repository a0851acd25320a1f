// Initial parameter values (reference §1.8), drawn from the run seed alone: element e of tensor k
// (its index in the whole model's layout, TensorSpec::init_key, also on a pipeline stage) gets a normal (or uniform) draw from a counter-based generator keyed by (seed, k, e), so the
// values do not depend on the thread count or on the order of evaluation. e is the element's
// index in the whole (global) tensor, so a tensor-parallel shard holds exactly its slice of the
// single-process values. They match GPT-NeoX's
// distributions, not its PyTorch RNG stream (which cannot be reproduced outside PyTorch).
//   init_method tensors (embeddings, QKV, MLP linear1, final_linear): config.init_method
//   output_layer_init_method tensors (attention dense, MLP linear2): config.output_init_method
//   biases 0, norm weights/scales 1, norm biases 0
//   normal N(0, σ) · scaled_normal N(0, σ/√(2L)) · single_residual_scaled_normal N(0, σ/√L) ·
//   small_init N(0, √(2/(5C))) · wang_init N(0, 2/(L·√C)) · xavier_normal N(0, √(2/(fan_in+fan_out))) ·
//   xavier_uniform U(±√(6/(fan_in+fan_out)))       (σ = init_method_std)
#pragma once

#include <cstdint>

#include "model/model_config.h"
#include "model/param_layout.h"

namespace neox::model {

template <typename T>
void initialize_parameters(T* params, const ParamLayout& layout, const ModelConfig& config, uint64_t seed);

}  // namespace neox::model
