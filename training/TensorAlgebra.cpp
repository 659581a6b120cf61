// The shape work gradients need, from broadcasting, reductions and
// transposes alone, without reshape.
#include <numeric>

#include "training/Backprop.h"

namespace rnnc::training {

using ir::Dim;
using ir::OpKind;
using ir::TensorType;
using ir::Value;

namespace {

bool IsOne(const Dim& dim) { return dim.is_static() && dim.size() == 1; }

Value* ReduceSum(passes::Builder& b, Value* a, std::vector<int64_t> axes, bool keep_dims) {
  return b.Emit1(OpKind::ReduceSum, {a}, {{"axes", std::move(axes)}, {"keep_dims", keep_dims}});
}

}  // namespace

Value* Zeros(passes::Builder& b, const TensorType& type) { return b.Full(type, 0.0); }

// y = broadcast(a) has ∂y[i]/∂a[j] = 1 for every i that reads a[j], so
// ā[j] = Σ ȳ[i] over the stretched axes.
Value* SumToType(passes::Builder& b, Value* g, const TensorType& target) {
  if (g->type() == target) return g;
  const int64_t leading = g->type().rank() - target.rank();
  std::vector<int64_t> stretched;
  for (int64_t i = leading; i < g->type().rank(); ++i) {
    if (IsOne(target.dim(i - leading)) && !IsOne(g->type().dim(i))) stretched.push_back(i);
  }
  if (!stretched.empty()) g = ReduceSum(b, g, stretched, /*keep_dims=*/true);
  if (leading > 0) {
    std::vector<int64_t> axes(leading);
    std::iota(axes.begin(), axes.end(), 0);
    g = ReduceSum(b, g, axes, /*keep_dims=*/false);
  }
  return g;
}

// With size-1 axes kept, broadcasting against zeros of `target` spreads g.
// Without, g broadcasts over new leading axes, laid out as
//   (reduced axes in order..., g's axes...),
// and a transpose puts each axis back where `target` has it.
Value* SpreadOverAxes(passes::Builder& b, Value* g, const TensorType& target,
                      const std::vector<int64_t>& axes, bool kept) {
  if (kept) return b.Binary(OpKind::Add, Zeros(b, target), g);
  std::vector<Dim> leading_first;
  for (int64_t axis : axes) leading_first.push_back(target.dim(axis));
  for (const Dim& dim : g->type().dims()) leading_first.push_back(dim);
  Value* spread = b.Binary(OpKind::Add, Zeros(b, TensorType(leading_first)), g);
  std::vector<int64_t> perm(target.rank());
  int64_t reduced = 0;
  int64_t other = static_cast<int64_t>(axes.size());
  bool identity = true;
  for (int64_t i = 0; i < target.rank(); ++i) {
    const bool is_reduced = reduced < static_cast<int64_t>(axes.size()) && axes[reduced] == i;
    perm[i] = is_reduced ? reduced++ : other++;
    identity = identity && perm[i] == i;
  }
  if (identity) return spread;
  return b.Emit1(OpKind::Transpose, {spread}, {{"perm", perm}});
}

// Unsqueeze0 makes the axis at the front; the transpose moves it to `axis`.
Value* InsertAxis(passes::Builder& b, Value* a, int64_t axis) {
  Value* front = b.Unsqueeze0(a);
  if (axis == 0) return front;
  std::vector<int64_t> perm;
  for (int64_t i = 0; i <= a->type().rank(); ++i) {
    perm.push_back(i < axis ? i + 1 : i == axis ? 0 : i);
  }
  return b.Emit1(OpKind::Transpose, {front}, {{"perm", perm}});
}

// W̄ = Σ_rows aᵀ g. One row: the outer product a[k] g[m], by broadcasting a
// (K, 1) against g (M). Rows of a matrix: aᵀ g, one matmul. More leading
// axes: a scan over axis 0 that accumulates each slice's sum, which keeps
// the work that of one matmul without flattening (a reshape to rows would
// copy the operands first).
Value* SumOfOuterProducts(passes::Builder& b, Value* a, Value* g) {
  const int64_t rank = a->type().rank();
  if (rank == 1) return b.Binary(OpKind::Mul, InsertAxis(b, a, 1), g);
  if (rank == 2) {
    Value* a_t = b.Emit1(OpKind::Transpose, {a}, {{"perm", std::vector<int64_t>{1, 0}}});
    return b.Emit1(OpKind::Matmul, {a_t, g});
  }
  const TensorType result({a->type().dims().back(), g->type().dims().back()});
  ir::Op* scan = passes::BuildScan(
      b, {Zeros(b, result)}, {a, g}, /*reverse=*/false,
      [&](passes::Builder& body, const std::vector<Value*>& sum, const std::vector<Value*>& rows) {
        Value* step = SumOfOuterProducts(body, rows[0], rows[1]);
        return passes::ScanStep{{body.Binary(OpKind::Add, sum[0], step)}, {}};
      });
  return scan->result(0);
}

// Σ of ones over the axes: exact in f32 up to 2^24 elements.
Value* CountOfAxes(passes::Builder& b, const TensorType& type, const std::vector<int64_t>& axes) {
  std::vector<Dim> dims;
  for (int64_t axis : axes) dims.push_back(type.dim(axis));
  std::vector<int64_t> all(dims.size());
  std::iota(all.begin(), all.end(), 0);
  return ReduceSum(b, b.Full(TensorType(dims), 1.0), all, /*keep_dims=*/false);
}

}  // namespace rnnc::training
