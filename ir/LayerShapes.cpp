// Shape rules of the layer ops: rnn, lstm, gru, dense and batch_norm, as
// docs/IR.md ("Layer ops") defines their operands, attributes and results.
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "ir/ShapeRules.h"

namespace rnnc::ir {

namespace {

using Types = std::vector<TensorType>;

// Bounds hidden_size and num_layers so that G·H and 4·L·D stay far from
// overflow; real models are many orders of magnitude smaller.
constexpr int64_t kMaxLayerSize = int64_t{1} << 30;

// What sets rnn, lstm and gru apart for shapes: G gates per layer (stacked in
// the weights' rows) and the states each step carries (lstm has c besides h).
struct RecurrentCell {
  int64_t gates;
  std::vector<std::string> states;
};

RecurrentCell CellOf(OpKind kind) {
  switch (kind) {
    case OpKind::Lstm:
      return {4, {"h0", "c0"}};
    case OpKind::Gru:
      return {3, {"h0"}};
    default:
      return {1, {"h0"}};
  }
}

// PyTorch's parameter names for layer l, direction d: weight_ih_l0,
// weight_hh_l0, bias_ih_l0, bias_hh_l0, with "_reverse" for d = 1.
std::vector<std::string> WeightRoles(int64_t layer, int64_t direction) {
  const std::string suffix = absl::StrCat("_l", layer, direction == 1 ? "_reverse" : "");
  return {absl::StrCat("weight_ih", suffix), absl::StrCat("weight_hh", suffix),
          absl::StrCat("bias_ih", suffix), absl::StrCat("bias_hh", suffix)};
}

}  // namespace

// Operands: x (T, N, I); per layer l and direction d, weight_ih (G·H, I_l),
// weight_hh (G·H, H), bias_ih (G·H), bias_hh (G·H), with I_0 = I and
// I_l = D·H above; then optionally the initial states, each (L·D, N, H).
// Results: output (T, N, H_out) with H_out = 2H for a bidirectional concat,
// else H; then the final states, each (L·D, N, H).
absl::StatusOr<Types> InferRecurrentTypes(OpKind kind, OpContext& context) {
  const RecurrentCell cell = CellOf(kind);
  RNNC_ASSIGN_OR_RETURN(int64_t hidden, context.IntInRange("hidden_size", 1, kMaxLayerSize));
  RNNC_ASSIGN_OR_RETURN(int64_t layers, context.IntInRange("num_layers", 1, kMaxLayerSize));
  RNNC_ASSIGN_OR_RETURN(std::string direction,
                        context.Enum("direction", {"forward", "reverse", "bidirectional"}));
  RNNC_ASSIGN_OR_RETURN(std::string merge,
                        context.Enum("merge", {"concat", "sum", "mul", "ave"}, "concat"));
  if (kind == OpKind::Rnn) {
    RNNC_RETURN_IF_ERROR(context.Enum("activation", {"tanh", "relu"}).status());
  }
  if (kind == OpKind::Gru) {
    RNNC_RETURN_IF_ERROR(context.Enum("reset", {"after", "before"}).status());
  }
  const int64_t directions = direction == "bidirectional" ? 2 : 1;

  const size_t without_states = static_cast<size_t>(1 + 4 * layers * directions);
  const size_t with_states = without_states + cell.states.size();
  if (context.num_operands() != without_states && context.num_operands() != with_states) {
    return context.Error(absl::StrFormat(
        "expected %d operands (x, then 4 weights for each of %d layer(s) x %d direction(s)), or "
        "%d with the initial states %s; got %d",
        without_states, layers, directions, with_states, absl::StrJoin(cell.states, " and "),
        context.num_operands()));
  }
  std::vector<std::string> roles = {"x"};
  for (int64_t l = 0; l < layers; ++l) {
    for (int64_t d = 0; d < directions; ++d) {
      for (std::string& role : WeightRoles(l, d)) roles.push_back(std::move(role));
    }
  }
  roles.insert(roles.end(), cell.states.begin(), cell.states.end());
  context.set_roles(std::move(roles));

  RNNC_RETURN_IF_ERROR(context.ExpectRank(0, 3, "(T, N, I)"));
  const TensorType& x = context.type(0);
  const Dim steps = x.dim(0), batch = x.dim(1);
  const Dim gate_rows(cell.gates * hidden);
  for (int64_t l = 0; l < layers; ++l) {
    const Dim input = l == 0 ? x.dim(2) : Dim(directions * hidden);
    for (int64_t d = 0; d < directions; ++d) {
      const size_t first = static_cast<size_t>(1 + 4 * (l * directions + d));
      RNNC_RETURN_IF_ERROR(context.ExpectType(first, TensorType({gate_rows, input})));
      RNNC_RETURN_IF_ERROR(context.ExpectType(first + 1, TensorType({gate_rows, Dim(hidden)})));
      RNNC_RETURN_IF_ERROR(context.ExpectType(first + 2, TensorType({gate_rows})));
      RNNC_RETURN_IF_ERROR(context.ExpectType(first + 3, TensorType({gate_rows})));
    }
  }
  const TensorType state({Dim(layers * directions), batch, Dim(hidden)});
  for (size_t i = without_states; i < context.num_operands(); ++i) {
    RNNC_RETURN_IF_ERROR(context.ExpectType(i, state));
  }

  const bool concatenated = directions == 2 && merge == "concat";
  Types results = {TensorType({steps, batch, Dim(concatenated ? 2 * hidden : hidden)})};
  results.insert(results.end(), cell.states.size(), state);
  return results;
}

// dense(x (..., In), weight (Out, In), bias (Out)?) -> (..., Out)
absl::StatusOr<Types> InferDenseTypes(OpContext& context) {
  RNNC_RETURN_IF_ERROR(context.ExpectNumOperands(2, 3, "(x, weight, bias?)"));
  context.set_roles({"x", "weight", "bias"});
  RNNC_RETURN_IF_ERROR(context.ExpectMinRank(0, 1));
  RNNC_RETURN_IF_ERROR(context.ExpectRank(1, 2, "(Out, In)"));
  RNNC_RETURN_IF_ERROR(context.ExpectSameDim(1, 1, 0, -1));
  const Dim out = context.type(1).dim(0);
  if (context.num_operands() == 3) RNNC_RETURN_IF_ERROR(context.ExpectType(2, TensorType({out})));
  std::vector<Dim> dims = context.type(0).dims();
  dims.back() = out;
  return Types{TensorType(std::move(dims))};
}

// batch_norm(x (..., C), weight, bias, running_mean, running_var, each (C))
// -> (..., C)
absl::StatusOr<Types> InferBatchNormTypes(OpContext& context) {
  RNNC_RETURN_IF_ERROR(
      context.ExpectNumOperands(5, 5, "(x, weight, bias, running_mean, running_var)"));
  context.set_roles({"x", "weight", "bias", "running_mean", "running_var"});
  RNNC_RETURN_IF_ERROR(context.Float("epsilon", 1e-5).status());
  RNNC_RETURN_IF_ERROR(context.Float("momentum", 0.1).status());
  RNNC_RETURN_IF_ERROR(context.ExpectMinRank(0, 1));
  const TensorType channels({context.type(0).dims().back()});
  for (size_t i = 1; i < 5; ++i) RNNC_RETURN_IF_ERROR(context.ExpectType(i, channels));
  return Types{context.type(0)};
}

}  // namespace rnnc::ir
