#include "frontend/Recurrent.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "frontend/CellOps.h"

namespace rnnc::nn {

namespace {

int64_t GateCount(ir::OpKind kind) {
  switch (kind) {
    case ir::OpKind::Lstm: return 4;
    case ir::OpKind::Gru: return 3;
    default: return 1;
  }
}

const char* MergeName(Merge merge) {
  switch (merge) {
    case Merge::kSum: return "sum";
    case Merge::kMul: return "mul";
    case Merge::kAve: return "ave";
    case Merge::kConcat: break;
  }
  return "concat";
}

// Combines the two directions' (N, H) last steps as the merge mode says.
Var MergeDirections(Var forward, Var reverse, Merge merge) {
  switch (merge) {
    case Merge::kSum: return forward + reverse;
    case Merge::kMul: return forward * reverse;
    case Merge::kAve: return 0.5 * (forward + reverse);
    case Merge::kConcat: break;
  }
  return Concat({forward, reverse}, -1);
}

}  // namespace

Recurrent::Recurrent(Model& model, ir::OpKind kind, const std::string& name,
                     RecurrentOptions options)
    : model_(model), kind_(kind), options_(std::move(options)) {
  const int64_t hidden = options_.hidden_size();
  const int64_t gates = GateCount(kind_) * hidden;
  const int64_t directions = options_.bidirectional() ? 2 : 1;
  const std::string prefix = name.empty() ? "" : absl::StrCat(name, ".");
  // PyTorch: every weight and bias starts as U(-1/√H, 1/√H).
  const Initializer init = Initializer::Uniform(hidden > 0 ? 1.0 / std::sqrt(hidden) : 0.0);
  for (int64_t layer = 0; layer < options_.num_layers(); ++layer) {
    const int64_t input = layer == 0 ? options_.input_size() : directions * hidden;
    for (int64_t d = 0; d < directions; ++d) {
      const std::string suffix = absl::StrCat("_l", layer, d == 1 ? "_reverse" : "");
      weights_.push_back(model_.Param(absl::StrCat(prefix, "weight_ih", suffix), {gates, input}, init));
      weights_.push_back(model_.Param(absl::StrCat(prefix, "weight_hh", suffix), {gates, hidden}, init));
      weights_.push_back(model_.Param(absl::StrCat(prefix, "bias_ih", suffix), {gates}, init));
      weights_.push_back(model_.Param(absl::StrCat(prefix, "bias_hh", suffix), {gates}, init));
    }
  }
}

RecurrentOutputs Recurrent::Forward(Var x, InitialStates initial) {
  if (options_.batch_first()) x = Transpose(x, {1, 0, 2});  // (N, T, I) -> (T, N, I)

  Vars operands = {x};
  operands.insert(operands.end(), weights_.begin(), weights_.end());
  if (initial.h0.valid()) operands.push_back(initial.h0);
  if (kind_ == ir::OpKind::Lstm && initial.c0.valid()) {
    if (!initial.h0.valid()) {
      model_.Fail(absl::InvalidArgumentError("lstm: c0 given without h0; give both or neither"));
      return {};
    }
    operands.push_back(initial.c0);
  }

  ir::AttributeMap attributes = {
      {"hidden_size", options_.hidden_size()},
      {"num_layers", options_.num_layers()},
      {"direction", std::string(options_.bidirectional() ? "bidirectional" : "forward")},
  };
  if (options_.bidirectional()) attributes["merge"] = std::string(MergeName(options_.merge()));
  if (kind_ == ir::OpKind::Rnn) attributes["activation"] = options_.nonlinearity();
  if (kind_ == ir::OpKind::Gru) {
    attributes["reset"] = std::string(options_.reset() == Reset::kAfter ? "after" : "before");
  }

  Vars results = model_.AddOp(kind_, operands, std::move(attributes), {"seq", "h_n", "c_n"});
  if (results.empty()) return {};
  RecurrentOutputs outputs{results[0], results[1], results.size() > 2 ? results[2] : Var()};

  if (!options_.return_sequences()) {
    // The last step of each direction is its final state: the forward one
    // ends at t = T-1, the reverse one at t = 0, as Keras returns them.
    const int64_t last = options_.num_layers() - 1;
    if (options_.bidirectional()) {
      outputs.output = MergeDirections(Select(outputs.h_n, 0, 2 * last),
                                       Select(outputs.h_n, 0, 2 * last + 1), options_.merge());
    } else {
      outputs.output = Select(outputs.h_n, 0, last);
    }
  } else if (options_.batch_first()) {
    outputs.output = Transpose(outputs.output, {1, 0, 2});
  }
  return outputs;
}

}  // namespace rnnc::nn
