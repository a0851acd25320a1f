// Failures: a rank that never joins, a rank that joins but never calls the collective, and a
// rank whose process goes away (its sockets close) while a peer waits in a collective. Each
// ends in Error(Comm) that names the group, the operation and the peer; a dead peer is noticed
// in milliseconds, not after the timeout; and the next generation builds working communicators.
#include "comm_test_util.h"

using namespace neox;
using namespace neox::testing;
using Clock = std::chrono::steady_clock;

NEOX_TEST(comm_rendezvous_timeout_names_the_ranks_that_never_joined) {
  auto store = std::make_shared<comm::HashStore>();
  std::vector<Clock::duration> took(2);
  const auto errors = run_ranks(2, [&](int rank) {  // ranks 0 and 1 of a world of 3 start; rank 2 never does
    const auto start = Clock::now();
    try {
      comm::GlooCommunicator::create(store, small_path_options(rank, 3, 300ms));
    } catch (...) {
      took[static_cast<size_t>(rank)] = Clock::now() - start;
      throw;
    }
  });
  for (int rank = 0; rank < 2; ++rank) {
    NEOX_EXPECT(errors[static_cast<size_t>(rank)] ==
                "rendezvous of group world (ranks 0,1,2) timed out after 300 ms: rank 2 never joined (store: "
                "in-process hash store); is its process alive? (raise comm_timeout_seconds if it starts slowly)")
        << errors[static_cast<size_t>(rank)];
    NEOX_EXPECT(took[static_cast<size_t>(rank)] >= 300ms && took[static_cast<size_t>(rank)] < 3s);
  }
}

NEOX_TEST(comm_collective_timeout_names_the_silent_peer) {
  // Both ranks build the world; rank 1 then never enters the all-reduce.
  for (size_t count : {size_t{10}, size_t{100000}}) {  // direct path and ring path
    auto store = std::make_shared<comm::HashStore>();
    std::atomic<bool> rank0_done{false};
    std::string message;
    ErrorCode code = ErrorCode::Internal;
    Clock::duration took{};
    run_ranks(2, [&](int rank) {
      auto c = comm::GlooCommunicator::create(store, small_path_options(rank, 2, 400ms));
      if (rank == 1) {
        while (!rank0_done) std::this_thread::sleep_for(5ms);
        return;
      }
      std::vector<float> data(count, 1.f);
      const auto start = Clock::now();
      try {
        c->all_reduce_sum(data.data(), count);
      } catch (const Error& e) {
        message = e.what();
        code = e.code();
      }
      took = Clock::now() - start;
      rank0_done = true;
    });
    NEOX_EXPECT(code == ErrorCode::Comm);
    NEOX_EXPECT(message ==
                "all_reduce on group world (ranks 0,1) timed out after 400 ms waiting for rank 1; is its process "
                "alive? (raise comm_timeout_seconds if it is slow)")
        << "count " << count << ": " << message;
    NEOX_EXPECT(took >= 400ms && took < 3s) << "count " << count;
  }
}

NEOX_TEST(comm_timeout_in_a_group_of_three_names_the_missing_rank) {
  auto store = std::make_shared<comm::HashStore>();
  std::atomic<int> finished{0};
  std::vector<std::string> messages(3);
  run_ranks(3, [&](int rank) {
    auto c = comm::GlooCommunicator::create(store, small_path_options(rank, 3, 500ms));
    if (rank == 2) {
      while (finished < 2) std::this_thread::sleep_for(5ms);
      return;
    }
    std::vector<float> data(30000, 1.f);
    try {
      c->all_reduce_sum(data.data(), data.size());
    } catch (const Error& e) {
      messages[static_cast<size_t>(rank)] = e.what();
    }
    ++finished;
  });
  // Rank 0 waits on its left neighbour, rank 2: that is the rank it names.
  NEOX_EXPECT(contains(messages[0], "all_reduce on group world (ranks 0,1,2) timed out after 500 ms waiting for rank 2"))
      << messages[0];
  // Rank 1 waits on rank 0, which gives up first and closes its connections: rank 1 fails too,
  // by timeout or by losing rank 0, but it fails.
  NEOX_EXPECT(contains(messages[1], "all_reduce on group world (ranks 0,1,2)")) << messages[1];
}

NEOX_TEST(comm_dead_peer_fails_the_survivor_fast_and_the_next_generation_works) {
  for (size_t count : {size_t{10}, size_t{100000}}) {
    auto store = std::make_shared<comm::HashStore>();
    std::string message, refused;
    Clock::duration took{};
    run_ranks(2, [&](int rank) {
      auto c = comm::GlooCommunicator::create(store, small_path_options(rank, 2, 20s));
      std::vector<float> data(count, 1.f);
      c->all_reduce_sum(data.data(), count);  // both healthy once
      if (rank == 1) {
        std::this_thread::sleep_for(200ms);  // rank 0 is inside the next all-reduce by now
        c.reset();                           // this "process" dies: its sockets close
        return;
      }
      const auto start = Clock::now();
      try {
        c->all_reduce_sum(data.data(), count);
      } catch (const Error& e) {
        message = e.what();
      }
      took = Clock::now() - start;
      try {
        c->barrier();
      } catch (const Error& e) {
        refused = e.what();
      }
    });
    NEOX_EXPECT(contains(message, "all_reduce on group world (ranks 0,1) failed: lost the connection to rank 1 ("))
        << "count " << count << ": " << message;
    NEOX_EXPECT(contains(message, "its process probably exited")) << message;
    NEOX_EXPECT(took < 3s) << "count " << count << ": the survivor waited "
                           << std::chrono::duration_cast<std::chrono::milliseconds>(took).count()
                           << " ms for a dead peer (timeout 20 s)";
    NEOX_EXPECT(contains(refused, "barrier on group world (ranks 0,1) refused: this communicator failed earlier"))
        << refused;

    // Next generation: a fresh store scope, new communicators, and collectives work again.
    auto next = std::make_shared<comm::HashStore>();
    std::vector<float> sums(2);
    const auto errors = run_ranks(2, [&](int rank) {
      auto c = comm::GlooCommunicator::create(next, small_path_options(rank, 2));
      std::vector<float> data(count, 2.f);
      c->all_reduce_sum(data.data(), count);
      sums[static_cast<size_t>(rank)] = data[count - 1];
    });
    for (const auto& e : errors) NEOX_EXPECT(e.empty()) << e;
    NEOX_EXPECT(sums == std::vector<float>({4.f, 4.f}));
  }
}
