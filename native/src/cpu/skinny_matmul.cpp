#include "cpu/skinny_matmul.h"

#include <cstring>

#include "core/errors.h"
#include "core/threads.h"

namespace neox::cpu {

namespace {

// One register of T where the target has AVX-512 (64 bytes), otherwise 32 bytes (one AVX2 or two
// NEON registers). With 64-byte vectors on AVX2, the 8-row kernel's accumulators need 16 ymm
// registers and spill: the batch-8 output layer ran 3-4x slower than at 32 bytes on a Zen 3.
#if defined(__AVX512F__)
constexpr int kVectorBytes = 64;
#else
constexpr int kVectorBytes = 32;
#endif

// GCC/Clang vector extension over kVectorBytes of T.
template <typename T>
struct Lanes {
  typedef T Vector __attribute__((vector_size(kVectorBytes)));
  static constexpr int64_t count = int64_t(kVectorBytes / sizeof(T));
  static Vector load(const T* p) {
    Vector v;
    std::memcpy(&v, p, sizeof(v));
    return v;
  }
};

// out[r, o] for the R input rows and weight row o: R vector accumulators, one pass over the row.
template <typename T, int64_t R>
void dot_rows(T* out, const T* inp, const T* w, T bias, int64_t IC, int64_t OC, int64_t o) {
  using L = Lanes<T>;
  typename L::Vector acc[R];
  for (int64_t r = 0; r < R; ++r) acc[r] = typename L::Vector{};
  const int64_t body = IC - IC % L::count;
  for (int64_t k = 0; k < body; k += L::count) {
    const typename L::Vector wv = L::load(w + k);
    for (int64_t r = 0; r < R; ++r) acc[r] += L::load(inp + r * IC + k) * wv;
  }
  for (int64_t r = 0; r < R; ++r) {
    T sum = 0;
    for (int64_t j = 0; j < L::count; ++j) sum += acc[r][j];
    for (int64_t k = body; k < IC; ++k) sum += inp[r * IC + k] * w[k];
    out[r * OC + o] = sum + bias;
  }
}

template <typename T, int64_t R>
void forward_rows(T* out, const T* inp, const T* weight, const T* bias, int64_t IC, int64_t OC) {
  parallel_for(OC, 256, [&](int64_t begin, int64_t end) {
    for (int64_t o = begin; o < end; ++o) dot_rows<T, R>(out, inp, weight + o * IC, bias != nullptr ? bias[o] : T(0), IC, OC, o);
  });
}

}  // namespace

template <typename T>
void skinny_matmul_forward(T* out, const T* inp, const T* weight, const T* bias, int64_t rows, int64_t in_features,
                           int64_t out_features) {
  NEOX_CHECK_ARG(rows >= 1 && rows <= kSkinnyMaxRows && in_features > 0 && out_features > 0,
                 "skinny_matmul_forward: shape rows=" << rows << " IC=" << in_features << " OC=" << out_features
                 << " is invalid; rows must be in [1, " << kSkinnyMaxRows << "] (use matmul_forward beyond) and features > 0");
  NEOX_CHECK_ARG(out != nullptr && inp != nullptr && weight != nullptr,
                 "skinny_matmul_forward got a null output, input or weight pointer; pass all three buffers");
  const int64_t IC = in_features, OC = out_features;
  switch (rows) {
    case 1: forward_rows<T, 1>(out, inp, weight, bias, IC, OC); break;
    case 2: forward_rows<T, 2>(out, inp, weight, bias, IC, OC); break;
    case 3: forward_rows<T, 3>(out, inp, weight, bias, IC, OC); break;
    case 4: forward_rows<T, 4>(out, inp, weight, bias, IC, OC); break;
    case 5: forward_rows<T, 5>(out, inp, weight, bias, IC, OC); break;
    case 6: forward_rows<T, 6>(out, inp, weight, bias, IC, OC); break;
    case 7: forward_rows<T, 7>(out, inp, weight, bias, IC, OC); break;
    default: forward_rows<T, 8>(out, inp, weight, bias, IC, OC); break;
  }
}

template void skinny_matmul_forward<float>(float*, const float*, const float*, const float*, int64_t, int64_t, int64_t);
template void skinny_matmul_forward<double>(double*, const double*, const double*, const double*, int64_t, int64_t,
                                            int64_t);

}  // namespace neox::cpu
