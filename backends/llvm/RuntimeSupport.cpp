// The runtime functions of generated code: GEMMs through oneDNN's sgemm.
#include "backends/llvm/RuntimeSupport.h"

#include "oneapi/dnnl/dnnl.h"

namespace rnnc::llvm_backend {

extern "C" void rnnc_gemm(const float* a, const float* b, float* c, int64_t rows, int64_t k,
                          int64_t m, int32_t transpose_b) {
  // Row-major C = A·op(B) with leading dims k (A), m or k (B), m (C). The
  // shapes were checked when the model was bound, so the status can only
  // be success.
  dnnl_sgemm('N', transpose_b ? 'T' : 'N', rows, m, k, 1.0f, a, k, b, transpose_b ? k : m, 0.0f,
             c, m);
}

extern "C" void rnnc_gemm_accumulate_transposed_a(const float* a, const float* b, float* c,
                                                  int64_t rows, int64_t p, int64_t q) {
  // Row-major C (p×q) = 1·Aᵀ·B + 1·C, A stored (rows×p), B (rows×q).
  dnnl_sgemm('T', 'N', p, q, rows, 1.0f, a, p, b, q, 1.0f, c, q);
}

std::vector<std::pair<const char*, void*>> RuntimeSymbols() {
  return {{kGemmName, reinterpret_cast<void*>(&rnnc_gemm)},
          {kGemmAccumulateTransposedName,
           reinterpret_cast<void*>(&rnnc_gemm_accumulate_transposed_a)}};
}

}  // namespace rnnc::llvm_backend
