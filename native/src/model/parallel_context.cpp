#include "model/parallel_context.h"

#include <utility>

#include "core/errors.h"
#include "model/pipeline_partition.h"

namespace neox::model {

void ParallelConfig::validate() const {
  comm::check_dims(dims);
  NEOX_CHECK_ARG(zero_stage >= 0 && zero_stage <= 2, "zero_optimization.stage is " << zero_stage
                 << "; the engine implements stages 0, 1 and 2: set one of them");
  NEOX_CHECK_ARG(reduce_bucket_elements >= 1, "zero_optimization.reduce_bucket_size is " << reduce_bucket_elements
                 << "; it must be >= 1 element (DeepSpeed's default is 5e8)");
}

void ParallelConfig::validate_for(const ModelConfig& model) const {
  validate();
  const ModelConfig shard = model.tensor_parallel_shard(dims.tp, 0);
  if (dims.pp > 1) partition_layers(shard, dims.pp, partition_method);
}

std::vector<double> all_gather_doubles(comm::Communicator* group, double value) {
  if (group == nullptr) return {value};
  float mine[3];
  double rest = value;
  for (float& part : mine) {
    part = float(rest);
    rest -= double(part);
  }
  std::vector<float> all(size_t(3 * group->size()));
  group->all_gather(mine, all.data(), 3, comm::DType::Float32);
  std::vector<double> out(static_cast<size_t>(group->size()));
  for (size_t r = 0; r < out.size(); ++r) out[r] = (double(all[3 * r]) + double(all[3 * r + 1])) + double(all[3 * r + 2]);
  return out;
}

std::shared_ptr<ParallelContext> ParallelContext::single(const ParallelConfig& config) {
  config.validate();
  NEOX_CHECK_ARG(config.dims.world() == 1, "the config describes a world of " << config.dims.world()
                 << " ranks (data_parallel_size " << config.dims.dp << " × model_parallel_size " << config.dims.tp
                 << " × pipeline stages " << config.dims.pp << "); create the engine with its rank and rendezvous "
                 << "(parallel options) or load the config with worldSize 1");
  auto context = std::make_shared<ParallelContext>();
  context->config_ = config;
  context->groups_ = comm::groups_of(config.dims, 0);
  return context;
}

std::shared_ptr<ParallelContext> ParallelContext::create(const ParallelConfig& config,
                                                         std::unique_ptr<comm::Communicator> world) {
  config.validate();
  NEOX_CHECK_ARG(world != nullptr && world->size() == config.dims.world(),
                 "the world communicator has " << (world ? world->size() : 0) << " ranks but the config describes "
                 << config.dims.world() << " (data_parallel_size " << config.dims.dp << " × model_parallel_size "
                 << config.dims.tp << " × pipeline stages " << config.dims.pp
                 << "); load the config with worldSize equal to the number of processes");
  auto context = std::make_shared<ParallelContext>();
  context->config_ = config;
  context->world_rank_ = world->rank();
  context->groups_ = comm::groups_of(config.dims, world->rank());
  const comm::RankGroups& g = context->groups_;
  if (g.tp.size() > 1) context->tp_ = world->create_group("tp", g.tp);
  if (g.pp.size() > 1) context->pp_ = world->create_group("pp", g.pp);
  if (g.dp.size() > 1) context->dp_ = world->create_group("dp", g.dp);
  context->world_ = std::move(world);
  return context;
}

}  // namespace neox::model
