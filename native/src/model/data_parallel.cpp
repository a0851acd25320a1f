#include "model/data_parallel.h"

#include <algorithm>
#include <cstring>

#include "core/errors.h"

namespace neox::model {

std::vector<FlatRange> gradient_buckets(const ParamLayout& layout, int64_t bucket_elements) {
  std::vector<FlatRange> buckets;
  const auto& tensors = layout.tensors();
  int64_t end = layout.total_elements();
  for (size_t k = tensors.size(); k-- > 0;) {
    const int64_t begin = tensors[k].offset;
    if (end - begin >= bucket_elements || k == 0) {
      buckets.push_back({begin, end});
      end = begin;
    }
  }
  return buckets;
}

FlatRange bucket_piece(const FlatRange& bucket, int parts, int rank) {
  const int64_t piece = (bucket.size() + parts - 1) / parts;
  const int64_t begin = std::min(bucket.end, bucket.begin + int64_t(rank) * piece);
  return {begin, std::min(bucket.end, begin + piece)};
}

DataParallelGradients::DataParallelGradients(const ParallelContext& context, const ParamLayout& layout)
    : dp_(context.dp()),
      dp_size_(context.dp_size()),
      dp_rank_(context.dp_rank()),
      zero_stage_(context.config().zero_stage),
      overlap_(context.config().overlap_comm),
      buckets_(gradient_buckets(layout, context.config().reduce_bucket_elements)) {
  int64_t staging = 0;
  for (const FlatRange& b : buckets_) {
    if (b.size() % dp_size_ != 0) staging = std::max(staging, (b.size() + dp_size_ - 1) / dp_size_ * dp_size_);
  }
  if (zero_stage_ > 0) staging_.reset(staging);
  if (overlap_ && dp_size_ > 1) worker_ = std::make_unique<CommWorker>();
}

std::vector<FlatRange> DataParallelGradients::owned_ranges() const {
  std::vector<FlatRange> owned;
  for (const FlatRange& b : buckets_) {
    const FlatRange piece = zero_stage_ > 0 ? bucket_piece(b, dp_size_, dp_rank_) : b;
    if (piece.size() > 0) owned.push_back(piece);
  }
  std::sort(owned.begin(), owned.end(), [](const FlatRange& a, const FlatRange& b) { return a.begin < b.begin; });
  return owned;
}

void DataParallelGradients::begin(float* grads) {
  grads_ = grads;
  next_bucket_ = 0;
}

void DataParallelGradients::gradients_final_from(int64_t offset) {
  if (!worker_) return;
  while (next_bucket_ < buckets_.size() && buckets_[next_bucket_].begin >= offset) {
    const size_t index = next_bucket_++;
    worker_->submit([this, index] { reduce_bucket(index); });
  }
}

void DataParallelGradients::finish() {
  if (dp_size_ > 1) {
    if (worker_) {
      gradients_final_from(0);
      worker_->wait();
    } else {
      for (size_t i = 0; i < buckets_.size(); ++i) reduce_bucket(i);
    }
  }
  grads_ = nullptr;
}

void DataParallelGradients::reduce_bucket(size_t index) {
  const FlatRange& b = buckets_[index];
  if (zero_stage_ < 2) {
    dp_->all_reduce_average(grads_ + b.begin, size_t(b.size()));
    return;
  }
  const FlatRange own = bucket_piece(b, dp_size_, dp_rank_);
  const int64_t piece = (b.size() + dp_size_ - 1) / dp_size_;
  if (b.size() == piece * dp_size_) {
    float* block = grads_ + b.begin;
    dp_->reduce_scatter(block, block + int64_t(dp_rank_) * piece, size_t(piece), comm::DType::Float32);
  } else {
    float* stage = staging_.data();
    std::memcpy(stage, grads_ + b.begin, sizeof(float) * size_t(b.size()));
    std::memset(stage + b.size(), 0, sizeof(float) * size_t(piece * dp_size_ - b.size()));
    dp_->reduce_scatter(stage, stage + int64_t(dp_rank_) * piece, size_t(piece), comm::DType::Float32);
    std::memcpy(grads_ + own.begin, stage + int64_t(dp_rank_) * piece, sizeof(float) * size_t(own.size()));
  }
  const float scale = 1.0f / float(dp_size_);
  for (int64_t i = own.begin; i < own.end; ++i) grads_[i] *= scale;
}

void DataParallelGradients::all_gather_parameters(float* params) {
  if (zero_stage_ == 0 || dp_size_ == 1) return;
  for (const FlatRange& b : buckets_) {
    const int64_t piece = (b.size() + dp_size_ - 1) / dp_size_;
    if (b.size() == piece * dp_size_) {
      float* block = params + b.begin;
      dp_->all_gather(block + int64_t(dp_rank_) * piece, block, size_t(piece), comm::DType::Float32);
      continue;
    }
    const FlatRange own = bucket_piece(b, dp_size_, dp_rank_);
    float* stage = staging_.data();
    std::memcpy(stage + int64_t(dp_rank_) * piece, params + own.begin, sizeof(float) * size_t(own.size()));
    dp_->all_gather(stage + int64_t(dp_rank_) * piece, stage, size_t(piece), comm::DType::Float32);
    std::memcpy(params + b.begin, stage, sizeof(float) * size_t(b.size()));
  }
}

std::vector<double> DataParallelGradients::all_gather(double value) { return all_gather_doubles(dp_, value); }

}  // namespace neox::model
