// The interpreter's kernels: plain loops over dense row-major f32 tensors.
// Arithmetic is done in double and rounded to f32 once per result element;
// matrix products accumulate their dot products in double. These are the
// numbers every other backend is checked against, so they favour being
// obviously right over being fast.
//
// A kernel assumes its operands have the shapes docs/IR.md demands of its op
// (the interpreter checks that before calling one, by re-inferring the result
// types from the concrete shapes). Axes and indices may be negative, counting
// from the end, wherever docs/IR.md allows it.
#ifndef RNNC_BACKENDS_INTERP_TENSOROPS_H
#define RNNC_BACKENDS_INTERP_TENSOROPS_H

#include <cstdint>
#include <vector>

#include "runtime/Tensor.h"

namespace rnnc::interp {

// a (..., K) times b (K, M) -> (..., M); with `transpose_b`, b is (M, K).
Tensor Matmul(const Tensor& a, const Tensor& b, bool transpose_b);
// x (..., In) · weight (Out, In)ᵀ + bias (Out) -> (..., Out), as nn.Linear;
// `bias` may be null.
Tensor Dense(const Tensor& x, const Tensor& weight, const Tensor* bias);
// x (..., C), the others (C): (x - mean) / sqrt(var + epsilon) * weight + bias.
Tensor BatchNorm(const Tensor& x, const Tensor& weight, const Tensor& bias,
                 const Tensor& running_mean, const Tensor& running_var, double epsilon);

// Elementwise with numpy broadcasting: dims align from the right and a dim of
// size 1 stretches.
Tensor Add(const Tensor& a, const Tensor& b);
Tensor Sub(const Tensor& a, const Tensor& b);
Tensor Mul(const Tensor& a, const Tensor& b);
Tensor Div(const Tensor& a, const Tensor& b);

Tensor Neg(const Tensor& a);
// 1 / (1 + exp(-a))
Tensor Sigmoid(const Tensor& a);
Tensor Tanh(const Tensor& a);
// max(a, 0)
Tensor Relu(const Tensor& a);
Tensor Exp(const Tensor& a);
Tensor Log(const Tensor& a);
Tensor Sqrt(const Tensor& a);
// 1 where a > 0, else 0 (also at NaN).
Tensor Step(const Tensor& a);

// exp(a_i) / Σ_j exp(a_j) along `axis`.
Tensor Softmax(const Tensor& a, int64_t axis);

// Σ (or the mean, or the largest element) of `a` over `axes` (distinct;
// negative count from the end), sums accumulated in double. The reduced axes
// are dropped, or kept with size 1 when `keep_dims`. The max of no elements
// is -inf.
Tensor ReduceSum(const Tensor& a, const std::vector<int64_t>& axes, bool keep_dims);
Tensor ReduceMean(const Tensor& a, const std::vector<int64_t>& axes, bool keep_dims);
Tensor ReduceMax(const Tensor& a, const std::vector<int64_t>& axes, bool keep_dims);

// Joins `parts` (same shape but along `axis`) along `axis`.
Tensor Concat(const std::vector<const Tensor*>& parts, int64_t axis);
// Cuts `a` along `axis` into consecutive pieces of the given sizes.
std::vector<Tensor> Split(const Tensor& a, int64_t axis, const std::vector<int64_t>& sizes);
// The range [start, end) of `axis`.
Tensor Slice(const Tensor& a, int64_t axis, int64_t start, int64_t end);
// Index `index` of `axis`, with that axis removed.
Tensor Select(const Tensor& a, int64_t axis, int64_t index);
// Result axis i is axis perm[i] of `a`.
Tensor Transpose(const Tensor& a, const std::vector<int64_t>& perm);
// The elements of `a` in the same order under `shape`.
Tensor Reshape(const Tensor& a, std::vector<int64_t> shape);

// Writes `slice` (...) as index `index` of axis 0 of `stacked` (S, ...): how
// a sequence of per-step results (or of per-layer states) is assembled.
void StoreSlice(Tensor& stacked, int64_t index, const Tensor& slice);

}  // namespace rnnc::interp

#endif  // RNNC_BACKENDS_INTERP_TENSOROPS_H
