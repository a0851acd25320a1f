// Global gradient norm, clipping and the non-finite check (reference §3.4, §3.7).
//   ‖g‖ = sqrt(Σ over all parameter gradients of sum_of_squares(grad_i, n_i)); the model sums
//   the per-tensor doubles in a fixed tensor order (and later all-reduces the sum across
//   model-parallel ranks before the sqrt).
//   clip_coefficient(‖g‖, clip) = clip/(‖g‖ + 1e-6) when (‖g‖ + 1e-6)/clip > 1, else 1
//   (DeepSpeed's rule); apply it with scale_in_place or as adamw_update's grad_scale.
//   A non-finite ‖g‖ means an overflow: first_non_finite(grad, n) finds the first bad element
//   of a tensor (−1 when none) so the error can name tensor and index; check_finite throws it.
// Determinism: sums run over fixed 64 Ki-element blocks, each in double and then combined in
// block order, so the result is bitwise identical for any thread count.
#pragma once

#include <cstdint>

namespace neox::cpu {

template <typename T>
double sum_of_squares(const T* x, int64_t n);

double clip_coefficient(double total_norm, double max_norm);

template <typename T>
void scale_in_place(T* x, int64_t n, double factor);

template <typename T>
int64_t first_non_finite(const T* x, int64_t n);

// Throws neox::Error(ErrorCode::NonFinite) naming `tensor_name`, the first bad index and value.
template <typename T>
void check_finite(const T* x, int64_t n, const char* tensor_name);

}  // namespace neox::cpu
