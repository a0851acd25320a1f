// Helpers for the communicator tests: ranks are threads of this process, each with its own
// Gloo communicator over TCP on 127.0.0.1, meeting through one in-process store.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "comm/gloo_communicator.h"
#include "comm/hash_store.h"
#include "core/errors.h"
#include "test_harness.h"

namespace neox::testing {

using namespace std::chrono_literals;

// Runs body(rank) on `size` threads and returns each rank's exception message ("" if it returned).
inline std::vector<std::string> run_ranks(int size, const std::function<void(int)>& body) {
  std::vector<std::string> errors(static_cast<size_t>(size));
  std::vector<std::thread> threads;
  for (int rank = 0; rank < size; ++rank) {
    threads.emplace_back([&, rank] {
      try {
        body(rank);
      } catch (const std::exception& e) {
        errors[static_cast<size_t>(rank)] = e.what();
        if (errors[static_cast<size_t>(rank)].empty()) errors[static_cast<size_t>(rank)] = "(empty message)";
      }
    });
  }
  for (auto& t : threads) t.join();
  return errors;
}

// Options that make small buffers take every code path: all-reduces above 1 KiB run the ring,
// with 4 KiB segments, so a few thousand elements already cross many segments per chunk.
inline comm::GlooOptions small_path_options(int rank, int size, std::chrono::milliseconds timeout = 20s) {
  comm::GlooOptions options;
  options.rank = rank;
  options.size = size;
  options.timeout = timeout;
  options.ring.segment_bytes = 4096;
  options.ring.window = 3;
  options.direct_all_reduce_max_bytes = 1024;
  return options;
}

// Builds a world of `size` ranks over a fresh store and runs body(communicator) on each; a
// failing rank's message is reported as a test failure naming the rank.
inline void run_world(int size, const std::function<void(comm::Communicator&)>& body) {
  auto store = std::make_shared<comm::HashStore>();
  const auto errors = run_ranks(size, [&](int rank) {
    auto communicator = comm::GlooCommunicator::create(store, small_path_options(rank, size));
    body(*communicator);
  });
  for (int rank = 0; rank < size; ++rank) {
    NEOX_EXPECT(errors[static_cast<size_t>(rank)].empty())
        << "world of " << size << ", rank " << rank << ": " << errors[static_cast<size_t>(rank)];
  }
}

// A small integer per (rank, element): sums of a few of them are exact in float, so results
// can be compared exactly with a reference computed here.
inline float exact_value(int rank, size_t i) {
  return static_cast<float>(static_cast<int>((static_cast<size_t>(rank) * 7919u + i * 104729u) % 17u) - 8);
}

inline bool contains(const std::string& text, const std::string& fragment) {
  return text.find(fragment) != std::string::npos;
}

}  // namespace neox::testing
