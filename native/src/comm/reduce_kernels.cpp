#include "comm/reduce_kernels.h"

#include "core/errors.h"

namespace neox::comm {
namespace {

void sum_into_f32(void* dst, const void* src, size_t count) {
  float* __restrict d = static_cast<float*>(dst);
  const float* __restrict s = static_cast<const float*>(src);
  for (size_t i = 0; i < count; ++i) d[i] += s[i];
}

}  // namespace

SumIntoFn sum_into_for(DType dtype) {
  NEOX_CHECK_ARG(dtype == DType::Float32, "sum of " << dtype_name(dtype) << " is not implemented yet; use float32");
  return sum_into_f32;
}

void scale_in_place(void* data, size_t count, DType dtype, double factor) {
  NEOX_CHECK_ARG(dtype == DType::Float32, "scaling " << dtype_name(dtype) << " is not implemented yet; use float32");
  float* d = static_cast<float*>(data);
  const float f = static_cast<float>(factor);
  for (size_t i = 0; i < count; ++i) d[i] *= f;
}

}  // namespace neox::comm
