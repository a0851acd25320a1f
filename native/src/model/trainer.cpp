#include "model/trainer.h"

#include <chrono>
#include <cmath>
#include <cstring>

#include "core/errors.h"
#include "core/threads.h"
#include "model/pipeline_partition.h"

namespace neox::model {

namespace {

using Clock = std::chrono::steady_clock;
double ms_since(Clock::time_point start) { return std::chrono::duration<double, std::milli>(Clock::now() - start).count(); }

const char kExpAvgPrefix[] = "optimizer.exp_avg.";
const char kExpAvgSqPrefix[] = "optimizer.exp_avg_sq.";

int resolve_threads(int threads) {
  NEOX_CHECK_ARG(threads >= 0, "actor_threads is " << threads << "; it must be >= 0 (0 = all cores)");
  return threads > 0 ? threads : hardware_threads();
}

bool starts_with(const std::string& s, const char* prefix) { return s.rfind(prefix, 0) == 0; }

std::string shape_text(const std::vector<int64_t>& shape) {
  std::string out;
  for (size_t i = 0; i < shape.size(); ++i) out += (i ? " × " : "") + std::to_string(shape[i]);
  return out;
}

std::shared_ptr<ParallelContext> or_single(std::shared_ptr<ParallelContext> parallel) {
  return parallel ? std::move(parallel) : ParallelContext::single(ParallelConfig{});
}

// The optimizer over what this rank owns: everything, or its ZeRO pieces.
AdamWOptimizer make_optimizer(const ParamLayout& layout, const TrainingConfig& training,
                              const DataParallelGradients& data_parallel) {
  if (!data_parallel.sharded()) return AdamWOptimizer(layout, training);
  std::vector<std::pair<int64_t, int64_t>> owned;
  for (const FlatRange& r : data_parallel.owned_ranges()) owned.emplace_back(r.begin, r.end);
  return AdamWOptimizer(layout, training, owned);
}

// This rank's pipeline stage of its tensor-parallel shard (the whole shard without pipelining).
ModelConfig stage_of(const ModelConfig& shard, const ParallelContext& parallel) {
  const int stages = parallel.pp_size(), stage = parallel.pp_rank();
  if (stages == 1) return shard;
  const std::vector<int64_t> bounds = partition_layers(shard, stages, parallel.config().partition_method);
  return shard.pipeline_stage(bounds[size_t(stage)], bounds[size_t(stage) + 1] - bounds[size_t(stage)], stage == 0,
                              stage == stages - 1);
}

// The smallest index ≥ 0 of `indices`, −1 when none.
int64_t lowest(const std::vector<double>& indices) {
  int64_t first = -1;
  for (double k : indices) {
    if (k >= 0 && (first < 0 || int64_t(k) < first)) first = int64_t(k);
  }
  return first;
}

}  // namespace

Trainer::Trainer(const ModelConfig& model, const TrainingConfig& training, uint64_t seed, int threads,
                 std::shared_ptr<ParallelContext> parallel)
    : parallel_(or_single(std::move(parallel))),
      model_config_(model),
      model_(stage_of(model.tensor_parallel_shard(parallel_->dims().tp, parallel_->coords().tp), *parallel_)),
      training_(training),
      data_parallel_(*parallel_, model_.layout()),
      optimizer_(make_optimizer(model_.layout(), training, data_parallel_)),  // validates the training configuration
      seed_(seed),
      threads_(resolve_threads(threads)) {
  use_threads();
  model_.set_tensor_parallel(parallel_->tp());
  model_.initialize(seed);
  if (parallel_->pp() != nullptr) {
    pipeline_ = std::make_unique<PipelineSchedule>(model_, parallel_->pp());
    const int last = parallel_->pp_size() - 1;
    const bool end_stage = parallel_->pp_rank() == 0 || parallel_->pp_rank() == last;
    if (model_config_.tied_embeddings && end_stage) {
      tied_embeddings_ = parallel_->world()->create_group("tied", {parallel_->stage_rank(0), parallel_->stage_rank(last)});
    }
  }
}

void Trainer::use_threads() const { set_num_threads(threads_); }

const GptModel<float>& Trainer::model() const {
  NEOX_CHECK_ARG(parallel_->dims().tp == 1 && parallel_->dims().pp == 1,
                 "this engine holds one shard of the model (model_parallel_size " << parallel_->dims().tp
                 << ", pipeline stages " << parallel_->dims().pp << "); cached decoding needs the whole model: "
                 << "load the checkpoint into a single-process engine");
  return model_;
}

int64_t Trainer::bytes() const { return model_.bytes() + optimizer_.moment_bytes(); }

void Trainer::check_tokens(const char* call, const int32_t* tokens, int64_t count) const {
  const int64_t V = model_config_.vocab_size, row_length = model_config_.seq_length + 1;
  for (int64_t i = 0; i < count; ++i) {
    NEOX_CHECK_ARG(tokens[i] >= 0 && tokens[i] < V,
                   call << ": token id " << tokens[i] << " at row " << i / row_length << ", position " << i % row_length
                        << " is outside [0, " << V << ") (padded_vocab_size); check the tokenizer and data against the config");
  }
}

StepResult Trainer::train_step(const int32_t* tokens, int64_t token_count, const float* loss_mask, int64_t mask_count,
                               double lr, int64_t step) {
  const auto start = Clock::now();
  const ModelConfig& c = model_.config();
  const int64_t micro = training_.micro_batch, gas = training_.gradient_accumulation, S = c.seq_length;
  NEOX_CHECK_ARG(token_count == gas * micro * (S + 1),
                 "trainStep: tokens has " << token_count << " elements; expected gradient_accumulation_steps (" << gas
                 << ") × train_micro_batch_size_per_gpu (" << micro << ") × (seq_length (" << S << ") + 1) = "
                 << gas * micro * (S + 1));
  NEOX_CHECK_ARG(loss_mask == nullptr || mask_count == gas * micro * S,
                 "trainStep: lossMask has " << mask_count << " elements; expected one weight per target: "
                 << gas * micro << " rows × seq_length (" << S << ") = " << gas * micro * S << " (or null)");
  NEOX_CHECK_ARG(std::isfinite(lr) && lr >= 0, "trainStep: lr is " << lr << "; pass a finite learning rate >= 0");
  NEOX_CHECK_ARG(step >= 0, "trainStep: step is " << step << "; pass the iteration number (>= 0)");
  check_tokens("trainStep", tokens, token_count);
  use_threads();

  StepResult result;
  result.step = step;
  model_.zero_grads();
  const uint64_t dp = uint64_t(parallel_->dp_size()), dp_rank = uint64_t(parallel_->dp_rank());
  double loss_sum = 0;
  if (pipeline_) {
    loss_sum = run_pipeline(result, tokens, loss_mask, step);
  }
  for (int64_t m = 0; m < gas && !pipeline_; ++m) {
    const int32_t* micro_tokens = tokens + m * micro * (S + 1);
    const float* micro_mask = loss_mask ? loss_mask + m * micro * S : nullptr;
    // Distinct per (step, micro-step, dp rank); equals step · GAS + m in one process.
    const uint64_t dropout_counter = (uint64_t(step) * uint64_t(gas) + uint64_t(m)) * dp + dp_rank;
    const bool last = m + 1 == gas;
    if (last && dp > 1) {
      data_parallel_.begin(model_.grads());
      model_.set_gradients_final_hook([this](int64_t offset) { data_parallel_.gradients_final_from(offset); });
    }
    try {
      loss_sum += model_.train_micro_batch(micro_tokens, micro_mask, micro, S, 1.0 / double(gas), seed_, dropout_counter);
    } catch (...) {
      model_.set_gradients_final_hook(nullptr);
      if (last && dp > 1) data_parallel_.finish();  // let the collectives already queued end first
      throw;
    }
    result.timings.forward_ms += model_.last_times().forward * 1e3;
    result.timings.backward_ms += model_.last_times().backward * 1e3;
  }
  model_.set_gradients_final_hook(nullptr);
  const auto optimizer_start = Clock::now();
  finish_step(result, loss_sum / double(gas), lr);
  result.timings.optimizer_ms = ms_since(optimizer_start);
  result.timings.total_ms = ms_since(start);
  return result;
}

double Trainer::run_pipeline(StepResult& result, const int32_t* tokens, const float* loss_mask, int64_t step) {
  const int64_t micro = training_.micro_batch, gas = training_.gradient_accumulation, S = model_config_.seq_length;
  const uint64_t dp = uint64_t(parallel_->dp_size()), dp_rank = uint64_t(parallel_->dp_rank());
  auto counter = [&](int64_t m) { return (uint64_t(step) * uint64_t(gas) + uint64_t(m)) * dp + dp_rank; };
  double forward = 0, backward = 0;
  const double loss_sum = pipeline_->train(tokens, loss_mask, micro, S, gas, 1.0 / double(gas), seed_, counter,
                                           &forward, &backward);
  result.timings.forward_ms = forward * 1e3;
  result.timings.backward_ms = backward * 1e3;
  if (tied_embeddings_) {  // both copies get the sum of their gradients, before any dp reduction
    const TensorSpec& tied = *model_.layout().find("embed.word_embeddings.weight");
    tied_embeddings_->all_reduce_sum(model_.grads() + tied.offset, size_t(tied.numel));
  }
  if (dp > 1) data_parallel_.begin(model_.grads());  // reduced in finish_step, after the schedule
  return loss_sum;
}

double Trainer::sum_over_gradient_holders(double local) {
  double total = local;
  for (comm::Communicator* group : {optimizer_.owns_everything() ? nullptr : parallel_->dp(), parallel_->tp(), parallel_->pp()}) {
    if (group == nullptr) continue;
    const std::vector<double> parts = all_gather_doubles(group, total);
    total = 0;
    for (double part : parts) total += part;
  }
  return total;
}

int64_t Trainer::lowest_over_gradient_holders(int64_t local) {
  int64_t first = local;
  for (comm::Communicator* group : {optimizer_.owns_everything() ? nullptr : parallel_->dp(), parallel_->tp(), parallel_->pp()}) {
    if (group != nullptr) first = lowest(all_gather_doubles(group, double(first)));
  }
  return first;
}

void Trainer::finish_step(StepResult& result, double local_loss, double lr) {
  const int dp = parallel_->dp_size();
  if (dp > 1) {
    const auto sync_start = Clock::now();
    data_parallel_.finish();  // gradients averaged over dp (ZeRO 2: own pieces)
    result.timings.gradient_sync_ms = ms_since(sync_start);
  }
  result.loss = local_loss;
  if (parallel_->pp() != nullptr) result.loss = all_gather_doubles(parallel_->pp(), local_loss).back();  // the last stage's
  if (dp > 1) {
    double sum = 0;
    for (double loss : data_parallel_.all_gather(result.loss)) sum += loss;  // rank order: same everywhere
    result.loss = sum / double(dp);
  }
  if (!std::isfinite(result.loss)) {
    result.skipped = true;
    result.non_finite = "loss";
    result.grad_norm = NAN;
    return;
  }
  // Stage 0/1: every rank holds the whole averaged gradient (bitwise alike) and sums it alone;
  // ZeRO 2 (and 1, whose moments are sharded): the owned parts' sums, added in rank order.
  // Tensor parallelism: each tp rank adds its shards, replicated tensors count on tp rank 0 only;
  // pipeline: each stage its own tensors (the tied copy is counted on the first stage).
  const bool skip_replicated = parallel_->coords().tp > 0;
  result.grad_norm = std::sqrt(sum_over_gradient_holders(optimizer_.gradient_sum_of_squares(model_.grads(), skip_replicated)));
  if (!std::isfinite(result.grad_norm)) {
    result.skipped = true;
    // The first bad tensor (whole-model layout order) over the ranks holding parts of the gradients.
    const int64_t local = optimizer_.first_non_finite_tensor(model_.grads());
    const int64_t first_key = lowest_over_gradient_holders(local < 0 ? -1 : model_.layout().tensors()[size_t(local)].init_key);
    // Keys index the whole model's layout, which names the tensor on every rank alike.
    const ParamLayout whole(model_config_);
    result.non_finite = first_key < 0 ? "" : whole.tensors()[size_t(first_key)].name;
    return;
  }
  optimizer_.step(model_.params(), model_.grads(), result.grad_norm, lr);
  data_parallel_.all_gather_parameters(model_.params());
}

double Trainer::eval_loss(const int32_t* tokens, int64_t token_count) {
  const ModelConfig& c = model_config_;
  const int64_t micro = training_.micro_batch, S = c.seq_length;
  NEOX_CHECK_ARG(token_count == micro * (S + 1),
                 "evalLoss: tokens has " << token_count << " elements; expected one micro-batch: "
                 << "train_micro_batch_size_per_gpu (" << micro << ") × (seq_length (" << S << ") + 1) = "
                 << micro * (S + 1));
  check_tokens("evalLoss", tokens, token_count);
  use_threads();
  const double loss = pipeline_ ? all_gather_doubles(parallel_->pp(), pipeline_->eval(tokens, micro, S)).back()  // the last stage's
                                 : model_.eval_loss(tokens, nullptr, micro, S);
  if (parallel_->dp_size() == 1) return loss;
  // Each data-parallel rank evaluated its own rows: their mean, summed in rank order (GPT-NeoX
  // averages the evaluation loss over the data-parallel group).
  double sum = 0;
  for (double part : all_gather_doubles(parallel_->dp(), loss)) sum += part;
  return sum / double(parallel_->dp_size());
}

void Trainer::check_logits_input(const int32_t* inputs, int64_t input_count, int64_t batch, int64_t seq_len) const {
  const ModelConfig& c = model_config_;
  NEOX_CHECK_ARG(batch > 0 && seq_len > 0, "logits: batch " << batch << " and seqLen " << seq_len << " must be >= 1");
  NEOX_CHECK_ARG(input_count == batch * seq_len, "logits: tokens has " << input_count << " elements; expected batch ("
                 << batch << ") × seqLen (" << seq_len << ") = " << batch * seq_len);
  const int64_t longest = c.pos_emb == PositionKind::learned ? c.max_position_embeddings - c.position_offset
                                                              : c.position_count();
  NEOX_CHECK_ARG(seq_len <= longest, "logits: seqLen " << seq_len << " exceeds the " << longest
                 << " positions this model supports (max_position_embeddings); pass a shorter sequence");
  const int64_t V = c.vocab_size;
  for (int64_t i = 0; i < input_count; ++i) {
    NEOX_CHECK_ARG(inputs[i] >= 0 && inputs[i] < V, "logits: token id " << inputs[i] << " at row " << i / seq_len
                   << ", position " << i % seq_len << " is outside [0, " << V
                   << ") (padded_vocab_size); check the tokenizer and data against the config");
  }
}

void Trainer::logits(float* out, const int32_t* inputs, int64_t input_count, int64_t batch, int64_t seq_len) {
  check_logits_input(inputs, input_count, batch, seq_len);
  use_threads();
  model_.logits(out, inputs, batch, seq_len);
}

std::vector<TensorInfo> Trainer::tensor_info() const {
  std::vector<TensorInfo> out;
  const auto& tensors = model_.layout().tensors();
  for (TensorKind kind : {TensorKind::parameter, TensorKind::exp_avg, TensorKind::exp_avg_sq}) {
    const char* prefix = kind == TensorKind::exp_avg ? kExpAvgPrefix : kind == TensorKind::exp_avg_sq ? kExpAvgSqPrefix : "";
    for (const TensorSpec& spec : tensors) {
      out.push_back({prefix + spec.name, spec.shape, kind, spec.decay, spec.global_shape, spec.boxes, spec.tp_replicated,
                     spec.pipe_tied_copy});
    }
  }
  return out;
}

Trainer::Located Trainer::locate(const std::string& name, const char* call) const {
  TensorKind kind = TensorKind::parameter;
  std::string parameter = name;
  if (starts_with(name, kExpAvgSqPrefix)) {
    kind = TensorKind::exp_avg_sq;
    parameter = name.substr(sizeof(kExpAvgSqPrefix) - 1);
  } else if (starts_with(name, kExpAvgPrefix)) {
    kind = TensorKind::exp_avg;
    parameter = name.substr(sizeof(kExpAvgPrefix) - 1);
  }
  const TensorSpec* spec = model_.layout().find(parameter);
  NEOX_CHECK_ARG(spec != nullptr, call << ": no tensor named '" << name << "'; tensorInfo() lists the names (e.g. "
                 << model_.layout().tensors().front().name << ")");
  return {kind, spec};
}

float* Trainer::data_of(TensorKind kind) {
  return kind == TensorKind::exp_avg ? optimizer_.exp_avg()
         : kind == TensorKind::exp_avg_sq ? optimizer_.exp_avg_sq() : model_.params();
}

const float* Trainer::data_of(TensorKind kind) const {
  return kind == TensorKind::exp_avg ? optimizer_.exp_avg()
         : kind == TensorKind::exp_avg_sq ? optimizer_.exp_avg_sq() : model_.params();
}

int64_t Trainer::tensor_elements(const std::string& name, const char* call) const {
  return locate(name, call).spec->numel;
}

bool Trainer::sharded_moment(const Located& at) const {
  return at.kind != TensorKind::parameter && !optimizer_.owns_everything();
}

void Trainer::get_tensor(const std::string& name, float* out, int64_t count) const {
  const Located at = locate(name, "getTensor");
  NEOX_ASSERT(count == at.spec->numel);
  const float* source = data_of(at.kind);  // null: moments not allocated yet (all zero)
  if (!sharded_moment(at)) {
    if (source == nullptr) std::memset(out, 0, sizeof(float) * size_t(count));
    else std::memcpy(out, source + at.spec->offset, sizeof(float) * size_t(count));
    return;
  }
  // ZeRO: this rank's segments, zeros elsewhere, summed over dp (x + 0 is exact): the whole moment.
  std::memset(out, 0, sizeof(float) * size_t(count));
  const size_t k = size_t(at.spec - model_.layout().tensors().data());
  for (const OptimizerSegment& seg : optimizer_.segments()) {
    if (seg.tensor != k || source == nullptr) continue;
    std::memcpy(out + (seg.offset - at.spec->offset), source + seg.moment_offset, sizeof(float) * size_t(seg.count));
  }
  parallel_->dp()->all_reduce_sum(out, size_t(count));
}

void Trainer::set_tensor(const std::string& name, const float* data, int64_t count) {
  const Located at = locate(name, "setTensor");
  NEOX_CHECK_ARG(count == at.spec->numel, "setTensor: '" << name << "' has shape [" << shape_text(at.spec->shape)
                 << "] = " << at.spec->numel << " elements; got " << count << " values");
  if (!sharded_moment(at)) {
    std::memcpy(data_of(at.kind) + at.spec->offset, data, sizeof(float) * size_t(count));
    return;
  }
  const size_t k = size_t(at.spec - model_.layout().tensors().data());
  for (const OptimizerSegment& seg : optimizer_.segments()) {
    if (seg.tensor != k) continue;
    std::memcpy(data_of(at.kind) + seg.moment_offset, data + (seg.offset - at.spec->offset), sizeof(float) * size_t(seg.count));
  }
}

void Trainer::get_gradient(const std::string& name, float* out, int64_t count) const {
  const TensorSpec* spec = model_.layout().find(name);
  NEOX_CHECK_ARG(spec != nullptr, "getGradient: no parameter named '" << name << "'; tensorInfo() lists the parameters");
  NEOX_CHECK_ARG(data_parallel_.zero_stage() < 2 || parallel_->dp_size() == 1,
                 "getGradient: under zero_optimization.stage 2 each of the " << parallel_->dp_size()
                 << " data-parallel ranks holds only its shard of the reduced gradients; use stage 0 or 1 to read them");
  NEOX_ASSERT(count == spec->numel);
  const float* grads = model_.grads();  // null before the first train step: no gradient yet, zeros
  if (grads == nullptr) std::memset(out, 0, sizeof(float) * size_t(count));
  else std::memcpy(out, grads + spec->offset, sizeof(float) * size_t(count));
}

}  // namespace neox::model
