#include "comm/topology.h"

#include "core/errors.h"

namespace neox::comm {

void check_dims(const ParallelDims& dims) {
  NEOX_CHECK_ARG(dims.tp >= 1 && dims.pp >= 1 && dims.dp >= 1,
                 "parallel degrees tp=" << dims.tp << ", pp=" << dims.pp << ", dp=" << dims.dp
                                        << " must all be >= 1 (model_parallel_size, pipe_parallel_size, data "
                                        << "parallel = world / (tp·pp))");
}

RankCoords coords_of(const ParallelDims& dims, int rank) {
  check_dims(dims);
  NEOX_CHECK_ARG(rank >= 0 && rank < dims.world(),
                 "rank " << rank << " is outside the world of tp(" << dims.tp << ") × pp(" << dims.pp << ") × dp("
                         << dims.dp << ") = " << dims.world() << " ranks");
  RankCoords c;
  c.tp = rank % dims.tp;
  c.pp = (rank / dims.tp) % dims.pp;
  c.dp = rank / (dims.tp * dims.pp);
  return c;
}

int rank_of(const ParallelDims& dims, const RankCoords& c) {
  check_dims(dims);
  NEOX_CHECK_ARG(c.tp >= 0 && c.tp < dims.tp && c.pp >= 0 && c.pp < dims.pp && c.dp >= 0 && c.dp < dims.dp,
                 "coordinates tp=" << c.tp << ", pp=" << c.pp << ", dp=" << c.dp << " are outside tp(" << dims.tp
                                   << ") × pp(" << dims.pp << ") × dp(" << dims.dp << ")");
  return c.dp * dims.pp * dims.tp + c.pp * dims.tp + c.tp;
}

RankGroups groups_of(const ParallelDims& dims, int rank) {
  RankGroups g;
  g.coords = coords_of(dims, rank);
  RankCoords c = g.coords;
  for (c.tp = 0; c.tp < dims.tp; ++c.tp) g.tp.push_back(rank_of(dims, c));
  c = g.coords;
  for (c.pp = 0; c.pp < dims.pp; ++c.pp) g.pp.push_back(rank_of(dims, c));
  c = g.coords;
  for (c.dp = 0; c.dp < dims.dp; ++c.dp) g.dp.push_back(rank_of(dims, c));
  const int stage = g.coords.pp;
  if (stage > 0) g.pp_prev = g.pp[static_cast<size_t>(stage - 1)];
  if (stage + 1 < dims.pp) g.pp_next = g.pp[static_cast<size_t>(stage + 1)];
  return g;
}

}  // namespace neox::comm
