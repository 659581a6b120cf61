// The running sums BPTT leaves in a backward scan: a carry that only adds a
// step's outer-product sum or row sum to itself,
//
//   c' = c + uᵀ·v        matmul(transpose(u_t), v_t), or transposed:
//                        transpose(matmul(transpose(v_t), u_t)) = uᵀ·v
//   c' = c + Σ_rows g    reduce_sum(g_t, axes)
//
// (a weight's and a bias's gradient summed over time). hoist-weight-gradients
// moves them out of the loop; the LLVM backend runs the contraction scan it
// leaves behind as one GEMM.
#ifndef RNNC_PASSES_ACCUMULATION_H
#define RNNC_PASSES_ACCUMULATION_H

#include <cstdint>
#include <optional>
#include <vector>

#include "ir/Graph.h"

namespace rnnc::passes {

struct Accumulation {
  enum class Kind { kOuterProduct, kRowSum };
  Kind kind;
  ir::Op* add;  // c + term, what the yield gives as c'
  // kOuterProduct: u (N, P) and v (N, Q), the term uᵀ·v (P, Q).
  ir::Value* u = nullptr;
  ir::Value* v = nullptr;
  // kRowSum: g and the axes (normalized, sorted) the term sums it over.
  ir::Value* g = nullptr;
  std::vector<int64_t> axes;
};

// Carry `carry` of `scan` if it is such a running sum: its body argument is
// used only by the add, the add only by the yield (as carry `carry`'s next
// value) and the term only by the add.
std::optional<Accumulation> MatchAccumulation(const ir::Op& scan, size_t carry);

// A scan that is nothing but one such sum of outer products of two of its
// sequences' slices, u_t and v_t:
//
//   %c: f32[P, Q] = scan(%init, %u, %v) {carries = 1, ...} {
//     ^(%s: f32[P, Q], %u_t: f32[N, P], %v_t: f32[N, Q]):
//     %u_tt: f32[P, N] = transpose(%u_t) {perm = [1, 0]}
//     %p: f32[P, Q] = matmul(%u_tt, %v_t)
//     %s_next: f32[P, Q] = add(%s, %p)
//     yield(%s_next)
//   }
//
// so %c = init + Σ over the leading axes of u and v of u[..., p]·v[..., q].
// Gives the indices of u and v among its sequences.
struct Contraction {
  size_t u;
  size_t v;
};
std::optional<Contraction> MatchContraction(const ir::Op& scan);

}  // namespace rnnc::passes

#endif  // RNNC_PASSES_ACCUMULATION_H
