// Compiled at configure time by CheckVectorisation.cmake: the exp pass of the softmax in attention
// and the loss, which must vectorise for the trainer to run at speed.
#include "cpu/vec_math.h"

void probe_exp(float* probs, const float* logits, long n, float row_max) {
  for (long v = 0; v < n; ++v) probs[v] = neox::cpu::exp_fast(logits[v] - row_max);
}

int main() { return 0; }
