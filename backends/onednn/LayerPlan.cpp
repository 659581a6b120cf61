// Splitting a layer stack into oneDNN primitives. oneDNN 2.6 runs several
// layers in one primitive only when every layer reads as many features as
// it writes (SLC = DLC), so layer 0 with I ≠ H needs its own primitive.
// Its bidirectional stacks, moreover, run the two directions as independent
// stacks and combine them only after the last layer, whereas PyTorch (and
// the IR) concatenate the directions between every two layers; so a
// bidirectional stack is a chain of one-layer primitives. The last layer's
// merge: concat and sum are oneDNN's bidirectional_concat and
// bidirectional_sum; mul and ave have no oneDNN mode and are computed from
// a concatenated output.
#include "backends/onednn/LayerPlan.h"

namespace rnnc::onednn {

namespace {

Cell CellOf(const ir::Op& op) {
  switch (op.kind()) {
    case ir::OpKind::Lstm:
      return Cell::kLstm;
    case ir::OpKind::Gru:
      return op.string_attribute("reset", "after") == "after" ? Cell::kGruResetAfter
                                                              : Cell::kGruResetBefore;
    default:
      return op.string_attribute("activation", "tanh") == "relu" ? Cell::kRnnRelu
                                                                  : Cell::kRnnTanh;
  }
}

}  // namespace

LayerPlan PlanLayers(const ir::Op& op) {
  LayerPlan plan;
  plan.cell = CellOf(op);
  plan.hidden_size = op.int_attribute("hidden_size");
  plan.num_layers = op.int_attribute("num_layers");
  const std::string direction = op.string_attribute("direction");
  plan.num_directions = direction == "bidirectional" ? 2 : 1;
  plan.is_lstm = op.kind() == ir::OpKind::Lstm;
  // weight_ih_l0 (G·H, I) has a static type, unlike x's symbolic T and N.
  const int64_t input_size = op.operand(1)->type().dim(1).size();
  const int64_t hidden = plan.hidden_size;

  if (plan.num_directions == 1) {
    const PrimitiveDirection mode = direction == "reverse" ? PrimitiveDirection::kRightToLeft
                                                           : PrimitiveDirection::kLeftToRight;
    if (input_size == hidden) {
      plan.segments.push_back({0, plan.num_layers, input_size, mode});
    } else {
      plan.segments.push_back({0, 1, input_size, mode});
      if (plan.num_layers > 1) plan.segments.push_back({1, plan.num_layers - 1, hidden, mode});
    }
    return plan;
  }

  const std::string merge = op.string_attribute("merge", "concat");
  if (merge == "mul" || merge == "ave") plan.merge_outside = merge;
  for (int64_t layer = 0; layer < plan.num_layers; ++layer) {
    const bool last = layer + 1 == plan.num_layers;
    const PrimitiveDirection mode = last && merge == "sum"
                                        ? PrimitiveDirection::kBidirectionalSum
                                        : PrimitiveDirection::kBidirectionalConcat;
    plan.segments.push_back({layer, 1, layer == 0 ? input_size : 2 * hidden, mode});
  }
  return plan;
}

std::optional<std::vector<DirectionWeights>> ParamWeights(const ir::Op& op, const LayerPlan& plan,
                                                          const TensorMap& weights) {
  std::vector<DirectionWeights> groups;
  for (size_t k = 0; k < static_cast<size_t>(plan.num_layers * plan.num_directions); ++k) {
    const Tensor* w[4];
    for (size_t i = 0; i < 4; ++i) {
      const ir::Value* value = op.operand(1 + 4 * k + i);
      auto it = weights.find(value->name());
      if (value->origin() != ir::Value::Origin::kParam || it == weights.end()) return std::nullopt;
      w[i] = &it->second;
    }
    groups.push_back({w[0], w[1], w[2], w[3]});
  }
  return groups;
}

}  // namespace rnnc::onednn
