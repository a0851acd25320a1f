#include "model/param_init.h"

#include <cmath>

#include "core/threads.h"
#include "cpu/counter_rng.h"

namespace neox::model {

namespace {

constexpr double kTwoPi = 6.283185307179586476925;

// Uniform in (0, 1] from the top 53 bits.
double unit_interval(uint64_t bits) { return double((bits >> 11) + 1) * 0x1.0p-53; }

struct Distribution {
  bool uniform = false;
  double scale = 0;  // σ of the normal, or the half-width of the uniform
};

Distribution distribution_of(InitMethod method, const TensorSpec& spec, const ModelConfig& config) {
  const double sigma = config.init_std, L = double(config.num_layers), C = double(config.hidden_size);
  const double fans = double(spec.fan_in + spec.fan_out);
  switch (method) {
    case InitMethod::normal: return {false, sigma};
    case InitMethod::scaled_normal: return {false, sigma / std::sqrt(2.0 * L)};
    case InitMethod::single_residual_scaled_normal: return {false, sigma / std::sqrt(L)};
    case InitMethod::small_init: return {false, std::sqrt(2.0 / (5.0 * C))};
    case InitMethod::wang_init: return {false, 2.0 / (L * std::sqrt(C))};
    case InitMethod::xavier_normal: return {false, std::sqrt(2.0 / fans)};
    case InitMethod::xavier_uniform: return {true, std::sqrt(6.0 / fans)};
  }
  return {false, sigma};
}

// out[i] ← the draw of global element first_global + i.
template <typename T>
void fill_random(T* out, int64_t n, int64_t first_global, uint64_t seed, uint64_t tensor_index, Distribution dist) {
  const uint64_t stream = cpu::splitmix64_mix(seed ^ cpu::splitmix64_mix(tensor_index + 0x5851F42D4C957F2Dull));
  parallel_for(n, 4096, [&](int64_t i0, int64_t i1) {
    for (int64_t i = i0; i < i1; ++i) {
      const uint64_t base = stream + uint64_t(2 * (first_global + i) + 1) * 0x9E3779B97F4A7C15ull;
      const double u1 = unit_interval(cpu::splitmix64_mix(base));
      if (dist.uniform) {
        out[i] = T(dist.scale * (2.0 * u1 - 1.0));
        continue;
      }
      const double u2 = unit_interval(cpu::splitmix64_mix(base + 0x9E3779B97F4A7C15ull));
      out[i] = T(dist.scale * std::sqrt(-2.0 * std::log(u1)) * std::cos(kTwoPi * u2));  // Box–Muller
    }
  });
}

// A (possibly tensor-parallel) tensor's draws, keyed by global element index: each box row is a
// contiguous run of the global tensor (row-major).
template <typename T>
void fill_tensor(T* out, const TensorSpec& spec, uint64_t seed, uint64_t tensor_index, Distribution dist) {
  const int64_t global_columns = spec.global_shape.size() == 2 ? spec.global_shape[1] : 1;
  for (const TensorBox& box : spec.boxes) {
    const int64_t rows = box.shape[0], columns = box.shape.size() == 2 ? box.shape[1] : 1;
    const int64_t first_column = box.start.size() == 2 ? box.start[1] : 0;
    if (columns == global_columns) {  // whole rows: one contiguous run
      fill_random(out, rows * columns, box.start[0] * global_columns, seed, tensor_index, dist);
    } else {
      for (int64_t r = 0; r < rows; ++r) {
        fill_random(out + r * columns, columns, (box.start[0] + r) * global_columns + first_column, seed, tensor_index,
                    dist);
      }
    }
    out += rows * columns;
  }
}

}  // namespace

template <typename T>
void initialize_parameters(T* params, const ParamLayout& layout, const ModelConfig& config, uint64_t seed) {
  const auto& tensors = layout.tensors();
  for (size_t k = 0; k < tensors.size(); ++k) {
    const TensorSpec& spec = tensors[k];
    T* out = params + spec.offset;
    switch (spec.init) {
      case InitRole::zeros:
        for (int64_t i = 0; i < spec.numel; ++i) out[i] = T(0);
        break;
      case InitRole::ones:
        for (int64_t i = 0; i < spec.numel; ++i) out[i] = T(1);
        break;
      case InitRole::init_method:
        fill_tensor(out, spec, seed, uint64_t(spec.init_key), distribution_of(config.init_method, spec, config));
        break;
      case InitRole::output_layer_init_method:
        fill_tensor(out, spec, seed, uint64_t(spec.init_key), distribution_of(config.output_init_method, spec, config));
        break;
    }
  }
}

template void initialize_parameters<float>(float*, const ParamLayout&, const ModelConfig&, uint64_t);
template void initialize_parameters<double>(double*, const ParamLayout&, const ModelConfig&, uint64_t);

}  // namespace neox::model
