// Bandwidth-optimal ring collectives on Gloo's unbound buffers. The buffer is cut into one chunk
// per rank and each chunk into segments. In each step a rank sends one chunk to its right
// neighbour and receives one from its left, segment by segment, with several segments in flight
// so the network, the reduction and the next send overlap: a reduce-scatter is size-1 steps that
// add the received chunk into the local one, an all-gather size-1 steps that copy it, and an
// all-reduce both in one pipelined pass. Every rank moves 2·(n-1)/n · bytes for an all-reduce and
// (n-1)/n · bytes for a reduce-scatter or all-gather. Each chunk is reduced by the same ranks in
// the same order, so all ranks end bitwise identical.
#pragma once

#include <cstddef>
#include <vector>

#include "comm/gloo_call.h"
#include "comm/reduce_kernels.h"

namespace neox::comm::gloo_ring {

struct RingTuning {
  size_t segment_bytes = size_t{1} << 20;  // largest transfer
  int window = 4;                          // receives posted ahead per neighbour
};

// data (count elements of elem_size bytes) ← Σ over ranks. Needs count >= group size.
// `scratch` is grown as needed and kept by the caller between calls.
void all_reduce(GlooCall& call, char* data, size_t count, size_t elem_size, SumIntoFn sum_into,
                const RingTuning& tuning, std::vector<char>& scratch);

// data (size·count_per_rank) is consumed; block `rank` of it ends as Σ over ranks of that block.
void reduce_scatter(GlooCall& call, char* data, size_t count_per_rank, size_t elem_size, SumIntoFn sum_into,
                    const RingTuning& tuning, std::vector<char>& scratch);

// data (size·count_per_rank): block `rank` is this rank's contribution; on return every block r
// holds rank r's.
void all_gather(GlooCall& call, char* data, size_t count_per_rank, size_t elem_size, const RingTuning& tuning);

}  // namespace neox::comm::gloo_ring
