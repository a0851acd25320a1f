// Where one engine sits in a dp × pp × tp run (Megatron rank order, comm/topology.h) and the
// communicators it trains through. A single-process engine has the trivial context: every degree
// 1 and no communicators.
//
// Groups: `world` joins every rank; `dp`, `tp`, `pp` are made from it (create_group) only when
// their size is > 1, and are null otherwise, so code asks `dp_size() > 1` before communicating.
// Every rank creates its groups in the same order (tp, pp, dp), as create_group requires.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "comm/communicator.h"
#include "comm/topology.h"
#include "model/model_config.h"

namespace neox::model {

// The parallel settings an engine reads from the config (GPT-NeoX / DeepSpeed keys).
struct ParallelConfig {
  comm::ParallelDims dims;           // model_parallel_size, pipeline_stages, data_parallel_size
  int zero_stage = 0;                // zero_optimization.stage: 0, 1 or 2
  int64_t reduce_bucket_elements = 500000000;  // zero_optimization.reduce_bucket_size (elements)
  bool overlap_comm = false;         // zero_optimization.overlap_comm: reduce buckets during backward
  std::string partition_method = "type:transformer|mlp";  // pipe_partition_method (pipeline_partition.h)

  // Throws InvalidArgument naming the key for values the engine cannot run.
  void validate() const;
  // Also checks that `model` splits over these degrees (heads, widths and vocabulary over tp,
  // blocks over the pipeline stages), before any rank joins the run.
  void validate_for(const ModelConfig& model) const;
};

// `value` of every member of `group`, in group-rank order, bitwise alike on every member (sent as
// three floats: exact while its parts stay in float range). {value} without a group.
std::vector<double> all_gather_doubles(comm::Communicator* group, double value);

class ParallelContext {
 public:
  // The context of a single-process engine (world of 1).
  static std::shared_ptr<ParallelContext> single(const ParallelConfig& config);
  // Builds the dp/tp/pp groups of `world` (whose size must equal dims.world()); collective over
  // the world: every rank calls it.
  static std::shared_ptr<ParallelContext> create(const ParallelConfig& config,
                                                 std::unique_ptr<comm::Communicator> world);

  const ParallelConfig& config() const { return config_; }
  const comm::ParallelDims& dims() const { return config_.dims; }
  const comm::RankCoords& coords() const { return groups_.coords; }
  int world_rank() const { return world_rank_; }
  int dp_size() const { return config_.dims.dp; }
  int dp_rank() const { return groups_.coords.dp; }

  comm::Communicator* world() const { return world_.get(); }
  comm::Communicator* dp() const { return dp_.get(); }  // null when dp_size() == 1
  comm::Communicator* tp() const { return tp_.get(); }  // null when dims().tp == 1
  comm::Communicator* pp() const { return pp_.get(); }  // null when dims().pp == 1
  int pp_size() const { return config_.dims.pp; }
  int pp_rank() const { return groups_.coords.pp; }
  // World rank of this rank's counterpart on pipeline stage `stage` (same dp and tp coordinates).
  int stage_rank(int stage) const { return groups_.pp[size_t(stage)]; }

 private:
  ParallelConfig config_;
  int world_rank_ = 0;
  comm::RankGroups groups_;
  std::unique_ptr<comm::Communicator> world_, dp_, tp_, pp_;
};

}  // namespace neox::model
