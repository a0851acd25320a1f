// Which transformer blocks each pipeline stage holds (GPT-NeoX's pipe_partition_method, applied
// by DeepSpeed's PipelineModule to the layer list [EmbeddingPipe, ParallelTransformerLayerPipe ×
// L, NormPipe, ParallelLinearPipe]):
//   "uniform"        every layer of that list weighs 1;
//   "parameters"     each layer weighs its parameter count (this rank's tensor-parallel shard);
//   "type:<regex>"   layers whose class name matches the regex (case-insensitive) weigh 1, the
//                    others 0; GPT-NeoX's default "type:transformer|mlp" counts the blocks.
// The stages take contiguous runs of that list with the heaviest stage as light as possible
// (DeepSpeed's partition_balanced), earlier stages filled first when several splits tie. Here the
// embedding always sits on the first stage and the final norm and output layer on the last, and
// every stage holds at least one block.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "model/model_config.h"

namespace neox::model {

// Stage s holds blocks [bounds[s], bounds[s + 1]); bounds has stages + 1 entries. Throws naming
// pipe_partition_method or pipe_parallel_size when the method is unknown, matches no block, or
// there are fewer blocks than stages.
std::vector<int64_t> partition_layers(const ModelConfig& config, int64_t stages, const std::string& method);

}  // namespace neox::model
