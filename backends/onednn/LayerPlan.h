// How an rnn, lstm or gru layer op becomes oneDNN RNN primitives: which
// cell, and which layers each primitive runs in which direction mode.
#ifndef RNNC_BACKENDS_ONEDNN_LAYERPLAN_H
#define RNNC_BACKENDS_ONEDNN_LAYERPLAN_H

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "backends/onednn/WeightLayout.h"
#include "ir/Graph.h"
#include "runtime/Tensor.h"

namespace rnnc::onednn {

// oneDNN's rnn_direction values this backend uses.
enum class PrimitiveDirection { kLeftToRight, kRightToLeft, kBidirectionalConcat, kBidirectionalSum };

// Layers [first_layer, first_layer + num_layers) run by one primitive, each
// reading input_size features per step.
struct Segment {
  int64_t first_layer;
  int64_t num_layers;
  int64_t input_size;
  PrimitiveDirection direction;
};

struct LayerPlan {
  Cell cell;
  int64_t hidden_size;
  int64_t num_layers;
  int64_t num_directions;  // D
  bool is_lstm;
  // "mul" or "ave": the last primitive concatenates both directions into a
  // buffer and the kernel merges them; empty when the primitive writes the
  // op's output itself.
  std::string merge_outside;
  std::vector<Segment> segments;
};

// The plan for `op`, an rnn, lstm or gru that the verifier accepted.
LayerPlan PlanLayers(const ir::Op& op);

// The op's L·D weight groups (index l·D + d) in `weights`, or nullopt if one
// is not a param there: weights that other ops compute change from run to
// run and cannot be converted at compile time.
std::optional<std::vector<DirectionWeights>> ParamWeights(const ir::Op& op, const LayerPlan& plan,
                                                          const TensorMap& weights);

}  // namespace rnnc::onednn

#endif  // RNNC_BACKENDS_ONEDNN_LAYERPLAN_H
