// Whether a batch-1 time step can compute the input projection inside its
// stream of recurrent weights, on this core.
//
// At batch 1 the LLVM backend's 1-row tile (PanelGemmCodegen.cpp) streams
// W_hh from L2 with its FMA pipes mostly idle, while the projection
// W_ih · x, hoisted before the time loop, runs at the FMA peak on its own
// (20% of an LSTM 100×1×256 on two threads, which the bound does not
// count). A tile could also do 1/R of the projection for the next R steps:
// one row of W_ih against R rows of x after every R rows of W_hh, its R·2
// sums kept between steps. One core, one step per iteration, panels of
// K = 256 rows of 32 floats (a thread's share of W_hh), odd steps backward
// as the backend's are:
//
//   step/matvec/panels:p             the 1-row tile alone
//   step/separate_projection/...     the tile, and every R steps the
//                                    projection for R rows in 8×1 tiles
//   step/spread_projection/...       the projection spread through the tiles
//   step/with_fmas/...               the spread projection's FMAs on
//                                    registers, no operands loaded
//   step/with_second_stream/...      those FMAs and its loads of W_ih, no
//                                    broadcasts of x
//
// The last two take the spread version apart. On Zen 5 (docs/SPEED.md, "The
// projection inside the weight stream"), at 16 panels: the tile 2.67 µs a
// step, its FMAs alone 2.95, with the loads of W_ih 4.36, spread 3.81,
// separate 4.01. The spread projection added 1.13 µs, what its 8,192 FMAs
// take at the FMA peak in the hoisted GEMM: it saved nothing. Needs
// AVX-512.
#include <immintrin.h>

#include <cstdlib>

#include "benchmark/benchmark.h"

