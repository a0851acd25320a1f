// Counter-based random numbers for dropout: the draw for element `index` depends only on
// (seed, offset, index), never on the order of evaluation or the number of threads, so a
// backward pass regenerates the forward mask instead of storing it.
//
// Keying: stream = mix(seed, offset); draw(index) = splitmix64 output for state
// stream + (index+1)·γ (Steele, Lea & Flood 2014, "Fast splittable pseudorandom number
// generators": γ = 0x9E3779B97F4A7C15 and the two xor-shift-multiply finaliser constants).
// The model picks a distinct `offset` per dropout site and step (e.g. step·sites + site).
#pragma once

#include <cstdint>

#include "core/errors.h"

namespace neox::cpu {

inline uint64_t splitmix64_mix(uint64_t z) {
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// What a dropout site needs: the probability and the RNG key.
struct DropoutSpec {
  double probability = 0.0;  // p in [0, 1); 0 turns dropout off
  uint64_t seed = 0;         // run seed
  uint64_t offset = 0;       // distinct per site and step
};

// A keep/drop decision with probability p of dropping, from a 24-bit uniform draw.
class DropoutMask {
 public:
  explicit DropoutMask(const DropoutSpec& spec)
      : stream_(splitmix64_mix(spec.seed ^ splitmix64_mix(spec.offset + 0x632BE59BD9B4E019ull))),
        threshold_(static_cast<uint32_t>(spec.probability * 16777216.0 + 0.5)),
        keep_scale_(spec.probability > 0 ? 1.0 / (1.0 - spec.probability) : 1.0),
        active_(spec.probability > 0) {
    NEOX_CHECK_ARG(spec.probability >= 0 && spec.probability < 1,
                   "dropout probability is " << spec.probability << "; it must be in [0, 1)");
  }
  bool active() const { return active_; }
  // 1/(1−p): the factor applied to kept elements.
  double keep_scale() const { return keep_scale_; }
  bool keep(uint64_t index) const {
    const uint64_t draw = splitmix64_mix(stream_ + (index + 1) * 0x9E3779B97F4A7C15ull);
    return static_cast<uint32_t>(draw >> 40) >= threshold_;
  }

 private:
  uint64_t stream_;
  uint32_t threshold_;
  double keep_scale_;
  bool active_;
};

}  // namespace neox::cpu
