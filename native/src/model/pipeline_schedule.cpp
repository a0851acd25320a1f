#include "model/pipeline_schedule.h"

#include <algorithm>
#include <chrono>

#include "core/errors.h"
#include "model/op_profile.h"

namespace neox::model {

namespace {

constexpr uint32_t kPipelineTag = 7;  // activations flow forward, gradients backward: one stream each way

using Clock = std::chrono::steady_clock;
double seconds_since(Clock::time_point start) { return std::chrono::duration<double>(Clock::now() - start).count(); }

}  // namespace

PipelineSchedule::PipelineSchedule(GptModel<float>& model, comm::Communicator* pp)
    : model_(model), pp_(pp), stage_(pp->rank()), stages_(pp->size()) {}

void PipelineSchedule::ensure(int64_t micro, int64_t seq_len, int64_t micro_batches) {
  const size_t wanted = size_t(std::min<int64_t>(stages_ - stage_, micro_batches));
  const bool reshape = !pool_.empty() && !pool_.front()->matches(micro, seq_len, WorkspaceMode::training);
  if (reshape) pool_.clear();
  while (pool_.size() < wanted) pool_.push_back(model_.make_training_workspace(micro, seq_len));
  const int64_t elements = micro * seq_len * model_.config().hidden_size;
  if (input_.size() != elements) {
    input_.reset(elements);
    output_grad_.reset(elements);
  }
}

Workspace<float>& PipelineSchedule::slot(int64_t micro_batch) { return *pool_[size_t(micro_batch) % pool_.size()]; }

double PipelineSchedule::train(const int32_t* tokens, const float* loss_mask, int64_t micro, int64_t seq_len,
                               int64_t micro_batches, double loss_grad_scale, uint64_t dropout_seed,
                               const std::function<uint64_t(int64_t)>& dropout_counter, double* forward_seconds,
                               double* backward_seconds) {
  ensure(micro, seq_len, micro_batches);
  const bool first = stage_ == 0, last = stage_ == stages_ - 1;
  const int prev = stage_ - 1, next = stage_ + 1;
  const size_t count = size_t(input_.size());
  const auto F32 = comm::DType::Float32;
  const int64_t S = seq_len;
  double loss_sum = 0, fwd = 0, bwd = 0;

  auto recv_forward = [&] {
    if (!first) timed("pipeline recv", [&] { pp_->recv(input_.data(), count, F32, prev, kPipelineTag); });
  };
  auto forward = [&](int64_t i) {
    const auto start = Clock::now();
    const float* mask = loss_mask ? loss_mask + i * micro * S : nullptr;
    loss_sum += model_.stage_forward(slot(i), tokens + i * micro * (S + 1), mask, first ? nullptr : input_.data(),
                                     loss_grad_scale, dropout_seed, dropout_counter(i));
    fwd += seconds_since(start);
  };
  auto backward = [&](int64_t i) {
    const auto start = Clock::now();
    model_.stage_backward(slot(i), last ? nullptr : output_grad_.data(), dropout_seed, dropout_counter(i));
    bwd += seconds_since(start);
  };
  auto send_forward = [&](int64_t i) {
    if (!last) timed("pipeline send", [&] { pp_->send(model_.stage_output(slot(i)), count, F32, next, kPipelineTag); });
  };
  auto recv_backward = [&] {
    if (!last) timed("pipeline recv", [&] { pp_->recv(output_grad_.data(), count, F32, next, kPipelineTag); });
  };
  auto send_backward = [&](int64_t i) {
    if (!first) timed("pipeline send", [&] { pp_->send(model_.stage_input_grad(slot(i)), count, F32, prev, kPipelineTag); });
  };
  auto send_forward_recv_backward = [&](int64_t i) {
    if (last) return;
    timed("pipeline send+recv", [&] {
      pp_->send_recv(model_.stage_output(slot(i)), next, output_grad_.data(), next, count, F32, kPipelineTag);
    });
  };
  auto send_backward_recv_forward = [&](int64_t i) {
    if (first) return;
    timed("pipeline send+recv", [&] {
      pp_->send_recv(model_.stage_input_grad(slot(i)), prev, input_.data(), prev, count, F32, kPipelineTag);
    });
  };

  const int64_t warmup = std::min<int64_t>(stages_ - stage_ - 1, micro_batches);
  const int64_t steady = micro_batches - warmup;
  for (int64_t i = 0; i < warmup; ++i) {
    recv_forward();
    forward(i);
    send_forward(i);
  }
  if (steady > 0) recv_forward();
  for (int64_t j = 0; j < steady; ++j) {
    forward(warmup + j);
    send_forward_recv_backward(warmup + j);
    backward(j);
    if (j + 1 == steady) {
      send_backward(j);
    } else {
      send_backward_recv_forward(j);
    }
  }
  for (int64_t i = steady; i < micro_batches; ++i) {
    recv_backward();
    backward(i);
    send_backward(i);
  }
  if (forward_seconds) *forward_seconds = fwd;
  if (backward_seconds) *backward_seconds = bwd;
  return loss_sum;
}

double PipelineSchedule::eval(const int32_t* tokens, int64_t micro, int64_t seq_len) {
  const bool first = stage_ == 0, last = stage_ == stages_ - 1;
  const int64_t elements = micro * seq_len * model_.config().hidden_size;
  if (input_.size() != elements) {
    input_.reset(elements);
    output_grad_.reset(elements);
  }
  if (!first) pp_->recv(input_.data(), size_t(elements), comm::DType::Float32, stage_ - 1, kPipelineTag);
  const float* output = nullptr;
  const double loss = model_.stage_eval(tokens, nullptr, first ? nullptr : input_.data(), micro, seq_len, &output);
  if (!last) pp_->send(output, size_t(elements), comm::DType::Float32, stage_ + 1, kPipelineTag);
  return loss;
}

}  // namespace neox::model
