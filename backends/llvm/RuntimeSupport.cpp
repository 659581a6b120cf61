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

std::vector<std::pair<const char*, void*>> RuntimeSymbols() {
  return {{kGemmName, reinterpret_cast<void*>(&rnnc_gemm)}};
}

}  // namespace rnnc::llvm_backend
