// The runtime functions of generated code: GEMMs through oneDNN's sgemm,
// each call on one thread, split over the thread team when large.
#include "backends/llvm/RuntimeSupport.h"

#include <omp.h>

#include <algorithm>

#include "oneapi/dnnl/dnnl.h"
#include "runtime/aot/ThreadTeam.h"

namespace rnnc::llvm_backend {

namespace {

// Products below this many multiply-adds (some microseconds of work) are
// not worth a region: they run on the calling thread.
constexpr double kSplitMultiplyAdds = 2e6;

// Row-major C (m×n) = A·B + beta·C with A, B each transposed or not, on the
// calling thread alone. oneDNN would split it over its OpenMP team, whose
// barrier stalls for milliseconds when a core is busy; the thread team
// splits large products instead. The shapes were checked when the model
// was bound, so the status can only be success.
void Sgemm(char transa, char transb, int64_t m, int64_t n, int64_t k, const float* a,
           int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  const int threads = omp_get_max_threads();
  if (threads > 1) omp_set_num_threads(1);
  dnnl_sgemm(transa, transb, m, n, k, 1.0f, a, lda, b, ldb, beta, c, ldc);
  if (threads > 1) omp_set_num_threads(threads);
}

// Thread `thread` of `threads`'s columns of `count`, in whole 16-float
// vectors but for the last.
std::pair<int64_t, int64_t> ColumnShare(int64_t count, int64_t thread, int64_t threads) {
  const int64_t vectors = (count + 15) / 16;
  return {std::min(count, vectors * thread / threads * 16),
          std::min(count, vectors * (thread + 1) / threads * 16)};
}

struct Product {
  const float* a;
  const float* b;
  float* c;
  int64_t rows, k, m;
  int32_t transpose_b;
};

struct AccumulatedProduct {
  const float* a;
  const float* b;
  float* c;
  int64_t rows, p, q;
};

// c[:, begin:end] += aᵀ · b[:, begin:end].
void AccumulateColumns(const AccumulatedProduct& g, int64_t begin, int64_t end) {
  if (begin >= end) return;
  Sgemm('T', 'N', g.p, end - begin, g.rows, g.a, g.p, g.b + begin, g.q, 1.0f, g.c + begin, g.q);
}

int TeamThreads(double multiply_adds) {
  return multiply_adds < kSplitMultiplyAdds ? 1 : omp_get_max_threads();
}

void JitParallel(rnnc_parallel_task task, void* context) {
  aot::RunParallel(task, context, JitThreads());
}

}  // namespace

int JitThreads() { return omp_get_max_threads(); }

extern "C" void rnnc_gemm_columns(const float* a, const float* b, float* c, int64_t rows,
                                  int64_t k, int64_t m, int32_t transpose_b, int64_t begin,
                                  int64_t end) {
  if (begin >= end) return;
  // C[:, begin:end] = A·op(B)[:, begin:end], leading dims k (A), k or m (B), m (C).
  const float* b_part = transpose_b ? b + begin * k : b + begin;
  Sgemm('N', transpose_b ? 'T' : 'N', rows, end - begin, k, a, k, b_part, transpose_b ? k : m,
        0.0f, c + begin, m);
}

extern "C" void rnnc_gemm(const float* a, const float* b, float* c, int64_t rows, int64_t k,
                          int64_t m, int32_t transpose_b) {
  Product product{a, b, c, rows, k, m, transpose_b};
  const double multiply_adds = static_cast<double>(rows) * k * m;
  aot::RunParallel(
      [](void* context, void*, int64_t thread, int64_t threads) {
        const Product& g = *static_cast<const Product*>(context);
        auto [begin, end] = ColumnShare(g.m, thread, threads);
        rnnc_gemm_columns(g.a, g.b, g.c, g.rows, g.k, g.m, g.transpose_b, begin, end);
      },
      &product, TeamThreads(multiply_adds));
}

extern "C" void rnnc_gemm_accumulate_transposed_a(const float* a, const float* b, float* c,
                                                  int64_t rows, int64_t p, int64_t q) {
  AccumulatedProduct product{a, b, c, rows, p, q};
  const double multiply_adds = static_cast<double>(rows) * p * q;
  aot::RunParallel(
      [](void* context, void*, int64_t thread, int64_t threads) {
        const AccumulatedProduct& g = *static_cast<const AccumulatedProduct*>(context);
        auto [begin, end] = ColumnShare(g.q, thread, threads);
        AccumulateColumns(g, begin, end);
      },
      &product, TeamThreads(multiply_adds));
}

std::vector<std::pair<const char*, void*>> RuntimeSymbols() {
  return {{kGemmName, reinterpret_cast<void*>(&rnnc_gemm)},
          {kGemmColumnsName, reinterpret_cast<void*>(&rnnc_gemm_columns)},
          {kGemmAccumulateTransposedName,
           reinterpret_cast<void*>(&rnnc_gemm_accumulate_transposed_a)},
          {kParallelName, reinterpret_cast<void*>(&JitParallel)},
          {kBarrierName, reinterpret_cast<void*>(&rnnc_barrier)}};
}

}  // namespace rnnc::llvm_backend
