// Every Gloo collective against a reference computed here, for worlds of 2, 3 and 4 ranks, on
// sizes that take the direct path (one element, fewer elements than ranks, under 1 KiB) and the
// ring path with many segments per chunk and uneven chunks. Ranks are threads (comm_test_util.h);
// each rank stores what it got and the main thread checks it.
#include <cstring>
#include <mutex>
#include <random>

#include "comm_test_util.h"

using namespace neox;
using namespace neox::testing;
using comm::DType;
using comm::ReduceOp;

namespace {

const int kWorldSizes[] = {2, 3, 4};
// 1 and 3: fewer elements than ranks for some worlds; 255: direct; 1000 and 20011: ring, the
// latter with ~5000-element uneven chunks cut into 4 KiB segments.
const size_t kCounts[] = {1, 3, 255, 1000, 20011};

// Runs body(communicator, results[rank]) on every rank of a world; results are per-rank outputs.
std::vector<std::vector<float>> gather_results(int size,
                                               const std::function<void(comm::Communicator&, std::vector<float>&)>& body) {
  std::vector<std::vector<float>> results(static_cast<size_t>(size));
  run_world(size, [&](comm::Communicator& c) { body(c, results[static_cast<size_t>(c.rank())]); });
  return results;
}

}  // namespace

NEOX_TEST(comm_all_reduce_sum_and_average_match_reference) {
  for (int size : kWorldSizes) {
    for (size_t count : kCounts) {
      for (ReduceOp op : {ReduceOp::Sum, ReduceOp::Average}) {
        const auto results = gather_results(size, [&](comm::Communicator& c, std::vector<float>& out) {
          out.resize(count);
          for (size_t i = 0; i < count; ++i) out[i] = exact_value(c.rank(), i);
          c.all_reduce(out.data(), count, DType::Float32, op);
        });
        size_t wrong = 0;
        std::string first;
        for (int rank = 0; rank < size; ++rank) {
          const auto& got = results[static_cast<size_t>(rank)];
          if (got.size() != count) {
            ++wrong;
            continue;
          }
          for (size_t i = 0; i < count; ++i) {
            double sum = 0;
            for (int r = 0; r < size; ++r) sum += exact_value(r, i);
            const double expected = op == ReduceOp::Sum ? sum : static_cast<float>(sum) * (1.0f / size);
            if (got[i] != static_cast<float>(expected)) {
              if (wrong++ == 0) first = "rank " + std::to_string(rank) + " element " + std::to_string(i) + ": " +
                                        std::to_string(got[i]) + " vs " + std::to_string(expected);
            }
          }
        }
        NEOX_EXPECT(wrong == 0) << "size " << size << ", count " << count << (op == ReduceOp::Sum ? " sum" : " average")
                                << ": " << wrong << " wrong, first " << first;
      }
    }
  }
}

NEOX_TEST(comm_all_reduce_ranks_end_bitwise_identical) {
  // Random floats: sums are rounded, so only a consistent reduction order makes ranks agree.
  for (int size : kWorldSizes) {
    for (size_t count : {size_t{200}, size_t{50000}}) {
      const auto results = gather_results(size, [&](comm::Communicator& c, std::vector<float>& out) {
        std::mt19937 rng(1234u + static_cast<unsigned>(c.rank()));
        std::uniform_real_distribution<float> uniform(-1.f, 1.f);
        out.resize(count);
        for (auto& x : out) x = uniform(rng) * 1000.f;
        c.all_reduce_sum(out.data(), count);
      });
      for (int rank = 1; rank < size; ++rank) {
        NEOX_EXPECT(std::memcmp(results[0].data(), results[static_cast<size_t>(rank)].data(), count * 4) == 0)
            << "size " << size << ", count " << count << ": rank " << rank << " differs from rank 0";
      }
      // And the values are the sum (to float rounding of a few additions).
      std::vector<std::vector<float>> inputs(static_cast<size_t>(size));
      for (int r = 0; r < size; ++r) {
        std::mt19937 rng(1234u + static_cast<unsigned>(r));
        std::uniform_real_distribution<float> uniform(-1.f, 1.f);
        for (size_t i = 0; i < count; ++i) inputs[static_cast<size_t>(r)].push_back(uniform(rng) * 1000.f);
      }
      double max_error = 0;
      for (size_t i = 0; i < count; ++i) {
        double sum = 0;
        for (int r = 0; r < size; ++r) sum += inputs[static_cast<size_t>(r)][i];
        max_error = std::max(max_error, std::fabs(sum - results[0][i]));
      }
      NEOX_EXPECT(max_error < 1e-3) << "size " << size << ", count " << count << ": max error " << max_error;
    }
  }
}

NEOX_TEST(comm_reduce_scatter_matches_reference_in_and_out_of_place) {
  for (int size : kWorldSizes) {
    for (size_t per_rank : {size_t{1}, size_t{7}, size_t{5003}}) {
      for (bool in_place : {false, true}) {
        const size_t total = per_rank * static_cast<size_t>(size);
        std::vector<bool> input_kept(static_cast<size_t>(size), true);
        const auto results = gather_results(size, [&](comm::Communicator& c, std::vector<float>& out) {
          std::vector<float> input(total);
          for (size_t i = 0; i < total; ++i) input[i] = exact_value(c.rank(), i);
          const std::vector<float> original = input;
          if (in_place) {
            float* own = input.data() + static_cast<size_t>(c.rank()) * per_rank;
            c.reduce_scatter(input.data(), own, per_rank, DType::Float32);
            out.assign(own, own + per_rank);
          } else {
            out.assign(per_rank, -999.f);
            c.reduce_scatter(input.data(), out.data(), per_rank, DType::Float32);
            input_kept[static_cast<size_t>(c.rank())] = input == original;
          }
        });
        size_t wrong = 0;
        for (int rank = 0; rank < size; ++rank) {
          for (size_t i = 0; i < per_rank; ++i) {
            const size_t global = static_cast<size_t>(rank) * per_rank + i;
            float expected = 0;
            for (int r = 0; r < size; ++r) expected += exact_value(r, global);
            if (results[static_cast<size_t>(rank)].size() != per_rank ||
                results[static_cast<size_t>(rank)][i] != expected) {
              ++wrong;
            }
          }
          NEOX_EXPECT(input_kept[static_cast<size_t>(rank)]) << "out-of-place reduce_scatter changed rank " << rank
                                                             << "'s input";
        }
        NEOX_EXPECT(wrong == 0) << "size " << size << ", per rank " << per_rank << (in_place ? " in place" : "")
                                << ": " << wrong << " wrong elements";
      }
    }
  }
}