namespace {

constexpr int kLanes = 16;
constexpr int kPanelWidth = 2 * kLanes;  // as the backend's panels
constexpr int kDepth = 256;              // K: rows of a panel, H = I = 256
constexpr int kAhead = 8;                // R: steps of projection per pass

typedef float Vector __attribute__((vector_size(4 * kLanes)));

enum class Variant {
  kMatvec,
  kSeparateProjection,
  kSpreadProjection,
  kWithFmas,
  kWithSecondStream,
};

struct Buffers {
  explicit Buffers(int panels)
      : panels(panels),
        recurrent(Allocate(panels * kDepth * kPanelWidth)),
        input(Allocate(panels * kDepth * kPanelWidth)),
        h(Allocate(kDepth)),
        x(Allocate(kAhead * kDepth)),
        projection(Allocate(kAhead * panels * kPanelWidth)),
        gates(Allocate(panels * kPanelWidth)) {
    for (int i = 0; i < panels * kDepth * kPanelWidth; ++i) {
      recurrent[i] = static_cast<float>(i % 7) * 1e-3f;
      input[i] = static_cast<float>(i % 5) * 1e-3f;
    }
    for (int i = 0; i < kDepth; ++i) h[i] = 0.1f;
    for (int i = 0; i < kAhead * kDepth; ++i) x[i] = 0.2f;
    for (int i = 0; i < kAhead * panels * kPanelWidth; ++i) projection[i] = 0;
  }
  ~Buffers() {
    for (float* buffer : {recurrent, input, h, x, projection, gates}) std::free(buffer);
  }
  static float* Allocate(int floats) {
    return static_cast<float*>(std::aligned_alloc(64, sizeof(float) * floats));
  }
  const int panels;
  float* const recurrent;   // W_hh's panels
  float* const input;       // W_ih's panels
  float* const h;           // this step's h
  float* const x;           // R rows of x
  float* const projection;  // R rows of the projection's sums, per panel
  float* const gates;       // this step's h · W_hh
};

__attribute__((target("avx512f"), always_inline)) inline Vector Load(const float* at) {
  return *reinterpret_cast<const Vector*>(at);
}
__attribute__((target("avx512f"), always_inline)) inline Vector Broadcast(float value) {
  return _mm512_set1_ps(value);
}
__attribute__((target("avx512f"), always_inline)) inline void Store(float* at, Vector v) {
  *reinterpret_cast<Vector*>(at) = v;
}

// Where row r of the projection's sums for `panel` is.
float* ProjectionSums(const Buffers& b, int r, int panel) {
  return b.projection + (r * b.panels + panel) * kPanelWidth;
}

// The 1-row tile of `panel` (four sets of sums, as the backend's), with the
// variant's extra work after rows p..p+R-1 of W_hh: row `phase`·K/R + p/R of
// W_ih against the R rows of x.
template <Variant kVariant>
__attribute__((target("avx512f"), noipa)) void Tile(const Buffers& b, int panel, int phase) {
  const float* w = b.recurrent + panel * kDepth * kPanelWidth;
  const float* v = b.input + panel * kDepth * kPanelWidth;
  Vector sums[8] = {};
  Vector ahead[2 * kAhead];
  constexpr bool kExtra = kVariant != Variant::kMatvec && kVariant != Variant::kSeparateProjection;
  if constexpr (kExtra) {
    for (int r = 0; r < kAhead; ++r) {
      ahead[2 * r] = Load(ProjectionSums(b, r, panel));
      ahead[2 * r + 1] = Load(ProjectionSums(b, r, panel) + kLanes);
    }
  }
  Vector constant = Broadcast(1e-3f);
  for (int p = 0; p < kDepth; p += kAhead) {
    for (int j = 0; j < kAhead; ++j) {
      const Vector hp = Broadcast(b.h[p + j]);
      const int set = j % 4;
      sums[2 * set] += hp * Load(w + (p + j) * kPanelWidth);
      sums[2 * set + 1] += hp * Load(w + (p + j) * kPanelWidth + kLanes);
    }
    if constexpr (kExtra) {
      const int row = phase * (kDepth / kAhead) + p / kAhead;
      __asm__ volatile("" : "+v"(constant));
      Vector w0 = constant, w1 = constant;
      if constexpr (kVariant != Variant::kWithFmas) {
        w0 = Load(v + row * kPanelWidth);
        w1 = Load(v + row * kPanelWidth + kLanes);
      }
      for (int r = 0; r < kAhead; ++r) {
        const Vector xr =
            kVariant == Variant::kSpreadProjection ? Broadcast(b.x[r * kDepth + row]) : constant;
        ahead[2 * r] += xr * w0;
        ahead[2 * r + 1] += xr * w1;
      }
    }
  }
  if constexpr (kExtra) {
    for (int r = 0; r < kAhead; ++r) {
      Store(ProjectionSums(b, r, panel), ahead[2 * r]);
      Store(ProjectionSums(b, r, panel) + kLanes, ahead[2 * r + 1]);
    }
  }
  Store(b.gates + panel * kPanelWidth, (sums[0] + sums[2]) + (sums[4] + sums[6]));
  Store(b.gates + panel * kPanelWidth + kLanes, (sums[1] + sums[3]) + (sums[5] + sums[7]));
}

// The projection of R rows of x against `panel` of W_ih: an 8×1 tile.
__attribute__((target("avx512f"), noipa)) void ProjectionTile(const Buffers& b, int panel) {
  const float* v = b.input + panel * kDepth * kPanelWidth;
  Vector sums[2 * kAhead] = {};
  for (int p = 0; p < kDepth; ++p) {
    const Vector w0 = Load(v + p * kPanelWidth);
    const Vector w1 = Load(v + p * kPanelWidth + kLanes);
    for (int r = 0; r < kAhead; ++r) {
      const Vector xr = Broadcast(b.x[r * kDepth + p]);
      sums[2 * r] += xr * w0;
      sums[2 * r + 1] += xr * w1;
    }
  }
  for (int r = 0; r < kAhead; ++r) {
    Store(ProjectionSums(b, r, panel), sums[2 * r]);
    Store(ProjectionSums(b, r, panel) + kLanes, sums[2 * r + 1]);
  }
}

template <Variant kVariant>
void Step(benchmark::State& state) {
  if (!__builtin_cpu_supports("avx512f")) {
    state.SkipWithError("this probe needs AVX-512F");
    return;
  }
  Buffers buffers(static_cast<int>(state.range(0)));
  int64_t step = 0;
  for (auto _ : state) {
    const int phase = static_cast<int>(step % kAhead);
    for (int i = 0; i < buffers.panels; ++i) {
      Tile<kVariant>(buffers, step % 2 == 1 ? buffers.panels - 1 - i : i, phase);
    }
    if (kVariant == Variant::kSeparateProjection && phase == 0) {
      for (int i = 0; i < buffers.panels; ++i) ProjectionTile(buffers, i);
    }
    // The next step's h, from this one's sums, as the cell's would be.
    for (int i = 0; i < kDepth; ++i) buffers.h[i] = 0.5f * buffers.h[i] + 1e-3f * buffers.gates[i];
    ++step;
  }
  state.counters["GBps_recurrent"] = benchmark::Counter(
      static_cast<double>(buffers.panels) * kDepth * kPanelWidth * sizeof(float),
      benchmark::Counter::kIsIterationInvariantRate);
}

void Panels(benchmark::internal::Benchmark* benchmark) {
  benchmark->ArgName("panels")->Arg(8)->Arg(16);
}

BENCHMARK(Step<Variant::kMatvec>)->Name("step/matvec")->Apply(Panels);
BENCHMARK(Step<Variant::kSeparateProjection>)->Name("step/separate_projection")->Apply(Panels);
BENCHMARK(Step<Variant::kSpreadProjection>)->Name("step/spread_projection")->Apply(Panels);
BENCHMARK(Step<Variant::kWithFmas>)->Name("step/with_fmas")->Apply(Panels);
BENCHMARK(Step<Variant::kWithSecondStream>)->Name("step/with_second_stream")->Apply(Panels);

}  // namespace

BENCHMARK_MAIN();
