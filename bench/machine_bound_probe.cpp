// This machine's bounds for a recurrent layer, so that the benchmark table
// can show each row as a fraction of what the hardware allows:
//
//   fma_peak/threads:k           fp32 FMA throughput, GFLOP/s (2 per FMA lane)
//   read_bandwidth/H:h/threads:k GB/s reading a buffer of 16·h² bytes, the
//                                f32 recurrent weights of an LSTM (4h × h),
//                                over and over, as a time loop reads them
//   barrier/threads:2            ns per barrier of rnnc's thread team, which
//                                no bound counts: how far apart the cores are
//
// A step of a recurrent layer at batch N reads its recurrent weights once and
// does 2·N·G·H² flops on them, so at small N the bandwidth row bounds it, at
// large N the FMA row. With k threads each thread reads its share of the
// buffer, as a GEMV split by output rows does.
#include <omp.h>

#include <chrono>
#include <cstdlib>
#include <vector>

#include "benchmark/benchmark.h"
#include "runtime/aot/ThreadTeam.h"

namespace {

// Independent accumulator chains: enough to cover the FMA latency (4 cycles
// on Zen 4, 5 on Zen 1) times its two FMA pipes, with room to spare.
constexpr int kChains = 12;
constexpr int64_t kFmaIterations = 1 << 20;
// Passes over the buffer per parallel region, as a time loop's steps. One
// region per pass measured libgomp's fork and join as much as the caches: on
// a Zen 5 core, 1 MiB read at 72-78 GB/s so and at 108-110 in one region
// (two cores, 120-129 and 308-317).
constexpr int kReadPasses = 100;

// The widest vectors of the CPU: AVX-512's 16 f32 lanes or AVX2's 8. The
// kernels are templates over the lane count, instantiated in functions
// compiled for each instruction set (GCC contracts a * b + c to an FMA).
template <int kLanes>
struct Lanes {
  typedef float Vector __attribute__((vector_size(4 * kLanes)));
};

template <int kLanes>
[[gnu::always_inline]] inline float SumLanes(typename Lanes<kLanes>::Vector v) {
  float sum = 0;
  for (int i = 0; i < kLanes; ++i) sum += v[i];
  return sum;
}

// kFmaIterations · kChains FMAs of kLanes lanes; returns a sum so that
// nothing is optimized away.
template <int kLanes>
[[gnu::always_inline]] inline float FmaChains(float seed) {
  using Vector = typename Lanes<kLanes>::Vector;
  Vector acc[kChains];
  const Vector a = Vector{} + 0.999999f;
  const Vector b = Vector{} + seed * 1e-7f;
  for (int c = 0; c < kChains; ++c) acc[c] = Vector{} + static_cast<float>(c);
  for (int64_t i = 0; i < kFmaIterations; ++i) {
#pragma GCC unroll 16
    for (int c = 0; c < kChains; ++c) acc[c] = acc[c] * a + b;
  }
  Vector sum = acc[0];
  for (int c = 1; c < kChains; ++c) sum += acc[c];
  return SumLanes<kLanes>(sum);
}

// Sums `count` floats (a multiple of 4·kLanes) with four vector
// accumulators, front to back or, when `backward`, back to front. A time
// loop can take its weights in alternating order (the LLVM backend's odd
// steps do), which leaves the lines read last in the cache for the next
// pass, so the probe's passes alternate too: on a Zen 5 core 1 MiB then
// read at 145-175 GB/s against 108-110 front to back, 4 MiB at 114-115
// against 78-80. (Eight accumulators read less: 107 against 127 at 1 MiB.)
template <int kLanes>
[[gnu::always_inline]] inline float ReadSum(const float* data, int64_t count, bool backward) {
  using Vector = typename Lanes<kLanes>::Vector;
  const Vector* vectors = reinterpret_cast<const Vector*>(data);
  const int64_t blocks = count / kLanes / 4;
  Vector s0{}, s1{}, s2{}, s3{};
  for (int64_t j = 0; j < blocks; ++j) {
    const int64_t i = 4 * (backward ? blocks - 1 - j : j);
    s0 += vectors[i];
    s1 += vectors[i + 1];
    s2 += vectors[i + 2];
    s3 += vectors[i + 3];
  }
  return SumLanes<kLanes>((s0 + s1) + (s2 + s3));
}

__attribute__((target("avx512f"))) float FmaKernelAvx512(float seed) {
  return FmaChains<16>(seed);
}
__attribute__((target("avx2,fma"))) float FmaKernelAvx2(float seed) { return FmaChains<8>(seed); }
// noipa: GCC otherwise may take a pure function called again with the same
// arguments for one call (a probe reading front to back only read "7 TB/s").
__attribute__((target("avx512f"), noipa)) float ReadKernelAvx512(const float* data,
                                                                  int64_t count, bool backward) {
  return ReadSum<16>(data, count, backward);
}
__attribute__((target("avx2"), noipa)) float ReadKernelAvx2(const float* data, int64_t count,
                                                             bool backward) {
  return ReadSum<8>(data, count, backward);
}

// The instruction set the kernels run with, which the probe reports as the
// "lanes" counter: AVX-512 where the CPU has it, else AVX2 with FMA.
int VectorLanes(benchmark::State& state) {
  if (__builtin_cpu_supports("avx512f")) return 16;
  if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma")) return 8;
  state.SkipWithError("this probe needs AVX2 and FMA, or AVX-512F");
  return 0;
}

float FmaKernel(int lanes, float seed) {
  return lanes == 16 ? FmaKernelAvx512(seed) : FmaKernelAvx2(seed);
}

float ReadKernel(int lanes, const float* data, int64_t count, bool backward) {
  return lanes == 16 ? ReadKernelAvx512(data, count, backward)
                     : ReadKernelAvx2(data, count, backward);
}

void FmaPeak(benchmark::State& state) {
  const int lanes = VectorLanes(state);
  if (lanes == 0) return;
  const int threads = static_cast<int>(state.range(0));
  float sink = 0;
  const auto start = std::chrono::steady_clock::now();
  for (auto _ : state) {
#pragma omp parallel num_threads(threads) reduction(+ : sink)
    sink += FmaKernel(lanes, static_cast<float>(omp_get_thread_num() + 1));
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  benchmark::DoNotOptimize(sink);
  const double flops = 2.0 * lanes * kChains * kFmaIterations * threads;
  state.counters["GFLOPS"] = flops * static_cast<double>(state.iterations()) / seconds / 1e9;
  state.counters["lanes"] = lanes;
}

void ReadBandwidth(benchmark::State& state) {
  const int lanes = VectorLanes(state);
  if (lanes == 0) return;
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
    for (int pass = 0; pass < kReadPasses; ++pass) {
      sink += ReadKernel(lanes, data + omp_get_thread_num() * share, share, pass % 2 == 1);
    }
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  benchmark::DoNotOptimize(sink);
  std::free(data);
  const double bytes = static_cast<double>(share) * threads * sizeof(float) * kReadPasses;
  state.counters["GBps"] = bytes * static_cast<double>(state.iterations()) / seconds / 1e9;
}

// The barrier of rnnc's thread team (runtime/aot/ThreadTeam.h), which a
// time step split between threads passes once: the time from one thread's
// arrival to the other's release, with nothing else to do. It tells how far
// apart the cores are. The same two vCPUs of a Zen 5 host measured 80 ns
// one minute and 250 the next, and batch-1 rows on two threads ran up to
// 1.5× slower in the second state: they pass that barrier, and move h
// between the cores, every step.
struct BarrierRun {
  int64_t rounds;
};

void BarrierTask(void* context, void* team, int64_t, int64_t) {
  for (int64_t i = 0; i < static_cast<BarrierRun*>(context)->rounds; ++i) rnnc_barrier(team);
}

void BarrierLatency(benchmark::State& state) {
  BarrierRun run{10000};
  const auto start = std::chrono::steady_clock::now();
  for (auto _ : state) rnnc::aot::RunParallel(BarrierTask, &run, 2);
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  state.counters["ns"] =
      seconds * 1e9 / (static_cast<double>(state.iterations()) * static_cast<double>(run.rounds));
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
BENCHMARK(BarrierLatency)->Name("barrier/threads:2")->UseRealTime();

}  // namespace

BENCHMARK_MAIN();
