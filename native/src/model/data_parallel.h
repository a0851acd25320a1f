// Data parallelism over the model's flat gradient and parameter buffers (param_layout.h).
//
// Buckets: the flat buffer is cut at tensor boundaries into buckets of at least
// zero_optimization.reduce_bucket_size elements (or the whole model), counted from the end of the
// buffer, because backward finishes tensors from the highest offset down (output layer, final
// norm, layer L−1 … 0, embeddings). A bucket is reduced once every tensor in it is final.
//
// Shards (ZeRO 1 and 2): every bucket is split into dp equal contiguous pieces (the last may be
// shorter); dp rank r owns piece r of every bucket: its AdamW moments and, under ZeRO 2, its
// reduced gradients. After the update each rank's pieces of the parameters are all-gathered.
//   stage 0: gradients all-reduced (average); every rank updates everything.
//   stage 1: gradients all-reduced (average); each rank updates its pieces; parameters all-gathered.
//   stage 2: gradients reduce-scattered (sum, then ÷ dp on the own piece); each rank holds only its
//            pieces reduced (the rest of its gradient buffer is stale); parameters all-gathered.
// The gradient buffer itself stays whole on every rank under ZeRO 2 (backward accumulates
// micro-batches into it), so stage 2 saves communication, not gradient memory.
//
// Overlap (zero_optimization.overlap_comm): during the last micro-batch's backward the model
// reports how far down its gradients are final (gradients_final_from) and the buckets above run
// on a communication thread (comm_worker.h) while the layers below are still in backward.
// Without overlap every bucket is reduced after backward, on the calling thread. The worker drives
// only the dp communicator; meanwhile the compute thread may drive the tp communicator (its own
// Gloo context; the transport device they share is thread-safe). Pipeline stages reduce after
// the 1F1B schedule (trainer.h), so tied-embedding gradients are summed first.
//
// Dropout, clipping and skip decisions need no communication of their own: the loss and norm are
// reduced (in rank order) before any decision, so every rank decides alike.
//
// Every rank cuts the same buckets and runs the same collectives in the same order, so the
// reduced values are bitwise identical on every rank and reruns repeat bitwise.
#pragma once

#include <cstdint>
#include <memory>
#include <vector>

#include "model/buffer.h"
#include "model/comm_worker.h"
#include "model/param_layout.h"
#include "model/parallel_context.h"

namespace neox::model {

struct FlatRange {
  int64_t begin = 0, end = 0;  // elements of the flat buffer, [begin, end)
  int64_t size() const { return end - begin; }
};

// The buckets of a layout, highest offsets first (the order backward finishes them).
std::vector<FlatRange> gradient_buckets(const ParamLayout& layout, int64_t bucket_elements);
// Piece `rank` of `bucket` split into `parts`: [begin + rank·ceil(n/parts), …), clipped (maybe empty).
FlatRange bucket_piece(const FlatRange& bucket, int parts, int rank);

class DataParallelGradients {
 public:
  DataParallelGradients(const ParallelContext& context, const ParamLayout& layout);

  bool sharded() const { return zero_stage_ > 0; }
  int zero_stage() const { return zero_stage_; }
  // The flat ranges whose optimizer state this rank holds, ascending: its pieces under ZeRO 1/2.
  std::vector<FlatRange> owned_ranges() const;

  // The last micro-batch's backward: begin(grads), then gradients_final_from(offset) each time
  // every gradient at or above `offset` is final (offsets descending), then finish(), after
  // which the gradients are reduced (stage 2: this rank's pieces only).
  void begin(float* grads);
  void gradients_final_from(int64_t offset);
  void finish();

  // ZeRO 1/2: every rank's updated pieces of the parameters to every rank.
  void all_gather_parameters(float* params);
  // `value` of every dp rank, in rank order (all_gather_doubles over dp).
  std::vector<double> all_gather(double value);

 private:
  void reduce_bucket(size_t index);

  comm::Communicator* dp_;
  int dp_size_, dp_rank_, zero_stage_;
  bool overlap_;
  std::vector<FlatRange> buckets_;
  Buffer<float> staging_;  // for buckets whose length dp does not divide
  float* grads_ = nullptr;
  size_t next_bucket_ = 0;  // buckets before it have been handed to the reduction
  std::unique_ptr<CommWorker> worker_;
};

}  // namespace neox::model
