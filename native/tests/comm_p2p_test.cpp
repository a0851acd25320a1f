// Point-to-point: messages between two ranks on one tag arrive in the order sent, a receive
// names its source, and send_recv lets neighbours exchange without deadlock.
#include "comm_test_util.h"

using namespace neox;
using namespace neox::testing;
using comm::DType;

NEOX_TEST(comm_send_recv_keeps_order_per_peer_and_tag) {
  const int kMessages = 6;
  const size_t count = 3000;
  std::vector<float> first_values;
  run_world(2, [&](comm::Communicator& c) {
    std::vector<float> data(count);
    for (int m = 0; m < kMessages; ++m) {
      if (c.rank() == 0) {
        for (size_t i = 0; i < count; ++i) data[i] = static_cast<float>(m * 10000 + static_cast<int>(i));
        c.send(data.data(), count, DType::Float32, 1, 7);
      } else {
        c.recv(data.data(), count, DType::Float32, 0, 7);
        bool intact = true;
        for (size_t i = 0; i < count; ++i) intact = intact && data[i] == static_cast<float>(m * 10000 + static_cast<int>(i));
        first_values.push_back(intact ? data[0] : -1.f);
      }
    }
  });
  std::vector<float> expected;
  for (int m = 0; m < kMessages; ++m) expected.push_back(static_cast<float>(m * 10000));
  NEOX_EXPECT(first_values == expected) << "received " << first_values.size() << " messages, out of order or damaged";
}

NEOX_TEST(comm_recv_takes_the_named_source) {
  // Ranks 0 and 2 both send to rank 1 on the same tag; rank 1 receives from 2 first, then from 0.
  std::vector<float> got;
  run_world(3, [&](comm::Communicator& c) {
    float value = static_cast<float>(100 + c.rank());
    if (c.rank() == 1) {
      float from_two = 0, from_zero = 0;
      c.recv(&from_two, 1, DType::Float32, 2, 3);
      c.recv(&from_zero, 1, DType::Float32, 0, 3);
      got = {from_two, from_zero};
    } else {
      c.send(&value, 1, DType::Float32, 1, 3);
    }
  });
  NEOX_EXPECT(got == std::vector<float>({102.f, 100.f}));
}

NEOX_TEST(comm_send_recv_exchanges_around_a_ring) {
  // Every rank sends to its right and receives from its left at once (a pipeline's exchange);
  // plain blocking sends in this pattern would wait for each other forever.
  for (int size : {2, 3, 4}) {
    std::vector<std::vector<float>> got(static_cast<size_t>(size));
    run_world(size, [&](comm::Communicator& c) {
      const int right = (c.rank() + 1) % size, left = (c.rank() + size - 1) % size;
      std::vector<float> out(500, static_cast<float>(c.rank())), in(500, -1.f);
      c.send_recv(out.data(), right, in.data(), left, 500, DType::Float32, 11);
      got[static_cast<size_t>(c.rank())] = in;
    });
    for (int rank = 0; rank < size; ++rank) {
      const float left = static_cast<float>((rank + size - 1) % size);
      NEOX_EXPECT(got[static_cast<size_t>(rank)] == std::vector<float>(500, left)) << "size " << size << " rank " << rank;
    }
  }
}
