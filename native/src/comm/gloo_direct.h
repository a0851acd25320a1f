// Gloo collectives where latency matters more than bandwidth: every rank talks to its peers
// directly, in one round (all-reduce of small buffers, broadcast) or log2(size) rounds (barrier).
#pragma once

#include <cstddef>
#include <vector>

#include "comm/gloo_call.h"
#include "comm/reduce_kernels.h"

namespace neox::comm::gloo_direct {

// data (count) ← Σ over ranks, summed in rank order 0..size-1 on every rank (so all ranks end
// bitwise identical). Each rank sends its whole buffer to every other: for small buffers.
void all_reduce(GlooCall& call, char* data, size_t count, size_t elem_size, SumIntoFn sum_into,
                std::vector<char>& scratch);

// data (bytes) on every rank ← data on group rank root, sent by the root to each rank.
void broadcast(GlooCall& call, char* data, size_t bytes, int root);

// Dissemination barrier: in round k every rank signals rank+2^k and waits for rank-2^k; after
// ceil(log2(size)) rounds every rank has (transitively) heard from all others.
void barrier(GlooCall& call);

}  // namespace neox::comm::gloo_direct
