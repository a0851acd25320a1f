// Megatron rank layout: world = dp × pp × tp, tensor parallel fastest, then pipeline, then data:
//   rank = dp_i·pp·tp + pp_i·tp + tp_i
// so a TP group is tp consecutive ranks (one host), a PP group strides by tp, and a DP group
// strides by pp·tp. Each rank belongs to exactly one group of each kind.
#pragma once

#include <vector>

namespace neox::comm {

struct ParallelDims {
  int tp = 1;
  int pp = 1;
  int dp = 1;
  int world() const { return tp * pp * dp; }
};

struct RankCoords {
  int tp = 0;
  int pp = 0;
  int dp = 0;
};

// A rank's three groups (world ranks in group-rank order, so the group rank is the coordinate)
// and its pipeline neighbours (-1 at the ends of the pipeline).
struct RankGroups {
  RankCoords coords;
  std::vector<int> tp;
  std::vector<int> pp;
  std::vector<int> dp;
  int pp_prev = -1;
  int pp_next = -1;
};

// Throws InvalidArgument (with the arithmetic) when a degree is < 1 or rank is outside the world.
void check_dims(const ParallelDims& dims);
RankCoords coords_of(const ParallelDims& dims, int rank);
int rank_of(const ParallelDims& dims, const RankCoords& coords);
RankGroups groups_of(const ParallelDims& dims, int rank);

}  // namespace neox::comm