NEOX_TEST(comm_all_gather_matches_reference_in_and_out_of_place) {
  for (int size : kWorldSizes) {
    for (size_t per_rank : {size_t{1}, size_t{9}, size_t{6007}}) {
      for (bool in_place : {false, true}) {
        const size_t total = per_rank * static_cast<size_t>(size);
        const auto results = gather_results(size, [&](comm::Communicator& c, std::vector<float>& out) {
          out.assign(total, -999.f);
          std::vector<float> mine(per_rank);
          for (size_t i = 0; i < per_rank; ++i) mine[i] = exact_value(c.rank(), i);
          if (in_place) {
            std::copy(mine.begin(), mine.end(), out.begin() + static_cast<std::ptrdiff_t>(c.rank() * per_rank));
            c.all_gather(out.data() + c.rank() * per_rank, out.data(), per_rank, DType::Float32);
          } else {
            c.all_gather(mine.data(), out.data(), per_rank, DType::Float32);
          }
        });
        size_t wrong = 0;
        for (int rank = 0; rank < size; ++rank) {
          for (int block = 0; block < size; ++block) {
            for (size_t i = 0; i < per_rank; ++i) {
              if (results[static_cast<size_t>(rank)][static_cast<size_t>(block) * per_rank + i] != exact_value(block, i)) {
                ++wrong;
              }
            }
          }
        }
        NEOX_EXPECT(wrong == 0) << "size " << size << ", per rank " << per_rank << (in_place ? " in place" : "")
                                << ": " << wrong << " wrong elements";
      }
    }
  }
}

NEOX_TEST(comm_broadcast_from_every_root) {
  for (int size : kWorldSizes) {
    for (int root = 0; root < size; ++root) {
      const size_t count = 3001;
      const auto results = gather_results(size, [&](comm::Communicator& c, std::vector<float>& out) {
        out.resize(count);
        for (size_t i = 0; i < count; ++i) out[i] = exact_value(c.rank(), i);
        c.broadcast(out.data(), count, DType::Float32, root);
      });
      size_t wrong = 0;
      for (int rank = 0; rank < size; ++rank) {
        for (size_t i = 0; i < count; ++i) wrong += results[static_cast<size_t>(rank)][i] != exact_value(root, i);
      }
      NEOX_EXPECT(wrong == 0) << "size " << size << ", root " << root << ": " << wrong << " wrong elements";
    }
  }
}

NEOX_TEST(comm_barrier_releases_no_rank_before_all_arrive) {
  for (int size : kWorldSizes) {
    std::atomic<int> arrived[3] = {{0}, {0}, {0}};
    std::mutex mutex;
    std::vector<std::string> early;
    run_world(size, [&](comm::Communicator& c) {
      for (int round = 0; round < 3; ++round) {
        // Late arrivals: rank r enters r·30 ms after rank 0.
        std::this_thread::sleep_for(std::chrono::milliseconds(30 * c.rank()));
        arrived[round].fetch_add(1);
        c.barrier();
        const int seen = arrived[round].load();
        if (seen != size) {
          std::lock_guard<std::mutex> lock(mutex);
          early.push_back("rank " + std::to_string(c.rank()) + " left round " + std::to_string(round) + " after " +
                          std::to_string(seen) + " arrivals");
        }
      }
    });
    NEOX_EXPECT(early.empty()) << "size " << size << ": " << early.front();
  }
}

NEOX_TEST(comm_group_of_one_needs_no_peers) {
  auto store = std::make_shared<comm::HashStore>();
  auto c = comm::GlooCommunicator::create(store, small_path_options(0, 1));
  std::vector<float> data = {1.f, 2.f, 3.f};
  c->all_reduce_average(data.data(), data.size());
  c->barrier();
  std::vector<float> gathered(3);
  c->all_gather(data.data(), gathered.data(), 3, DType::Float32);
  NEOX_EXPECT(data == std::vector<float>({1.f, 2.f, 3.f}));
  NEOX_EXPECT(gathered == data);
}

NEOX_TEST(comm_rejects_bad_arguments_with_the_fix) {
  auto store = std::make_shared<comm::HashStore>();
  NEOX_EXPECT_THROWS(comm::GlooCommunicator::create(store, small_path_options(2, 2)), "rank 2 of size 2");
  auto c = comm::GlooCommunicator::create(store, small_path_options(0, 1));
  std::vector<uint16_t> half(4);
  NEOX_EXPECT_THROWS(c->all_reduce(half.data(), 4, DType::BFloat16, ReduceOp::Sum),
                     "bfloat16 reductions are not implemented yet");
  NEOX_EXPECT_THROWS(c->broadcast(half.data(), 4, DType::Float32, 1), "root is group rank 1; expected 0..0");
  NEOX_EXPECT_THROWS(c->all_reduce(nullptr, 4, DType::Float32, ReduceOp::Sum), "data is null but count is 4");
}
