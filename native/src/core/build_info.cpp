#include "core/build_info.h"

#include <cblas.h>

namespace neox {

BuildInfo build_info() {
  BuildInfo info;
  info.blas = std::string(NEOX_BLAS_KIND) + " " + openblas_get_config();
  info.openmp = std::to_string(_OPENMP);
  info.gloo = true;
#ifdef NEOX_WITH_CUDA
  info.cuda = true;
#endif
  info.compiler = "g++ " __VERSION__;
  return info;
}

}  // namespace neox
