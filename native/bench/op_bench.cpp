// Times the CPU ops at training shapes and prints GFLOP/s (matrix ops) or ms (elementwise ops).
// Not a test: run it on a quiet machine when profiling. Build: npm run build:native, then
//   native/build/neox_op_bench [threads]          (default: all cores)
// FLOP counts: linear 2·rows·in·out forward, twice that backward; causal attention
// 4·HS·(allowed query-key pairs) forward and 8·HS·pairs backward (the algorithmic count: the
// backward's recomputation of the scores is not counted); fused loss 2·N·C·V forward (eval) and
// 6·N·C·V forward+backward.
#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <functional>
#include <random>
#include <string>

#include <cblas.h>
#include <vector>

#include "core/build_info.h"
#include "core/threads.h"
#include "cpu/adamw.h"
#include "cpu/attention.h"
#include "cpu/bias_dropout_residual.h"
#include "cpu/cross_entropy.h"
#include "cpu/gelu.h"
#include "cpu/layernorm.h"
#include "cpu/matmul.h"

using namespace neox::cpu;

namespace {

std::vector<float> random_floats(int64_t n, float scale, unsigned seed) {
  std::mt19937 gen(seed);
  std::uniform_real_distribution<float> dist(-scale, scale);
  std::vector<float> v(static_cast<size_t>(n));
  for (float& x : v) x = dist(gen);
  return v;
}

struct Timing {
  double best = 0, median = 0;  // seconds
};

// Best and median wall time of `reps` runs after one warm-up run. On a shared (noisy) host the
// best run is the better estimate of what the code can do; the median shows the noise.
Timing time_runs(int reps, const std::function<void()>& fn) {
  fn();
  std::vector<double> times;
  for (int r = 0; r < reps; ++r) {
    const auto t0 = std::chrono::steady_clock::now();
    fn();
    times.push_back(std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  std::sort(times.begin(), times.end());
  return {times.front(), times[times.size() / 2]};
}

void report(const char* what, Timing t, double flops) {
  std::printf("  %-52s best %9.2f ms (median %9.2f)", what, t.best * 1e3, t.median * 1e3);
  if (flops > 0) std::printf(" %7.1f GFLOP/s", flops / t.best * 1e-9);
  std::printf("\n");
}

void bench_linear(int64_t rows, int64_t in, int64_t out) {
  auto x = random_floats(rows * in, 1.f, 1), w = random_floats(out * in, 0.05f, 2), b = random_floats(out, 0.1f, 3);
  auto dy = random_floats(rows * out, 1.f, 4);
  std::vector<float> y(rows * out), dx(rows * in), dw(out * in), db(out);
  const double flops = 2.0 * rows * in * out;
  char label[96];
  std::snprintf(label, sizeof label, "linear fwd   %lldx%lld -> %lld", (long long)rows, (long long)in, (long long)out);
  report(label, time_runs(9, [&] { matmul_forward(y.data(), x.data(), w.data(), b.data(), rows, in, out); }), flops);
  std::snprintf(label, sizeof label, "linear bwd   %lldx%lld -> %lld", (long long)rows, (long long)in, (long long)out);
  report(label, time_runs(9, [&] {
           matmul_backward(dx.data(), dw.data(), db.data(), dy.data(), x.data(), w.data(), rows, in, out);
         }), 2 * flops);
}

void bench_attention(int64_t batch, int64_t seq, int64_t heads, int64_t kv_heads, int64_t head_size) {
  const QkvLayout layout = QkvLayout::gpt_neox(batch, seq, heads, kv_heads, head_size);
  auto qkv = random_floats(layout.elements(), 1.f, 5);
  const int64_t out_elems = batch * seq * heads * head_size;
  auto dout = random_floats(out_elems, 1.f, 6);
  std::vector<float> out(out_elems), lse(batch * heads * seq), dqkv(layout.elements());
  const AttentionOptions options;
  const double pairs = double(batch) * heads * seq * (seq + 1) / 2;
  char label[96];
  std::snprintf(label, sizeof label, "attention fwd B=%lld T=%lld NH=%lld NKV=%lld HS=%lld", (long long)batch,
                (long long)seq, (long long)heads, (long long)kv_heads, (long long)head_size);
  report(label, time_runs(9, [&] { attention_forward(out.data(), lse.data(), qkv.data(), layout, options); }),
         4.0 * head_size * pairs);
  std::snprintf(label, sizeof label, "attention bwd B=%lld T=%lld NH=%lld NKV=%lld HS=%lld", (long long)batch,
                (long long)seq, (long long)heads, (long long)kv_heads, (long long)head_size);
  report(label, time_runs(9, [&] {
           std::fill(dqkv.begin(), dqkv.end(), 0.f);
           attention_backward(dqkv.data(), dout.data(), qkv.data(), out.data(), lse.data(), layout, options);
         }), 8.0 * head_size * pairs);
}

void bench_fused_loss(int64_t rows, int64_t channels, int64_t vocab, int64_t chunk_rows) {
  auto x = random_floats(rows * channels, 1.f, 7), w = random_floats(vocab * channels, 0.05f, 8);
  std::vector<int32_t> targets(rows);
  for (int64_t r = 0; r < rows; ++r) targets[r] = int32_t((r * 7919) % vocab);
  std::vector<float> dx(rows * channels), dw(vocab * channels), scratch(cross_entropy_scratch_elems(chunk_rows, vocab));
  char label[96];
  std::snprintf(label, sizeof label, "fused loss fwd+bwd N=%lld C=%lld V=%lld chunk=%lld", (long long)rows,
                (long long)channels, (long long)vocab, (long long)chunk_rows);
  report(label, time_runs(5, [&] {
           cross_entropy_forward_backward(dx.data(), dw.data(), (float*)nullptr, x.data(), w.data(), targets.data(),
                                          (const float*)nullptr, rows, channels, vocab, 1.0, scratch.data(), chunk_rows);
         }), 6.0 * rows * channels * vocab);
  std::snprintf(label, sizeof label, "fused loss eval    N=%lld C=%lld V=%lld chunk=%lld", (long long)rows,
                (long long)channels, (long long)vocab, (long long)chunk_rows);
  report(label, time_runs(5, [&] {
           cross_entropy_forward((float*)nullptr, x.data(), w.data(), targets.data(), (const float*)nullptr, rows,
                                 channels, vocab, scratch.data(), chunk_rows);
         }), 2.0 * rows * channels * vocab);
}

void bench_elementwise(int64_t rows, int64_t channels) {
  const int64_t n = rows * channels;
  auto x = random_floats(n, 2.f, 9), dy = random_floats(n, 1.f, 10), w = random_floats(channels, 1.f, 11);
  std::vector<float> y(n), dx(n), mean(rows), rstd(rows), dw(channels), db(channels), big(4 * n), dbig(4 * n);
  auto big_in = random_floats(4 * n, 2.f, 12);
  char label[96];
  std::snprintf(label, sizeof label, "layernorm fwd+bwd %lldx%lld", (long long)rows, (long long)channels);
  report(label, time_runs(9, [&] {
           layernorm_forward(y.data(), mean.data(), rstd.data(), x.data(), w.data(), w.data(), rows, channels, 1e-5);
           layernorm_backward(dx.data(), dw.data(), db.data(), dy.data(), x.data(), w.data(), mean.data(), rstd.data(),
                              rows, channels);
         }), 0);
  for (GeluApproximation kind : {GeluApproximation::tanh, GeluApproximation::none}) {
    std::snprintf(label, sizeof label, "gelu (%s) fwd+bwd %lldx%lld", kind == GeluApproximation::tanh ? "tanh" : "erf",
                  (long long)rows, (long long)(4 * channels));
    report(label, time_runs(9, [&] {
             gelu_forward(big.data(), big_in.data(), 4 * n, kind);
             gelu_backward(dbig.data(), big_in.data(), big.data(), 4 * n, kind);
           }), 0);
  }
  std::snprintf(label, sizeof label, "bias+dropout(0.1)+residual fwd+bwd %lldx%lld", (long long)rows, (long long)channels);
  const DropoutSpec dropout{0.1, 1, 2};
  report(label, time_runs(9, [&] {
           bias_dropout_residual_forward(y.data(), x.data(), w.data(), dy.data(), rows, channels, dropout);
           bias_dropout_residual_backward(dx.data(), db.data(), (float*)nullptr, dy.data(), rows, channels, dropout);
         }), 0);
}

void bench_adamw(int64_t n) {
  auto p = random_floats(n, 1.f, 13), g = random_floats(n, 1.f, 14);
  std::vector<float> m(n), v(n);
  const AdamWHyper hyper{6e-4, 0.9, 0.95, 1e-8, 0.1};
  int64_t step = 0;
  char label[96];
  std::snprintf(label, sizeof label, "adamw %lld params", (long long)n);
  report(label, time_runs(9, [&] { adamw_update(p.data(), g.data(), m.data(), v.data(), n, hyper, ++step, 1.0); }), 0);
}

}  // namespace

int main(int argc, char** argv) {
  neox::set_num_threads(argc > 1 ? std::atoi(argv[1]) : 0);
  std::printf("neox op bench: %d threads, %s\n", neox::num_threads(), neox::build_info().blas.c_str());
  // OpenBLAS 0.3.21's DYNAMIC_ARCH does not recognise every AVX-512 CPU (this project's AMD EPYC
  // gets its Haswell kernels); its SkylakeX kernels measured ~1.8x faster sgemm there.
  if (__builtin_cpu_supports("avx512f") && std::string(openblas_get_corename()) == "Haswell") {
    std::printf("  note: this CPU has AVX-512 but OpenBLAS picked its Haswell kernels; try OPENBLAS_CORETYPE=SKYLAKEX\n");
  }
  bench_linear(2048, 512, 2048);
  bench_linear(2048, 2048, 512);
  bench_linear(2048, 512, 1536);
  bench_attention(8, 256, 8, 8, 64);
  bench_attention(1, 2048, 8, 8, 64);
  bench_attention(4, 2048, 8, 8, 64);
  bench_attention(1, 2048, 8, 8, 128);
  bench_attention(1, 2048, 32, 8, 128);
  bench_fused_loss(2048, 512, 50304, 256);
  bench_fused_loss(2048, 512, 50304, 512);
  bench_elementwise(2048, 512);
  bench_adamw(70426624);
  return 0;
}
