#include "comm/gloo_direct.h"

#include <gloo/transport/unbound_buffer.h>

#include <cstring>

namespace neox::comm::gloo_direct {

void all_reduce(GlooCall& call, char* data, size_t count, size_t elem_size, SumIntoFn sum_into,
                std::vector<char>& scratch) {
  const int size = call.group().size();
  const int rank = call.group().rank;
  const size_t bytes = count * elem_size;
  if (scratch.size() < static_cast<size_t>(size) * bytes) scratch.resize(static_cast<size_t>(size) * bytes);
  auto block = [&](int r) { return scratch.data() + static_cast<size_t>(r) * bytes; };
  std::memcpy(block(rank), data, bytes);

  std::vector<GlooCall::Buffer> receives(static_cast<size_t>(size));
  std::vector<GlooCall::Buffer> sends(static_cast<size_t>(size));
  for (int peer = 0; peer < size; ++peer) {
    if (peer == rank) continue;
    receives[static_cast<size_t>(peer)] = call.buffer(block(peer), bytes);
    call.recv(receives[static_cast<size_t>(peer)], peer, 0, bytes);
  }
  for (int peer = 0; peer < size; ++peer) {
    if (peer == rank) continue;
    sends[static_cast<size_t>(peer)] = call.buffer(block(rank), bytes);
    call.send(sends[static_cast<size_t>(peer)], peer, 0, bytes);
  }
  for (int peer = 0; peer < size; ++peer) {
    if (peer != rank) call.wait_recv(receives[static_cast<size_t>(peer)], peer);
  }
  for (int peer = 0; peer < size; ++peer) {
    if (peer != rank) call.wait_send(sends[static_cast<size_t>(peer)], peer);
  }
  std::memcpy(data, block(0), bytes);
  for (int r = 1; r < size; ++r) sum_into(data, block(r), count);
}

void broadcast(GlooCall& call, char* data, size_t bytes, int root) {
  const int size = call.group().size();
  const int rank = call.group().rank;
  if (rank != root) {
    GlooCall::Buffer buffer = call.buffer(data, bytes);
    call.recv(buffer, root, 0, bytes);
    call.wait_recv(buffer, root);
    return;
  }
  std::vector<GlooCall::Buffer> sends(static_cast<size_t>(size));
  for (int peer = 0; peer < size; ++peer) {
    if (peer == root) continue;
    sends[static_cast<size_t>(peer)] = call.buffer(data, bytes);
    call.send(sends[static_cast<size_t>(peer)], peer, 0, bytes);
  }
  for (int peer = 0; peer < size; ++peer) {
    if (peer != root) call.wait_send(sends[static_cast<size_t>(peer)], peer);
  }
}

void barrier(GlooCall& call) {
  const int size = call.group().size();
  const int rank = call.group().rank;
  char outgoing = 1;
  char incoming = 0;
  for (int distance = 1; distance < size; distance *= 2) {
    const int to = (rank + distance) % size;
    const int from = (rank - distance % size + size) % size;
    GlooCall::Buffer receive = call.buffer(&incoming, 1);
    GlooCall::Buffer send = call.buffer(&outgoing, 1);
    call.recv(receive, from, 0, 1);
    call.send(send, to, 0, 1);
    call.wait_recv(receive, from);
    call.wait_send(send, to);
  }
}

}  // namespace neox::comm::gloo_direct
