// The C functions that generated code calls, and the table through which
// the JIT resolves their names (Jit.cpp defines them as absolute symbols).
#ifndef RNNC_BACKENDS_LLVM_RUNTIME_SUPPORT_H
#define RNNC_BACKENDS_LLVM_RUNTIME_SUPPORT_H

#include <cstdint>
#include <utility>
#include <vector>

namespace rnnc::llvm_backend {

inline constexpr char kGemmName[] = "rnnc_gemm";
inline constexpr char kGemmColumnsName[] = "rnnc_gemm_columns";
inline constexpr char kGemmAccumulateTransposedName[] = "rnnc_gemm_accumulate_transposed_a";
// runtime/aot/ThreadTeam.h's parallel region and barrier.
inline constexpr char kParallelName[] = "rnnc_parallel";
inline constexpr char kBarrierName[] = "rnnc_barrier";

// c (rows, m) = a (rows, k) · b, b being (k, m), or (m, k) read transposed
// when `transpose_b` is nonzero. All row-major and dense. A large product
// splits its columns over the thread team.
extern "C" void rnnc_gemm(const float* a, const float* b, float* c, int64_t rows, int64_t k,
                          int64_t m, int32_t transpose_b);

// The same product's columns [begin, end) only, on the calling thread: a
// thread's share inside a parallel region.
extern "C" void rnnc_gemm_columns(const float* a, const float* b, float* c, int64_t rows,
                                  int64_t k, int64_t m, int32_t transpose_b, int64_t begin,
                                  int64_t end);

// c (p, q) += aᵀ · b for a (rows, p) and b (rows, q): Σ over the rows of
// outer products, a weight gradient summed over every step at once.
extern "C" void rnnc_gemm_accumulate_transposed_a(const float* a, const float* b, float* c,
                                                  int64_t rows, int64_t p, int64_t q);

// How many threads the JIT's code runs on: OpenMP's count, as oneDNN's.
int JitThreads();

// (name, address) of every function above, and of the JIT's rnnc_parallel
// (whose team follows OpenMP's thread count) and rnnc_barrier.
std::vector<std::pair<const char*, void*>> RuntimeSymbols();

}  // namespace rnnc::llvm_backend

#endif  // RNNC_BACKENDS_LLVM_RUNTIME_SUPPORT_H
