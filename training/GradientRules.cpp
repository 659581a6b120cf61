// The gradient of every op but scan: given ȳ = ∂loss/∂y for the results,
// each rule adds x̄ = ȳ · ∂y/∂x to its active operands. Shapes follow
// docs/IR.md; `g` is ȳ, the result's gradient, of the result's type.
#include <algorithm>

#include "absl/strings/str_format.h"
#include "training/Backprop.h"

namespace rnnc::training {

using ir::Op;
using ir::OpKind;
using ir::TensorType;
using ir::Value;

namespace {

int64_t Normalize(int64_t axis, int64_t rank) { return axis < 0 ? axis + rank : axis; }

// Gives operand i its share `gradient` when it needs one; `make` builds the
// share only then, so no dead ops are emitted.
template <typename Make>
void Give(Backprop& bp, const Op& op, size_t i, Make make) {
  if (bp.IsActive(op.operand(i))) bp.Accumulate(op.operand(i), make());
}

Value* Transposed(passes::Builder& b, Value* a, std::vector<int64_t> perm) {
  return b.Emit1(OpKind::Transpose, {a}, {{"perm", std::move(perm)}});
}

absl::Status Unsupported(const Op& op, const std::string& why) {
  return absl::UnimplementedError(absl::StrFormat("op %%%s = %s: no gradient: %s",
                                                  op.result(0)->name(), op.name(), why));
}

// Elementwise with broadcasting, y = a ∘ b; each share is summed back to its
// operand's shape (SumToType):
//   add: ā = ȳ        b̄ = ȳ
//   sub: ā = ȳ        b̄ = -ȳ
//   mul: ā = ȳ·b      b̄ = ȳ·a
//   div: ā = ȳ/b      b̄ = -ȳ·a/b² = -(ȳ·y)/b
void Binary(const Op& op, Value* g, Backprop& bp) {
  passes::Builder& b = bp.builder();
  Value* lhs = op.operand(0);
  Value* rhs = op.operand(1);
  auto to = [&](Value* share, const Value* operand) {
    return SumToType(b, share, operand->type());
  };
  switch (op.kind()) {
    case OpKind::Add:
      Give(bp, op, 0, [&] { return to(g, lhs); });
      Give(bp, op, 1, [&] { return to(g, rhs); });
      break;
    case OpKind::Sub:
      Give(bp, op, 0, [&] { return to(g, lhs); });
      Give(bp, op, 1, [&] { return to(b.Unary(OpKind::Neg, g), rhs); });
      break;
    case OpKind::Mul:
      Give(bp, op, 0, [&] { return to(b.Binary(OpKind::Mul, g, rhs), lhs); });
      Give(bp, op, 1, [&] { return to(b.Binary(OpKind::Mul, g, lhs), rhs); });
      break;
    default:  // div
      Give(bp, op, 0, [&] { return to(b.Binary(OpKind::Div, g, rhs), lhs); });
      Give(bp, op, 1, [&] {
        Value* gy = b.Binary(OpKind::Mul, g, op.result(0));
        return to(b.Unary(OpKind::Neg, b.Binary(OpKind::Div, gy, rhs)), rhs);
      });
  }
}

// Elementwise y = f(a): ā = ȳ · f'(a), with f' from y where that is cheaper:
//   neg: -1   sigmoid: y(1 - y)   tanh: 1 - y²   relu: step(a)   exp: y
//   log: 1/a   sqrt: 1/(2y)   step: 0 (almost everywhere; nothing flows)
void Unary(const Op& op, Value* g, Backprop& bp) {
  passes::Builder& b = bp.builder();
  Value* a = op.operand(0);
  Value* y = op.result(0);
  auto one_minus = [&](Value* v) { return b.Binary(OpKind::Sub, b.Full(TensorType(), 1.0), v); };
  switch (op.kind()) {
    case OpKind::Neg:
      return Give(bp, op, 0, [&] { return b.Unary(OpKind::Neg, g); });
    case OpKind::Sigmoid:
      return Give(bp, op, 0, [&] {
        return b.Binary(OpKind::Mul, g, b.Binary(OpKind::Mul, y, one_minus(y)));
      });
    case OpKind::Tanh:
      return Give(bp, op, 0, [&] {
        return b.Binary(OpKind::Mul, g, one_minus(b.Binary(OpKind::Mul, y, y)));
      });
    case OpKind::Relu:
      return Give(bp, op, 0, [&] { return b.Binary(OpKind::Mul, g, b.Unary(OpKind::Step, a)); });
    case OpKind::Exp:
      return Give(bp, op, 0, [&] { return b.Binary(OpKind::Mul, g, y); });
    case OpKind::Log:
      return Give(bp, op, 0, [&] { return b.Binary(OpKind::Div, g, a); });
    case OpKind::Sqrt:
      return Give(bp, op, 0, [&] {
        return b.Binary(OpKind::Div, g, b.Binary(OpKind::Add, y, y));
      });
    default:  // step
      return;
  }
}

// y = softmax(a) along `axis`: ∂yᵢ/∂aⱼ = yᵢ(δᵢⱼ - yⱼ), so
//   ā = y · (ȳ - Σⱼ ȳⱼ yⱼ)   (the sum along the axis, kept for broadcasting)
void Softmax(const Op& op, Value* g, Backprop& bp) {
  passes::Builder& b = bp.builder();
  Value* y = op.result(0);
  const int64_t axis = Normalize(op.int_attribute("axis"), y->type().rank());
  Give(bp, op, 0, [&] {
    Value* dot = b.Emit1(OpKind::ReduceSum, {b.Binary(OpKind::Mul, g, y)},
                         {{"axes", std::vector<int64_t>{axis}}, {"keep_dims", true}});
    return b.Binary(OpKind::Mul, y, b.Binary(OpKind::Sub, g, dot));
  });
}

// y (..., M) = a (..., K) · B, B (K, M), or (M, K) with transpose_b:
//   ā = ȳ · Bᵀ                      (..., K)
//   B̄ = Σ_rows aᵀ ȳ (K, M)          transposed to (M, K) with transpose_b
// Dense is the same with B = weightᵀ, plus bias: b̄ = Σ_rows ȳ.
void Matmul(const Op& op, Value* g, Backprop& bp, bool transpose_b) {
  passes::Builder& b = bp.builder();
  Value* a = op.operand(0);
  Value* w = op.operand(1);
  Give(bp, op, 0, [&] {
    return b.Emit1(OpKind::Matmul, {g, w}, {{"transpose_b", !transpose_b}});
  });
  Give(bp, op, 1, [&] {
    Value* w_bar = SumOfOuterProducts(b, a, g);
    return transpose_b ? Transposed(b, w_bar, {1, 0}) : w_bar;
  });
  if (op.operands().size() > 2) Give(bp, op, 2, [&] { return SumToType(b, g, op.operand(2)->type()); });
}

// Inference batch norm over the last axis, with s = 1/√(var + ε) and
// x̂ = (x - mean)·s:  y = x̂·w + β
//   x̄ = ȳ·w·s     w̄ = Σ ȳ·x̂     β̄ = Σ ȳ
//   mean̄ = -Σ ȳ·w·s     var̄ = -½ Σ ȳ·w·x̂·s²
// (sums over every axis but the last). √ is exp(½·log), as fold-batch-norm
// writes it.
void BatchNorm(const Op& op, Value* g, Backprop& bp) {
  passes::Builder& b = bp.builder();
  Value* x = op.operand(0);
  Value* w = op.operand(1);
  Value* mean = op.operand(3);
  Value* var = op.operand(4);
  const TensorType& channels = w->type();
  // s, ȳ·w·s and x̂, each built the first time a share needs it.
  Value* s = nullptr;
  Value* gws = nullptr;
  Value* x_hat = nullptr;
  auto scale = [&] {
    if (s == nullptr) {
      Value* shifted =
          b.Binary(OpKind::Add, var, b.Full(TensorType(), op.float_attribute("epsilon", 1e-5)));
      s = b.Binary(OpKind::Div, b.Full(TensorType(), 1.0), b.Unary(OpKind::Sqrt, shifted));  // (C)
    }
    return s;
  };
  auto g_w_s = [&] {
    if (gws == nullptr) gws = b.Binary(OpKind::Mul, g, b.Binary(OpKind::Mul, w, scale()));
    return gws;  // (..., C)
  };
  auto normalized = [&] {
    if (x_hat == nullptr) x_hat = b.Binary(OpKind::Mul, b.Binary(OpKind::Sub, x, mean), scale());
    return x_hat;  // (..., C)
  };
  Give(bp, op, 0, g_w_s);
  Give(bp, op, 1, [&] { return SumToType(b, b.Binary(OpKind::Mul, g, normalized()), channels); });
  Give(bp, op, 2, [&] { return SumToType(b, g, channels); });
  Give(bp, op, 3, [&] { return b.Unary(OpKind::Neg, SumToType(b, g_w_s(), channels)); });
  Give(bp, op, 4, [&] {
    Value* terms = b.Binary(OpKind::Mul, b.Binary(OpKind::Mul, g_w_s(), normalized()), scale());
    return b.Binary(OpKind::Mul, SumToType(b, terms, channels), b.Full(TensorType(), -0.5));
  });
}

// Sum: ā = ȳ spread back over the reduced axes. Mean: the same divided by
// how many elements each mean took, counted at run time. Max: ȳ goes to the
// elements equal to the max, found as 1 - step(max - a) since a <= max; a
// tie gives each tied element all of ȳ (a subgradient, as the max is not
// differentiable there).
void Reduction(const Op& op, Value* g, Backprop& bp) {
  passes::Builder& b = bp.builder();
  const TensorType& type = op.operand(0)->type();
  std::vector<int64_t> axes;
  for (int64_t axis : op.ints_attribute("axes")) axes.push_back(Normalize(axis, type.rank()));
  std::sort(axes.begin(), axes.end());
  Give(bp, op, 0, [&] {
    const bool kept = op.bool_attribute("keep_dims");
    Value* spread = SpreadOverAxes(b, g, type, axes, kept);
    if (op.kind() == OpKind::ReduceSum) return spread;
    if (op.kind() == OpKind::ReduceMean) {
      return b.Binary(OpKind::Div, spread, CountOfAxes(b, type, axes));
    }
    Value* max = SpreadOverAxes(b, op.result(0), type, axes, kept);
    Value* below = b.Unary(OpKind::Step, b.Binary(OpKind::Sub, max, op.operand(0)));
    Value* at_max = b.Binary(OpKind::Sub, b.Full(TensorType(), 1.0), below);
    return b.Binary(OpKind::Mul, spread, at_max);
  });
}

// Concat: each operand's ā is its piece of ȳ. Split: ā is the pieces'
// gradients joined, zeros for pieces nothing used.
void Concat(const Op& op, Value* g, Backprop& bp) {
  const int64_t axis = Normalize(op.int_attribute("axis"), g->type().rank());
  if (op.operands().size() == 1) return Give(bp, op, 0, [&] { return g; });
  std::vector<int64_t> sizes;
  for (const Value* operand : op.operands()) sizes.push_back(operand->type().dim(axis).size());
  std::vector<Value*> pieces = bp.builder().Split(g, sizes, axis);
  for (size_t i = 0; i < op.operands().size(); ++i) Give(bp, op, i, [&] { return pieces[i]; });
}

void Split(const Op& op, Backprop& bp) {
  const std::vector<Value*> results = op.results();
  if (std::none_of(results.begin(), results.end(), [&](Value* r) { return bp.Gradient(r); })) {
    return;
  }
  Give(bp, op, 0, [&] {
    std::vector<Value*> pieces;
    for (const Value* result : op.results()) pieces.push_back(bp.GradientOrZeros(result));
    return bp.builder().Concat(pieces, op.int_attribute("axis"));
  });
}

// ȳ between zeros: [0, start) and [end, size) of the (static) axis.
Value* PadAlongAxis(passes::Builder& b, Value* g, const TensorType& type, int64_t axis,
                    int64_t start, int64_t end) {
  const int64_t size = type.dim(axis).size();
  std::vector<Value*> parts;
  auto zeros = [&](int64_t length) {
    std::vector<ir::Dim> dims = type.dims();
    dims[axis] = ir::Dim(length);
    return Zeros(b, TensorType(dims));
  };
  if (start > 0) parts.push_back(zeros(start));
  parts.push_back(g);
  if (end < size) parts.push_back(zeros(size - end));
  return b.Concat(parts, axis);
}

void Slice(const Op& op, Value* g, Backprop& bp) {
  const TensorType& type = op.operand(0)->type();
  const int64_t axis = Normalize(op.int_attribute("axis"), type.rank());
  const int64_t size = type.dim(axis).size();
  const int64_t start = Normalize(op.int_attribute("start"), size);
  const int64_t end = Normalize(op.int_attribute("end"), size);
  Give(bp, op, 0, [&] { return PadAlongAxis(bp.builder(), g, type, axis, start, end); });
}

// ā is zero but at `index`, where it is ȳ. A static axis pads with zeros. A
// symbolic one (the last step of a sequence of T) cannot be padded to a size
// T - 1 the IR cannot spell; for index 0 or -1 a scan over that axis places
// ȳ instead: its carry starts as ȳ, is yielded as the first step's output
// and is zeros from then on, and the scan runs from the index's end.
absl::Status Select(const Op& op, Value* g, Backprop& bp) {
  passes::Builder& b = bp.builder();
  Value* a = op.operand(0);
  const TensorType& type = a->type();
  const int64_t axis = Normalize(op.int_attribute("axis"), type.rank());
  const int64_t index = op.int_attribute("index");
  if (!bp.IsActive(a)) return absl::OkStatus();
  if (type.dim(axis).is_static()) {
    const int64_t at = Normalize(index, type.dim(axis).size());
    bp.Accumulate(a, PadAlongAxis(b, InsertAxis(b, g, axis), type, axis, at, at + 1));
    return absl::OkStatus();
  }
  if (index != 0 && index != -1) {
    return Unsupported(op, absl::StrFormat("index %d of symbolic dim %d of %%%s, %s; only 0 and "
                                           "-1 are supported there",
                                           index, axis, a->name(), type.ToString()));
  }
  // The scan runs over axis 0; another axis is moved there and back.
  std::vector<int64_t> to_front(type.rank());
  for (int64_t i = 0; i < type.rank(); ++i) to_front[i] = i == 0 ? axis : i <= axis ? i - 1 : i;
  Value* sequence = axis == 0 ? a : Transposed(b, a, to_front);
  ir::Op* scan = passes::BuildScan(
      b, {g}, {sequence}, /*reverse=*/index == -1,
      [&](passes::Builder& body, const std::vector<Value*>& carry, const std::vector<Value*>&) {
        return passes::ScanStep{{Zeros(body, g->type())}, {carry[0]}};
      });
  Value* placed = scan->result(1);
  if (axis != 0) {
    std::vector<int64_t> back(type.rank());
    for (int64_t i = 0; i < type.rank(); ++i) back[to_front[i]] = i;
    placed = Transposed(b, placed, back);
  }
  bp.Accumulate(a, placed);
  return absl::OkStatus();
}

// y = transpose(a, perm): result axis i is axis perm[i], so ā is ȳ under the
// inverse permutation.
void Transpose(const Op& op, Value* g, Backprop& bp) {
  const std::vector<int64_t> perm = op.ints_attribute("perm");
  std::vector<int64_t> inverse(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) inverse[perm[i]] = static_cast<int64_t>(i);
  Give(bp, op, 0, [&] { return Transposed(bp.builder(), g, inverse); });
}

// y = reshape(a): ā is ȳ reshaped back to a's type, whose symbolic dims are
// ȳ's, in the same order: a 0 keeps each.
void Reshape(const Op& op, Value* g, Backprop& bp) {
  std::vector<int64_t> shape;
  for (const ir::Dim& dim : op.operand(0)->type().dims()) {
    shape.push_back(dim.is_static() ? dim.size() : 0);
  }
  Give(bp, op, 0, [&] { return bp.builder().Reshape(g, shape); });
}

}  // namespace

absl::Status ApplyGradientRule(const Op& op, Backprop& bp) {
  if (op.kind() == OpKind::Split) {
    Split(op, bp);
    return absl::OkStatus();
  }
  Value* g = bp.Gradient(op.result(0));
  if (g == nullptr) return absl::OkStatus();
  switch (op.kind()) {
    case OpKind::Add:
    case OpKind::Sub:
    case OpKind::Mul:
    case OpKind::Div:
      Binary(op, g, bp);
      break;
    case OpKind::Neg:
    case OpKind::Sigmoid:
    case OpKind::Tanh:
    case OpKind::Relu:
    case OpKind::Exp:
    case OpKind::Log:
    case OpKind::Sqrt:
    case OpKind::Step:
      Unary(op, g, bp);
      break;
    case OpKind::Softmax:
      Softmax(op, g, bp);
      break;
    case OpKind::Matmul:
      Matmul(op, g, bp, op.bool_attribute("transpose_b"));
      break;
    case OpKind::Dense:
      Matmul(op, g, bp, /*transpose_b=*/true);
      break;
    case OpKind::BatchNorm:
      BatchNorm(op, g, bp);
      break;
    case OpKind::ReduceSum:
    case OpKind::ReduceMean:
    case OpKind::ReduceMax:
      Reduction(op, g, bp);
      break;
    case OpKind::Concat:
      Concat(op, g, bp);
      break;
    case OpKind::Slice:
      Slice(op, g, bp);
      break;
    case OpKind::Select:
      return Select(op, g, bp);
    case OpKind::Transpose:
      Transpose(op, g, bp);
      break;
    case OpKind::Reshape:
      Reshape(op, g, bp);
      break;
    case OpKind::Full:
      break;
    case OpKind::Rnn:
    case OpKind::Lstm:
    case OpKind::Gru:
      return Unsupported(op, "layer ops are expanded into scans before differentiation");
    case OpKind::Split:
    case OpKind::Scan:
    case OpKind::Yield:
      return Unsupported(op, "handled elsewhere");
  }
  return absl::OkStatus();
}

}  // namespace rnnc::training
