// Data parallelism's pieces (model/data_parallel.h): bucket and shard arithmetic, the optimizer
// over owned ranges against the whole-model optimizer, and the bucket reductions between ranks
// (threads of this process with their own Gloo communicators) against sums computed here.
#include <cmath>
#include <cstring>
#include <random>

#include "comm_test_util.h"
#include "model/data_parallel.h"
#include "model/optimizer.h"
#include "model/param_layout.h"
#include "model_test_util.h"

namespace neox::testing {
namespace {

using model::FlatRange;

bool is_tensor_offset(const model::ParamLayout& layout, int64_t offset) {
  for (const auto& spec : layout.tensors()) {
    if (spec.offset == offset) return true;
  }
  return false;
}

std::vector<FlatRange> owned_pieces(const model::ParamLayout& layout, int64_t bucket, int parts, int rank) {
  std::vector<FlatRange> owned;
  for (const FlatRange& b : model::gradient_buckets(layout, bucket)) {
    const FlatRange piece = model::bucket_piece(b, parts, rank);
    if (piece.size() > 0) owned.push_back(piece);
  }
  std::sort(owned.begin(), owned.end(), [](const FlatRange& a, const FlatRange& b) { return a.begin < b.begin; });
  return owned;
}

std::vector<float> random_values(int64_t n, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal(0.0f, 1.0f);
  std::vector<float> out(static_cast<size_t>(n));
  for (float& x : out) x = normal(rng);
  return out;
}

}  // namespace

NEOX_TEST(model_dp_buckets_cover_the_buffer_from_the_top) {
  const model::ParamLayout layout(tiny_pythia_config());
  for (int64_t size : {int64_t(1), int64_t(50), int64_t(300), int64_t(1) << 40}) {
    const auto buckets = model::gradient_buckets(layout, size);
    NEOX_EXPECT(!buckets.empty());
    NEOX_EXPECT(buckets.front().end == layout.total_elements()) << "bucket size " << size;
    NEOX_EXPECT(buckets.back().begin == 0) << "bucket size " << size;
    for (size_t i = 0; i < buckets.size(); ++i) {
      NEOX_EXPECT(is_tensor_offset(layout, buckets[i].begin)) << "bucket " << i << " starts inside a tensor";
      if (i + 1 < buckets.size()) {
        NEOX_EXPECT(buckets[i + 1].end == buckets[i].begin) << "buckets " << i << ", " << i + 1 << " are not adjacent";
        NEOX_EXPECT(buckets[i].size() >= size) << "bucket " << i << " of " << buckets[i].size() << " < " << size;
      }
    }
    if (size == 1) NEOX_EXPECT(buckets.size() == layout.tensors().size());
    if (size == int64_t(1) << 40) NEOX_EXPECT(buckets.size() == 1);
  }
}

NEOX_TEST(model_dp_pieces_partition_a_bucket) {
  const FlatRange bucket{16, 16 + 37};
  for (int parts = 1; parts <= 5; ++parts) {
    int64_t next = bucket.begin;
    for (int r = 0; r < parts; ++r) {
      const FlatRange piece = model::bucket_piece(bucket, parts, r);
      if (piece.size() == 0) continue;
      NEOX_EXPECT(piece.begin == next) << parts << " parts, piece " << r;
      NEOX_EXPECT(piece.size() <= (bucket.size() + parts - 1) / parts);
      next = piece.end;
    }
    NEOX_EXPECT(next == bucket.end) << parts << " parts cover up to " << next;
  }
}

// Three ranks (lengths not divisible by 3) with tiny buckets: each updates its pieces with its own
// moments; the pieces put together equal the whole-model optimizer bitwise, step after step.
NEOX_TEST(model_sharded_optimizer_matches_the_whole) {
  const model::ModelConfig config = tiny_llama_config();
  const model::ParamLayout layout(config);
  model::TrainingConfig training;
  training.weight_decay = 0.1;
  const int64_t n = layout.total_elements();
  const std::vector<float> start = random_values(n, 1);
  std::vector<float> whole = start;
  model::AdamWOptimizer whole_optimizer(layout, training);
  constexpr int kRanks = 3;
  std::vector<std::vector<float>> shards(kRanks, start);
  std::vector<model::AdamWOptimizer> optimizers;
  for (int r = 0; r < kRanks; ++r) {
    std::vector<std::pair<int64_t, int64_t>> owned;
    for (const FlatRange& p : owned_pieces(layout, 40, kRanks, r)) owned.emplace_back(p.begin, p.end);
    optimizers.emplace_back(layout, training, owned);
  }
  // ZeRO: the ranks' moments together cover every parameter element once (no padding, no copies).
  int64_t moments = 0, parameters = 0;
  for (const auto& o : optimizers) moments += o.moment_elements();
  for (const auto& spec : layout.tensors()) parameters += spec.numel;
  NEOX_EXPECT(moments == parameters) << moments << " moment elements over the ranks for " << parameters << " parameters";
  for (int step = 0; step < 2; ++step) {
    const std::vector<float> grads = random_values(n, 10 + uint32_t(step));
    const double norm = whole_optimizer.gradient_norm(grads.data());
    double squares = 0;
    for (int r = 0; r < kRanks; ++r) squares += optimizers[size_t(r)].gradient_sum_of_squares(grads.data());
    NEOX_EXPECT_NEAR(std::sqrt(squares), norm, 1e-9 * norm);
    whole_optimizer.step(whole.data(), grads.data(), norm, 1e-2);
    for (int r = 0; r < kRanks; ++r) optimizers[size_t(r)].step(shards[size_t(r)].data(), grads.data(), norm, 1e-2);
    std::vector<float> merged(size_t(n), 0.0f);
    for (int r = 0; r < kRanks; ++r) {
      for (const FlatRange& p : owned_pieces(layout, 40, kRanks, r)) {
        std::memcpy(merged.data() + p.begin, shards[size_t(r)].data() + p.begin, sizeof(float) * size_t(p.size()));
      }
    }
    for (const auto& spec : layout.tensors()) {
      NEOX_EXPECT(std::memcmp(merged.data() + spec.offset, whole.data() + spec.offset, sizeof(float) * size_t(spec.numel)) == 0)
          << "step " << step << ": " << spec.name << " differs from the whole-model update";
    }
  }
  // The first non-finite tensor over the ranks is the whole optimizer's.
  std::vector<float> grads(size_t(n), 0.0f);
  const size_t bad = 5;
  grads[size_t(layout.tensors()[bad].offset + layout.tensors()[bad].numel - 1)] = NAN;
  int64_t first = -1;
  for (int r = 0; r < kRanks; ++r) {
    const int64_t k = optimizers[size_t(r)].first_non_finite_tensor(grads.data());
    if (k >= 0 && (first < 0 || k < first)) first = k;
  }
  NEOX_EXPECT(first == int64_t(bad));
  NEOX_EXPECT(whole_optimizer.first_non_finite_gradient(grads.data()) == layout.tensors()[bad].name);
}

// Three ranks reduce rank-specific gradients bucket by bucket (with and without the overlap
// thread): stages 0/1 hold the mean everywhere, stage 2 on each rank's own pieces; then the
// pieces of "updated" parameters are all-gathered.
NEOX_TEST(model_dp_reductions_between_ranks) {
  const model::ParamLayout layout(tiny_pythia_config());
  const int64_t n = layout.total_elements();
  constexpr int kRanks = 3;
  for (int stage = 0; stage <= 2; ++stage) {
    for (bool overlap : {false, true}) {
      auto store = std::make_shared<comm::HashStore>();
      const auto errors = run_ranks(kRanks, [&](int rank) {
        model::ParallelConfig config;
        config.dims.dp = kRanks;
        config.zero_stage = stage;
        config.reduce_bucket_elements = 40;
        config.overlap_comm = overlap;
        auto context = model::ParallelContext::create(
            config, comm::GlooCommunicator::create(store, small_path_options(rank, kRanks)));
        model::DataParallelGradients dp(*context, layout);
        std::vector<float> grads(static_cast<size_t>(n)), params(static_cast<size_t>(n));
        for (int64_t i = 0; i < n; ++i) grads[size_t(i)] = exact_value(rank, size_t(i));
        dp.begin(grads.data());
        for (size_t k = layout.tensors().size(); k-- > 0;) dp.gradients_final_from(layout.tensors()[k].offset);
        dp.finish();
        const auto owned = dp.owned_ranges();
        auto owns = [&](int64_t i) {
          for (const FlatRange& r : owned) {
            if (i >= r.begin && i < r.end) return true;
          }
          return false;
        };
        for (int64_t i = 0; i < n; ++i) {
          if (stage == 2 && !owns(i)) continue;
          double sum = 0;
          for (int r = 0; r < kRanks; ++r) sum += exact_value(r, size_t(i));
          NEOX_CHECK_ARG(std::fabs(grads[size_t(i)] - sum / kRanks) <= 1e-6,
                     "stage " << stage << ", element " << i << ": " << grads[size_t(i)] << " vs mean " << sum / kRanks);
        }
        // Own pieces hold the "update" i·0.5; the rest stale rank-specific values.
        for (int64_t i = 0; i < n; ++i) params[size_t(i)] = owns(i) ? float(i) * 0.5f : float(-1 - rank);
        dp.all_gather_parameters(params.data());
        for (int64_t i = 0; i < n && stage > 0; ++i) {
          NEOX_CHECK_ARG(params[size_t(i)] == float(i) * 0.5f, "stage " << stage << ": parameter " << i << " is "
                     << params[size_t(i)] << " after the all-gather");
        }
        const std::vector<double> gathered = dp.all_gather(0.1 + rank);
        for (int r = 0; r < kRanks; ++r) NEOX_CHECK_ARG(gathered[size_t(r)] == 0.1 + r, "all_gather(double) of rank " << r);
      });
      for (int rank = 0; rank < kRanks; ++rank) {
        NEOX_EXPECT(errors[size_t(rank)].empty()) << "stage " << stage << (overlap ? " overlapped" : "") << ", rank "
                                                  << rank << ": " << errors[size_t(rank)];
      }
    }
  }
}

}  // namespace neox::testing
