// Element-wise arithmetic of the CPU collectives: dst += src for received blocks, and the 1/size
// scale of an average. One function per element type (bf16 will accumulate in fp32).
#pragma once

#include <cstddef>

#include "comm/communicator.h"

namespace neox::comm {

using SumIntoFn = void (*)(void* dst, const void* src, size_t count);

// dst (count) += src (count); dst and src do not overlap.
SumIntoFn sum_into_for(DType dtype);
// data (count) *= factor
void scale_in_place(void* data, size_t count, DType dtype, double factor);

}  // namespace neox::comm
