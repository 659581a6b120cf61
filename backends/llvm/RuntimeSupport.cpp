// The runtime functions of generated code: GEMMs through oneDNN's sgemm.
#include "backends/llvm/RuntimeSupport.h"

#include <omp.h>

#include "oneapi/dnnl/dnnl.h"

namespace rnnc::llvm_backend {

namespace {

// oneDNN's sgemm splits every product over the OpenMP team. Split, a
// product waits at the team's barrier for the other threads, and on a busy
// machine one of them may not run for a whole time slice, milliseconds: a
// GRU training step (per-step GEMMs of 3M multiply-adds) measured 3 ms on
// one thread and 1.6 s on two, and still 24 ms with only its 19M–29M ones
// (input projection, weight gradients over all T·N rows) split. Products
// below this many multiply-adds, about 0.2 ms of work per thread on two
// cores, run on the calling thread alone; a large layer's per-step GEMM
// (N = 64, H = 512: 67M) is still split.
constexpr double kParallelMultiplyAdds = 32e6;

// Row-major C (m×n) = A·B + beta·C with A, B each transposed or not; the
// shapes were checked when the model was bound, so the status can only be
// success.
void Sgemm(char transa, char transb, int64_t m, int64_t n, int64_t k, const float* a,
           int64_t lda, const float* b, int64_t ldb, float beta, float* c, int64_t ldc) {
  const int threads = omp_get_max_threads();
  const bool serial = threads > 1 && static_cast<double>(m) * n * k < kParallelMultiplyAdds;
  if (serial) omp_set_num_threads(1);
  dnnl_sgemm(transa, transb, m, n, k, 1.0f, a, lda, b, ldb, beta, c, ldc);
  if (serial) omp_set_num_threads(threads);
}

}  // namespace

extern "C" void rnnc_gemm(const float* a, const float* b, float* c, int64_t rows, int64_t k,
                          int64_t m, int32_t transpose_b) {
  // C = A·op(B) with leading dims k (A), m or k (B), m (C).
  Sgemm('N', transpose_b ? 'T' : 'N', rows, m, k, a, k, b, transpose_b ? k : m, 0.0f, c, m);
}

extern "C" void rnnc_gemm_accumulate_transposed_a(const float* a, const float* b, float* c,
                                                  int64_t rows, int64_t p, int64_t q) {
  // C (p×q) = Aᵀ·B + C, A stored (rows×p), B (rows×q).
  Sgemm('T', 'N', p, q, rows, a, p, b, q, 1.0f, c, q);
}

std::vector<std::pair<const char*, void*>> RuntimeSymbols() {
  return {{kGemmName, reinterpret_cast<void*>(&rnnc_gemm)},
          {kGemmAccumulateTransposedName,
           reinterpret_cast<void*>(&rnnc_gemm_accumulate_transposed_a)}};
}

}  // namespace rnnc::llvm_backend
