// Shape inference: the rules for the cell ops and the dispatch over every op
// kind. The layer ops' rules are in LayerShapes.cpp; the checks and attribute
// readers they all use, in OpContext.cpp. Each rule follows its op's entry in
// docs/IR.md.
#include "ir/ShapeInference.h"

#include <algorithm>
#include <limits>
#include <numeric>
#include <optional>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "ir/ShapeRules.h"

namespace rnnc::ir {

namespace {

using Types = std::vector<TensorType>;

bool IsOne(const Dim& dim) { return dim.is_static() && dim.size() == 1; }

// neg, sigmoid, tanh, relu, exp, log, step: the operand's type.
absl::StatusOr<Types> InferUnaryTypes(OpContext& context) {
  RNNC_RETURN_IF_ERROR(context.ExpectNumOperands(1, 1, "(a)"));
  return Types{context.type(0)};
}

// add, sub, mul, div: numpy broadcasting. Dims align from the right; equal
// dims (the same size or the same symbol) match, and a static 1 stretches to
// the other side. Different symbols might be bound to different sizes, so they
// do not match.
absl::StatusOr<Types> InferBroadcastTypes(OpContext& context) {
  RNNC_RETURN_IF_ERROR(context.ExpectNumOperands(2, 2, "(a, b)"));
  const TensorType& a = context.type(0);
  const TensorType& b = context.type(1);
  const int64_t rank = std::max(a.rank(), b.rank());
  std::vector<Dim> dims(rank, Dim(1));
  for (int64_t k = 1; k <= rank; ++k) {
    const Dim da = k <= a.rank() ? DimAt(a, -k) : Dim(1);
    const Dim db = k <= b.rank() ? DimAt(b, -k) : Dim(1);
    if (da == db || IsOne(db)) {
      dims[rank - k] = da;
    } else if (IsOne(da)) {
      dims[rank - k] = db;
    } else {
      return context.Error(
          absl::StrFormat("%s has type %s, which does not broadcast with %s, %s: its dim %d is %s, "
                          "expected %s or 1",
                          context.Describe(1), b.ToString(), context.Describe(0), a.ToString(), -k,
                          db.ToString(), da.ToString()));
    }
  }
  return Types{TensorType(std::move(dims))};
}

// (..., K) x (K, M) -> (..., M); with transpose_b the second is (M, K).
absl::StatusOr<Types> InferMatmulTypes(OpContext& context) {
  RNNC_RETURN_IF_ERROR(context.ExpectNumOperands(2, 2, "(a, b)"));
  RNNC_ASSIGN_OR_RETURN(bool transpose_b, context.Bool("transpose_b", false));
  RNNC_RETURN_IF_ERROR(context.ExpectMinRank(0, 1));
  RNNC_RETURN_IF_ERROR(context.ExpectRank(1, 2, transpose_b ? "(M, K)" : "(K, M)"));
  const int64_t k_dim = transpose_b ? 1 : 0;
  RNNC_RETURN_IF_ERROR(context.ExpectSameDim(1, k_dim, 0, -1));
  std::vector<Dim> dims = context.type(0).dims();
  dims.back() = context.type(1).dim(1 - k_dim);
  return Types{TensorType(std::move(dims))};
}

absl::StatusOr<Types> InferSoftmaxTypes(OpContext& context) {
  RNNC_RETURN_IF_ERROR(context.ExpectNumOperands(1, 1, "(a)"));
  RNNC_RETURN_IF_ERROR(context.ExpectMinRank(0, 1));
  RNNC_RETURN_IF_ERROR(context.Axis("axis").status());
  return Types{context.type(0)};
}

// reduce_sum, reduce_mean, reduce_max: `axes` are distinct axes of the operand (negative
// counts from the end); they are dropped, or kept with size 1 when
// keep_dims. Reducing a symbolic dim is fine: its size is only needed at run
// time, for the mean's divisor.
absl::StatusOr<Types> InferReductionTypes(OpContext& context) {
  RNNC_RETURN_IF_ERROR(context.ExpectNumOperands(1, 1, "(a)"));
  RNNC_ASSIGN_OR_RETURN(std::vector<int64_t> axes, context.Ints("axes"));
  RNNC_ASSIGN_OR_RETURN(bool keep_dims, context.Bool("keep_dims", false));
  const TensorType& a = context.type(0);
  std::vector<bool> reduced(a.rank(), false);
  for (int64_t axis : axes) {
    const int64_t normalized = axis < 0 ? axis + a.rank() : axis;
    if (normalized < 0 || normalized >= a.rank() || reduced[normalized]) {
      return context.Error(absl::StrFormat(
          "attribute axes = %s, expected distinct axes from %d to %d of %s, %s",
          AttributeToString(axes), -a.rank(), a.rank() - 1, context.Describe(0), a.ToString()));
    }
    reduced[normalized] = true;
  }
  std::vector<Dim> dims;
  for (int64_t i = 0; i < a.rank(); ++i) {
    if (!reduced[i]) {
      dims.push_back(a.dim(i));
    } else if (keep_dims) {
      dims.push_back(Dim(1));
    }
  }
  return Types{TensorType(std::move(dims))};
}

// The operands agree in every dim but `axis`, whose sizes add up. A symbolic
// size along the axis cannot be added to anything (T + 4 is not a dim), so it
// is only allowed when there is nothing to add.
absl::StatusOr<Types> InferConcatTypes(OpContext& context) {
  RNNC_RETURN_IF_ERROR(
      context.ExpectNumOperands(1, std::numeric_limits<size_t>::max(), "(a1, ..., ak)"));
  RNNC_RETURN_IF_ERROR(context.ExpectMinRank(0, 1));
  RNNC_ASSIGN_OR_RETURN(int64_t axis, context.Axis("axis"));
  std::vector<Dim> dims = context.type(0).dims();
  int64_t joined = 0;
  for (size_t i = 0; i < context.num_operands(); ++i) {
    const TensorType& type = context.type(i);
    std::vector<Dim> others = type.dims();
    if (type.rank() == context.type(0).rank()) others[axis] = dims[axis];
    if (others != dims) {
      return context.Error(absl::StrFormat(
          "%s has type %s; it must equal %s, %s, in every dim but axis %d", context.Describe(i),
          type.ToString(), context.Describe(0), context.type(0).ToString(), axis));
    }
    if (type.dim(axis).is_symbolic() && context.num_operands() > 1) {
      return context.Error(absl::StrFormat(
          "%s has type %s, symbolic along axis %d; joining several operands needs static sizes "
          "along the axis",
          context.Describe(i), type.ToString(), axis));
    }
    if (type.dim(axis).is_static()) joined += type.dim(axis).size();
  }
  if (context.num_operands() > 1) dims[axis] = Dim(joined);
  return Types{TensorType(std::move(dims))};
}

// `axis` of operand 0, which must be static for the op to cut it.
absl::StatusOr<int64_t> StaticAxis(OpContext& context) {
  RNNC_ASSIGN_OR_RETURN(int64_t axis, context.Axis("axis"));
  if (context.type(0).dim(axis).is_static()) return axis;
  return context.Error(absl::StrFormat("%s has type %s; its dim %d must be static to cut it",
                                       context.Describe(0), context.type(0).ToString(), axis));
}

absl::StatusOr<Types> InferSplitTypes(OpContext& context) {
  RNNC_RETURN_IF_ERROR(context.ExpectNumOperands(1, 1, "(a)"));
  RNNC_RETURN_IF_ERROR(context.ExpectMinRank(0, 1));
  RNNC_ASSIGN_OR_RETURN(int64_t axis, StaticAxis(context));
  RNNC_ASSIGN_OR_RETURN(std::vector<int64_t> sizes, context.Ints("sizes"));
  const TensorType& a = context.type(0);
  // Counts down from the dim's size rather than summing, which could overflow.
  int64_t remaining = a.dim(axis).size();
  bool valid = !sizes.empty();
  for (int64_t size : sizes) {
    valid = valid && size >= 0 && size <= remaining;
    if (valid) remaining -= size;
  }
  if (!valid || remaining != 0) {
    return context.Error(absl::StrFormat(
        "attribute sizes = %s, expected sizes >= 0 summing to %d, dim %d of %s, %s",
        AttributeToString(sizes), a.dim(axis).size(), axis, context.Describe(0), a.ToString()));
  }
  Types results;
  for (int64_t size : sizes) {
    std::vector<Dim> dims = a.dims();
    dims[axis] = Dim(size);
    results.emplace_back(std::move(dims));
  }
  return results;
}

absl::StatusOr<Types> InferSliceTypes(OpContext& context) {
  RNNC_RETURN_IF_ERROR(context.ExpectNumOperands(1, 1, "(a)"));
  RNNC_RETURN_IF_ERROR(context.ExpectMinRank(0, 1));
  RNNC_ASSIGN_OR_RETURN(int64_t axis, StaticAxis(context));
  RNNC_ASSIGN_OR_RETURN(int64_t start, context.Int("start"));
  RNNC_ASSIGN_OR_RETURN(int64_t end, context.Int("end"));
  const TensorType& a = context.type(0);
  const int64_t size = a.dim(axis).size();
  const int64_t first = start < 0 ? start + size : start;
  const int64_t last = end < 0 ? end + size : end;
  if (first < 0 || first > last || last > size) {
    return context.Error(absl::StrFormat(
        "attributes start = %d, end = %d give [%d, %d), which is not a range within dim %d of "
        "%s, %s",
        start, end, first, last, axis, context.Describe(0), a.ToString()));
  }
  std::vector<Dim> dims = a.dims();
  dims[axis] = Dim(last - first);
  return Types{TensorType(std::move(dims))};
}

// A negative index counts from the end, so `index = -1` takes the last step
// of a symbolic T; only a static dim can be checked here.
absl::StatusOr<Types> InferSelectTypes(OpContext& context) {
  RNNC_RETURN_IF_ERROR(context.ExpectNumOperands(1, 1, "(a)"));
  RNNC_RETURN_IF_ERROR(context.ExpectMinRank(0, 1));
  RNNC_ASSIGN_OR_RETURN(int64_t axis, context.Axis("axis"));
  RNNC_ASSIGN_OR_RETURN(int64_t index, context.Int("index"));
  const TensorType& a = context.type(0);
  const Dim& selected = a.dim(axis);
  if (selected.is_static() && (index < -selected.size() || index >= selected.size())) {
    return context.Error(absl::StrFormat(
        "attribute index = %d is out of range for dim %d of %s, %s: expected %d to %d", index, axis,
        context.Describe(0), a.ToString(), -selected.size(), selected.size() - 1));
  }
  std::vector<Dim> dims = a.dims();
  dims.erase(dims.begin() + axis);
  return Types{TensorType(std::move(dims))};
}

// Result dim i is operand dim perm[i].
absl::StatusOr<Types> InferTransposeTypes(OpContext& context) {
  RNNC_RETURN_IF_ERROR(context.ExpectNumOperands(1, 1, "(a)"));
  RNNC_ASSIGN_OR_RETURN(std::vector<int64_t> perm, context.Ints("perm"));
  const TensorType& a = context.type(0);
  std::vector<int64_t> sorted = perm;
  std::sort(sorted.begin(), sorted.end());
  std::vector<int64_t> identity(a.rank());
  std::iota(identity.begin(), identity.end(), 0);
  if (sorted != identity) {
    return context.Error(
        absl::StrFormat("attribute perm = %s is not a permutation of 0 to %d, for %s, %s",
                        AttributeToString(perm), a.rank() - 1, context.Describe(0), a.ToString()));
  }
  std::vector<Dim> dims;
  for (int64_t p : perm) dims.push_back(a.dim(p));
  return Types{TensorType(std::move(dims))};
}

// Products of the static dims between the symbolic ones: before the first,
// between each two, after the last; nullopt if one overflows.
std::optional<std::vector<int64_t>> StaticGroups(const TensorType& type) {
  std::vector<int64_t> groups = {1};
  for (const Dim& dim : type.dims()) {
    if (dim.is_symbolic()) {
      groups.push_back(1);
    } else if (dim.size() != 0 && groups.back() > std::numeric_limits<int64_t>::max() / dim.size()) {
      return std::nullopt;
    } else {
      groups.back() *= dim.size();
    }
  }
  return groups;
}

// Result dim i is shape[i]; the 0s keep the operand's symbolic dims, in
// order, so (T, N, 6) becomes (T, N, 3, 2) as [0, 0, 3, 2] and (6, N, 4)
// becomes (3, 2, N, 4) as [3, 2, 0, 4]. Every element stays where row-major
// order put it, whatever the symbols are bound to, when the static dims
// before, between and after the symbolic ones multiply to the same on both
// sides.
absl::StatusOr<Types> InferReshapeTypes(OpContext& context) {
  RNNC_RETURN_IF_ERROR(context.ExpectNumOperands(1, 1, "(a)"));
  RNNC_ASSIGN_OR_RETURN(std::vector<int64_t> shape, context.Ints("shape"));
  const TensorType& a = context.type(0);
  std::vector<Dim> symbols;
  for (const Dim& dim : a.dims()) {
    if (dim.is_symbolic()) symbols.push_back(dim);
  }
  const size_t zeros = std::count(shape.begin(), shape.end(), 0);
  const bool negative = std::any_of(shape.begin(), shape.end(), [](int64_t d) { return d < 0; });
  if (negative || zeros != symbols.size()) {
    return context.Error(absl::StrFormat(
        "attribute shape = %s, expected sizes > 0 and one 0 for each of the %d symbolic dims of "
        "%s, %s, which it keeps",
        AttributeToString(shape), symbols.size(), context.Describe(0), a.ToString()));
  }
  std::vector<Dim> dims;
  size_t kept = 0;
  for (int64_t size : shape) dims.push_back(size == 0 ? symbols[kept++] : Dim(size));
  const TensorType result(std::move(dims));
  const std::optional<std::vector<int64_t>> from = StaticGroups(a);
  const std::optional<std::vector<int64_t>> to = StaticGroups(result);
  if (!from || !to || *from != *to) {
    // Only which message to give: a wide product is precise enough for that.
    auto elements = [](const std::vector<int64_t>& groups) {
      return std::accumulate(groups.begin(), groups.end(), 1.0L,
                             [](long double p, int64_t g) { return p * g; });
    };
    const bool same_count = from && to && elements(*from) == elements(*to);
    const std::string problem = absl::StrFormat(
        "attribute shape = %s gives %s, which does not %s %s, %s", AttributeToString(shape),
        result.ToString(), same_count ? "keep the element order of" : "have as many elements as",
        context.Describe(0), a.ToString());
    return context.Error(same_count ? problem +
                                          ": the static dims before, between and after the "
                                          "symbolic ones must multiply to the same on both sides"
                                    : problem);
  }
  return Types{result};
}

absl::StatusOr<Types> Dispatch(OpKind kind, OpContext& context) {
  switch (kind) {
    case OpKind::Rnn:
    case OpKind::Lstm:
    case OpKind::Gru:
      return InferRecurrentTypes(kind, context);
    case OpKind::Dense:
      return InferDenseTypes(context);
    case OpKind::BatchNorm:
      return InferBatchNormTypes(context);
    case OpKind::Matmul:
      return InferMatmulTypes(context);
    case OpKind::Add:
    case OpKind::Sub:
    case OpKind::Mul:
    case OpKind::Div:
      return InferBroadcastTypes(context);
    case OpKind::Neg:
    case OpKind::Sigmoid:
    case OpKind::Tanh:
    case OpKind::Relu:
    case OpKind::Exp:
    case OpKind::Log:
    case OpKind::Sqrt:
    case OpKind::Step:
      return InferUnaryTypes(context);
    case OpKind::Softmax:
      return InferSoftmaxTypes(context);
    case OpKind::ReduceSum:
    case OpKind::ReduceMean:
    case OpKind::ReduceMax:
      return InferReductionTypes(context);
    case OpKind::Concat:
      return InferConcatTypes(context);
    case OpKind::Split:
      return InferSplitTypes(context);
    case OpKind::Slice:
      return InferSliceTypes(context);
    case OpKind::Select:
      return InferSelectTypes(context);
    case OpKind::Transpose:
      return InferTransposeTypes(context);
    case OpKind::Reshape:
      return InferReshapeTypes(context);
    case OpKind::Full:
      return context.Error("its result type is declared, not inferred from operands");
    case OpKind::Scan:
      return context.Error("its result types come from its body, not from its operands");
    case OpKind::Yield:
      return context.Error("it has no results");
  }
  return context.Error("unknown op kind");
}

}  // namespace

absl::StatusOr<std::vector<TensorType>> InferResultTypes(OpKind kind, OpContext& context) {
  RNNC_ASSIGN_OR_RETURN(Types results, Dispatch(kind, context));
  RNNC_RETURN_IF_ERROR(context.ExpectNoOtherAttributes());
  return results;
}

absl::StatusOr<std::vector<TensorType>> InferResultTypes(
    OpKind kind, const std::vector<TensorType>& operand_types, const AttributeMap& attributes) {
  OpContext context(OpKindName(kind), operand_types, attributes);
  return InferResultTypes(kind, context);
}

}  // namespace rnnc::ir
