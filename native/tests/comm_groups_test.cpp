// The Megatron layout helper and sub-groups: a rank's tp/pp/dp groups, and collectives on
// sub-groups that reduce over their members only.
#include <mutex>

#include "comm/topology.h"
#include "comm_test_util.h"

using namespace neox;
using namespace neox::testing;

NEOX_TEST(comm_topology_follows_megatron_order) {
  const comm::ParallelDims dims{2, 2, 2};  // tp, pp, dp
  // rank = dp_i·pp·tp + pp_i·tp + tp_i: rank 5 = 1·4 + 0·2 + 1.
  const comm::RankGroups g = comm::groups_of(dims, 5);
  NEOX_EXPECT(g.coords.tp == 1 && g.coords.pp == 0 && g.coords.dp == 1);
  NEOX_EXPECT(g.tp == std::vector<int>({4, 5}));
  NEOX_EXPECT(g.pp == std::vector<int>({5, 7}));
  NEOX_EXPECT(g.dp == std::vector<int>({1, 5}));
  NEOX_EXPECT(g.pp_prev == -1 && g.pp_next == 7);
  const comm::RankGroups last = comm::groups_of(comm::ParallelDims{2, 4, 3}, 23);
  NEOX_EXPECT(last.coords.tp == 1 && last.coords.pp == 3 && last.coords.dp == 2);
  NEOX_EXPECT(last.pp == std::vector<int>({17, 19, 21, 23}));
  NEOX_EXPECT(last.dp == std::vector<int>({7, 15, 23}));
  NEOX_EXPECT(last.pp_prev == 21 && last.pp_next == -1);
}

NEOX_TEST(comm_topology_groups_partition_the_world) {
  for (const comm::ParallelDims dims : {comm::ParallelDims{1, 1, 4}, comm::ParallelDims{4, 1, 1},
                                        comm::ParallelDims{2, 3, 2}, comm::ParallelDims{3, 2, 4}}) {
    for (int rank = 0; rank < dims.world(); ++rank) {
      NEOX_EXPECT(comm::rank_of(dims, comm::coords_of(dims, rank)) == rank);
      const comm::RankGroups g = comm::groups_of(dims, rank);
      NEOX_EXPECT(static_cast<int>(g.tp.size()) == dims.tp && static_cast<int>(g.pp.size()) == dims.pp &&
                  static_cast<int>(g.dp.size()) == dims.dp);
      // The group rank is the coordinate, and every member of a group sees the same group.
      NEOX_EXPECT(g.tp[static_cast<size_t>(g.coords.tp)] == rank && g.pp[static_cast<size_t>(g.coords.pp)] == rank &&
                  g.dp[static_cast<size_t>(g.coords.dp)] == rank);
      for (int member : g.tp) NEOX_EXPECT(comm::groups_of(dims, member).tp == g.tp);
      for (int member : g.dp) NEOX_EXPECT(comm::groups_of(dims, member).dp == g.dp);
      // TP ranks are consecutive (one host).
      NEOX_EXPECT(g.tp.back() - g.tp.front() == dims.tp - 1);
    }
  }
}

NEOX_TEST(comm_topology_errors_show_the_arithmetic) {
  NEOX_EXPECT_THROWS(comm::coords_of(comm::ParallelDims{2, 1, 2}, 4), "outside the world of tp(2) × pp(1) × dp(2) = 4");
  NEOX_EXPECT_THROWS(comm::groups_of(comm::ParallelDims{0, 1, 2}, 0), "tp=0, pp=1, dp=2 must all be >= 1");
}

NEOX_TEST(comm_subgroups_reduce_over_their_members_only) {
  // World of 8 = tp2 × pp2 × dp2. Each rank builds its tp, pp and dp groups and all-reduces its
  // world rank (plus an element offset) in each; the sum must be over that group's members.
  const comm::ParallelDims dims{2, 2, 2};
  const int world = dims.world();
  auto store = std::make_shared<comm::HashStore>();
  std::mutex mutex;
  std::vector<std::string> wrong;
  const auto errors = run_ranks(world, [&](int rank) {
    auto world_comm = comm::GlooCommunicator::create(store, small_path_options(rank, world));
    const comm::RankGroups g = comm::groups_of(dims, rank);
    const std::pair<const char*, const std::vector<int>*> kinds[] = {{"tp", &g.tp}, {"pp", &g.pp}, {"dp", &g.dp}};
    for (const auto& [name, members] : kinds) {
      auto group = world_comm->create_group(name, *members);
      const size_t count = 2000;  // ring path
      std::vector<float> data(count);
      for (size_t i = 0; i < count; ++i) data[i] = static_cast<float>(rank) + static_cast<float>(i % 5);
      group->all_reduce_sum(data.data(), count);
      float members_sum = 0;
      for (int m : *members) members_sum += static_cast<float>(m);
      bool ok = group->size() == static_cast<int>(members->size()) && group->name() == name;
      for (size_t i = 0; i < count; ++i) {
        ok = ok && data[i] == members_sum + static_cast<float>(members->size() * (i % 5));
      }
      if (!ok) {
        std::lock_guard<std::mutex> lock(mutex);
        wrong.push_back("rank " + std::to_string(rank) + " group " + name + ": got " + std::to_string(data[0]) +
                        ", expected " + std::to_string(members_sum));
      }
    }
    world_comm->barrier();
  });
  for (int rank = 0; rank < world; ++rank) NEOX_EXPECT(errors[static_cast<size_t>(rank)].empty()) << errors[static_cast<size_t>(rank)];
  NEOX_EXPECT(wrong.empty()) << wrong.size() << " wrong, first: " << wrong.front();
}

NEOX_TEST(comm_subgroup_describes_itself_by_world_ranks) {
  auto store = std::make_shared<comm::HashStore>();
  std::string described, refused;
  const auto errors = run_ranks(4, [&](int rank) {
    auto world_comm = comm::GlooCommunicator::create(store, small_path_options(rank, 4));
    if (rank % 2 == 0) {
      auto dp = world_comm->create_group("dp", {0, 2});
      if (rank == 2) {
        described = dp->group().describe() + " rank " + std::to_string(dp->rank());
        try {
          dp->create_group("x", {2, 3});
        } catch (const Error& e) {
          refused = e.what();
        }
      }
    }
    // Nobody leaves (closing its connections) while others may still be connecting.
    world_comm->barrier();
  });
  for (const auto& e : errors) NEOX_EXPECT(e.empty()) << e;
  NEOX_EXPECT(described == "group dp (ranks 0,2) rank 1") << described;
  NEOX_EXPECT(contains(refused, "rank 3 is not a member of this group")) << refused;
}
