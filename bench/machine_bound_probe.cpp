// This machine's bounds for a recurrent layer, so that the benchmark table
// can show each row as a fraction of what the hardware allows:
//
//   fma_peak/threads:k           fp32 FMA throughput, GFLOP/s (2 per FMA lane)
//   read_bandwidth/H:h/threads:k GB/s reading a buffer of 16·h² bytes, the
//                                f32 recurrent weights of an LSTM (4h × h),
//                                over and over, as a time loop reads them
//
// A step of a recurrent layer at batch N reads its recurrent weights once and
// does 2·N·G·H² flops on them, so at small N the bandwidth row bounds it, at
// large N the FMA row. With k threads each thread reads its share of the
// buffer, as a GEMV split by output rows does.
#include <immintrin.h>
#include <omp.h>

#include <chrono>
#include <cstdlib>
#include <vector>

#include "benchmark/benchmark.h"

namespace {

// Independent accumulator chains: enough to cover the FMA latency (4 cycles
// on Zen 4) times its two FMA pipes, with room to spare.
constexpr int kChains = 12;
constexpr int64_t kFmaIterations = 1 << 20;

// The sum of the lanes of `v` (GCC 12's _mm512_reduce_add_ps warns under
// -Wall).
__attribute__((target("avx512f"))) float SumLanes(__m512 v) {
  alignas(64) float lanes[16];
  _mm512_store_ps(lanes, v);
  float sum = 0;
  for (float lane : lanes) sum += lane;
  return sum;
}

// kFmaIterations · kChains FMAs of 16 lanes; returns a sum so that nothing is
// optimized away.
__attribute__((target("avx512f"))) float FmaKernel(float seed) {
  __m512 acc[kChains];
  const __m512 a = _mm512_set1_ps(0.999999f);
  const __m512 b = _mm512_set1_ps(seed * 1e-7f);
  for (int c = 0; c < kChains; ++c) acc[c] = _mm512_set1_ps(static_cast<float>(c));
  for (int64_t i = 0; i < kFmaIterations; ++i) {
    for (int c = 0; c < kChains; ++c) acc[c] = _mm512_fmadd_ps(acc[c], a, b);
  }
  __m512 sum = acc[0];
  for (int c = 1; c < kChains; ++c) sum = _mm512_add_ps(sum, acc[c]);
  return SumLanes(sum);
}

// Sums `count` floats (a multiple of 64) with four vector accumulators.
__attribute__((target("avx512f"))) float ReadKernel(const float* data, int64_t count) {
  __m512 s0 = _mm512_setzero_ps(), s1 = s0, s2 = s0, s3 = s0;
  for (int64_t i = 0; i < count; i += 64) {
    s0 = _mm512_add_ps(s0, _mm512_load_ps(data + i));
    s1 = _mm512_add_ps(s1, _mm512_load_ps(data + i + 16));
    s2 = _mm512_add_ps(s2, _mm512_load_ps(data + i + 32));
    s3 = _mm512_add_ps(s3, _mm512_load_ps(data + i + 48));
  }
  return SumLanes(_mm512_add_ps(_mm512_add_ps(s0, s1), _mm512_add_ps(s2, s3)));
}

bool HasAvx512(benchmark::State& state) {
  if (__builtin_cpu_supports("avx512f")) return true;
  state.SkipWithError("this probe needs AVX-512F");
  return false;
}

void FmaPeak(benchmark::State& state) {
  if (!HasAvx512(state)) return;
  const int threads = static_cast<int>(state.range(0));
  float sink = 0;
  const auto start = std::chrono::steady_clock::now();
  for (auto _ : state) {
#pragma omp parallel num_threads(threads) reduction(+ : sink)
    sink += FmaKernel(static_cast<float>(omp_get_thread_num() + 1));
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  benchmark::DoNotOptimize(sink);
  const double flops = 2.0 * 16 * kChains * kFmaIterations * threads;
  state.counters["GFLOPS"] = flops * static_cast<double>(state.iterations()) / seconds / 1e9;
}

void ReadBandwidth(benchmark::State& state) {
  if (!HasAvx512(state)) return;
  const int64_t hidden = state.range(0);
  const int threads = static_cast<int>(state.range(1));
  const int64_t count = 4 * hidden * hidden;  // 16·H² bytes of f32
  float* data = static_cast<float*>(std::aligned_alloc(64, count * sizeof(float)));
  for (int64_t i = 0; i < count; ++i) data[i] = static_cast<float>(i % 7);
  // Each thread's share, a multiple of 64 floats.
  const int64_t share = count / threads / 64 * 64;
  float sink = 0;
  const auto start = std::chrono::steady_clock::now();
  for (auto _ : state) {
#pragma omp parallel num_threads(threads) reduction(+ : sink)
    sink += ReadKernel(data + omp_get_thread_num() * share, share);
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  benchmark::DoNotOptimize(sink);
  std::free(data);
  const double bytes = static_cast<double>(share) * threads * sizeof(float);
  state.counters["GBps"] = bytes * static_cast<double>(state.iterations()) / seconds / 1e9;
}

BENCHMARK(FmaPeak)->Name("fma_peak")->ArgName("threads")->Arg(1)->Arg(2)->UseRealTime();
BENCHMARK(ReadBandwidth)
    ->Name("read_bandwidth")
    ->ArgNames({"H", "threads"})
    ->Args({256, 1})
    ->Args({256, 2})
    ->Args({512, 1})
    ->Args({512, 2})
    ->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
