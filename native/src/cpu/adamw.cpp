#include "cpu/adamw.h"

#include <cmath>

#include "core/errors.h"
#include "core/threads.h"

namespace neox::cpu {

template <typename T>
void adamw_update(T* param, const T* grad, T* m, T* v, int64_t n, const AdamWHyper& hyper, int64_t step,
                  double grad_scale) {
  NEOX_CHECK_ARG(param && grad && m && v, "adamw_update got a null param, grad, m or v pointer; pass all four");
  NEOX_CHECK_ARG(n >= 0, "adamw_update: element count " << n << " is negative");
  NEOX_CHECK_ARG(step >= 1, "adamw_update: step is " << step << "; steps count applied updates from 1");
  NEOX_CHECK_ARG(hyper.lr >= 0 && std::isfinite(hyper.lr), "adamw_update: lr is " << hyper.lr << "; it must be finite and >= 0");
  NEOX_CHECK_ARG(hyper.beta1 >= 0 && hyper.beta1 < 1 && hyper.beta2 >= 0 && hyper.beta2 < 1,
                 "adamw_update: betas are (" << hyper.beta1 << ", " << hyper.beta2 << "); both must be in [0, 1)");
  NEOX_CHECK_ARG(hyper.eps > 0, "adamw_update: eps is " << hyper.eps << "; it must be > 0 (default 1e-8)");
  NEOX_CHECK_ARG(hyper.weight_decay >= 0, "adamw_update: weight_decay is " << hyper.weight_decay << "; it must be >= 0");
  NEOX_CHECK_ARG(std::isfinite(grad_scale), "adamw_update: grad_scale is " << grad_scale << "; pass a finite factor");

  const T decay = T(1.0 - hyper.lr * hyper.weight_decay);
  const T step_size = T(hyper.lr / (1.0 - std::pow(hyper.beta1, double(step))));
  const T bias_correction2_sqrt = T(std::sqrt(1.0 - std::pow(hyper.beta2, double(step))));
  const T one_minus_beta1 = T(1.0 - hyper.beta1), beta2 = T(hyper.beta2), one_minus_beta2 = T(1.0 - hyper.beta2);
  const T eps = T(hyper.eps), scale = T(grad_scale);
  // Captured by value: read through captured references, GCC reloads pointers and constants every
  // iteration and leaves the loop scalar ("no vectype for stmt").
  parallel_for(n, 16384, [=](int64_t i0, int64_t i1) {
    T* __restrict p = param + i0;
    T* __restrict first = m + i0;
    T* __restrict second = v + i0;
    const T* __restrict gr = grad + i0;
    const int64_t count = i1 - i0;
    for (int64_t i = 0; i < count; ++i) {
      const T g = gr[i] * scale;
      first[i] += one_minus_beta1 * (g - first[i]);
      second[i] = beta2 * second[i] + one_minus_beta2 * g * g;
      const T denom = std::sqrt(second[i]) / bias_correction2_sqrt + eps;
      p[i] = p[i] * decay - step_size * first[i] / denom;
    }
  });
}

template void adamw_update<float>(float*, const float*, float*, float*, int64_t, const AdamWHyper&, int64_t, double);
template void adamw_update<double>(double*, const double*, double*, double*, int64_t, const AdamWHyper&, int64_t,
                                   double);

}  // namespace neox::cpu
