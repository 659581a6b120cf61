// The params a training step assigns rather than descends: the running
// statistics of batch norm, whose values after the step TrainingForm gives
// as graph outputs `update.<param>` (PyTorch's buffers, which forward()
// updates and no optimizer touches).
//
//   absl::StatusOr<TensorMap> outputs = step->Run(inputs);
//   optimizer.Step(trainable, *outputs);              // weights but AssignedParams
//   ApplyStatisticsUpdates(*outputs, weights);         // running_mean, running_var
#ifndef RNNC_TRAINING_STATISTICS_UPDATES_H
#define RNNC_TRAINING_STATISTICS_UPDATES_H

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "ir/Graph.h"
#include "runtime/Tensor.h"

namespace rnnc::training {

inline constexpr char kUpdatePrefix[] = "update.";

// The params of `graph` that have an `update.<param>` output, in param order.
std::vector<std::string> AssignedParams(const ir::Graph& graph);

// weights[p] = outputs["update.<p>"] for every such output. An update for a
// weight that is not there, or of another shape, is an error naming both.
absl::Status ApplyStatisticsUpdates(const TensorMap& outputs, TensorMap& weights);

}  // namespace rnnc::training

#endif  // RNNC_TRAINING_STATISTICS_UPDATES_H
