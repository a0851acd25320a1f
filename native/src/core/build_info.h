// What this native build contains, for `neox doctor`-style reports and the addon's buildInfo().
#pragma once

#include <string>

namespace neox {

struct BuildInfo {
  std::string blas;       // e.g. "OpenBLAS (OpenMP) 0.3.21"
  std::string openmp;     // OpenMP spec date, e.g. "201511"
  bool gloo = false;
  bool cuda = false;
  std::string compiler;
};

BuildInfo build_info();

}  // namespace neox
