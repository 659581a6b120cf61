// The C functions that generated code calls, and the table through which
// the JIT resolves their names (Jit.cpp defines them as absolute symbols).
#ifndef RNNC_BACKENDS_LLVM_RUNTIME_SUPPORT_H
#define RNNC_BACKENDS_LLVM_RUNTIME_SUPPORT_H

#include <cstdint>
#include <utility>
#include <vector>

namespace rnnc::llvm_backend {

inline constexpr char kGemmName[] = "rnnc_gemm";
inline constexpr char kGemmAccumulateTransposedName[] = "rnnc_gemm_accumulate_transposed_a";

// c (rows, m) = a (rows, k) · b, b being (k, m), or (m, k) read transposed
// when `transpose_b` is nonzero. All row-major and dense.
extern "C" void rnnc_gemm(const float* a, const float* b, float* c, int64_t rows, int64_t k,
                          int64_t m, int32_t transpose_b);

// c (p, q) += aᵀ · b for a (rows, p) and b (rows, q): Σ over the rows of
// outer products, a weight gradient summed over every step at once.
extern "C" void rnnc_gemm_accumulate_transposed_a(const float* a, const float* b, float* c,
                                                  int64_t rows, int64_t p, int64_t q);

// (name, address) of every function above.
std::vector<std::pair<const char*, void*>> RuntimeSymbols();

}  // namespace rnnc::llvm_backend

#endif  // RNNC_BACKENDS_LLVM_RUNTIME_SUPPORT_H
