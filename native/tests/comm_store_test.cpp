// The rendezvous stores: in-process HashStore and the directory-backed FileStore (two FileStore
// objects on one directory stand for two processes), and a world that meets through files.
#include <unistd.h>

#include <cstdlib>

#include "comm/file_store.h"
#include "comm_test_util.h"

using namespace neox;
using namespace neox::testing;

namespace {

std::string fresh_directory(const char* tag) {
  static int counter = 0;
  const char* tmp = std::getenv("TMPDIR");
  return std::string(tmp ? tmp : "/tmp") + "/neox-comm-test-" + std::to_string(::getpid()) + "-" + tag + "-" +
         std::to_string(counter++);
}

std::vector<uint8_t> bytes(const std::string& text) { return std::vector<uint8_t>(text.begin(), text.end()); }

// The behaviour every Store promises, run against two handles on the same store.
void check_store_contract(comm::Store& a, comm::Store& b) {
  const std::vector<uint8_t> binary = {0, 255, 10, 0, 7};
  a.set("group/w/0", binary);
  NEOX_EXPECT(b.get("group/w/0") == binary);
  a.set("group/w/0", bytes("replaced"));
  NEOX_EXPECT(b.get("group/w/0") == bytes("replaced"));
  NEOX_EXPECT_THROWS(b.get("never/set"), "store key never/set does not exist");

  // wait: returns the missing keys after the timeout, and returns early once they appear.
  auto start = std::chrono::steady_clock::now();
  const auto missing = b.wait({"group/w/0", "k1", "k2"}, 150ms);
  const auto waited = std::chrono::steady_clock::now() - start;
  NEOX_EXPECT(missing == std::vector<std::string>({"k1", "k2"}));
  NEOX_EXPECT(waited >= 150ms && waited < 2s);
  std::thread late([&] {
    std::this_thread::sleep_for(50ms);
    a.set("k1", bytes("1"));
    a.set("k2", bytes("2"));
  });
  start = std::chrono::steady_clock::now();
  const auto none = b.wait({"k1", "k2"}, 10s);
  const auto early = std::chrono::steady_clock::now() - start;
  late.join();
  NEOX_EXPECT(none.empty());
  NEOX_EXPECT(early < 2s) << "wait did not return when the keys appeared";

  // add: atomic across users.
  std::vector<std::thread> adders;
  for (int t = 0; t < 4; ++t) {
    adders.emplace_back([&, t] {
      comm::Store& s = t % 2 ? a : b;
      for (int i = 0; i < 50; ++i) s.add("counter", 1);
    });
  }
  for (auto& t : adders) t.join();
  NEOX_EXPECT(a.add("counter", 0) == 200);
  NEOX_EXPECT(b.add("counter", -200) == 0);
  NEOX_EXPECT_THROWS(a.add("group/w/0", 1), "not a decimal integer");
}

}  // namespace

NEOX_TEST(comm_hash_store_contract) {
  comm::HashStore store;
  check_store_contract(store, store);
}

NEOX_TEST(comm_file_store_contract_across_two_handles) {
  const std::string root = fresh_directory("contract");
  comm::FileStore a(root, "run-1/gen-0");
  comm::FileStore b(root, "run-1/gen-0");
  check_store_contract(a, b);
  NEOX_EXPECT(a.describe() == "file store " + root + "/run-1/gen-0") << a.describe();
  // A different generation is a different scope: nothing leaks into it.
  comm::FileStore next(root, "run-1/gen-1");
  NEOX_EXPECT(next.wait({"k1"}, 1ms) == std::vector<std::string>({"k1"}));
  std::system(("rm -rf " + root).c_str());
}

NEOX_TEST(comm_file_store_refuses_a_missing_scope) {
  NEOX_EXPECT_THROWS(comm::FileStore("/tmp", ""), "use one per run and generation");
  NEOX_EXPECT_THROWS(comm::FileStore("/tmp", "a/../b"), "must not contain \"..\"");
}

NEOX_TEST(comm_world_meets_through_a_file_store) {
  const std::string root = fresh_directory("world");
  std::vector<float> sums(3, 0.f);
  const auto errors = run_ranks(3, [&](int rank) {
    auto store = std::make_shared<comm::FileStore>(root, "run-1/gen-0");  // one per "process"
    auto c = comm::GlooCommunicator::create(store, small_path_options(rank, 3));
    std::vector<float> data(5000, static_cast<float>(rank + 1));
    c->all_reduce_sum(data.data(), data.size());
    sums[static_cast<size_t>(rank)] = data[4999];
  });
  for (const auto& e : errors) NEOX_EXPECT(e.empty()) << e;
  NEOX_EXPECT(sums == std::vector<float>({6.f, 6.f, 6.f}));
  std::system(("rm -rf " + root).c_str());
}
