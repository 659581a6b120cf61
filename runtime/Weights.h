// Checks that a set of weights fits a model before anything runs on them.
#ifndef RNNC_RUNTIME_WEIGHTS_H
#define RNNC_RUNTIME_WEIGHTS_H

#include "absl/status/status.h"
#include "ir/Graph.h"
#include "runtime/Tensor.h"

namespace rnnc {

// Every param of `graph` must be in `weights` under its name, with its shape;
// like PyTorch's strict load_state_dict, tensors the graph has no param for
// are rejected too, since they usually mean a misnamed weight. One error
// lists every missing, mis-shaped and unexpected tensor.
absl::Status CheckWeights(const ir::Graph& graph, const TensorMap& weights);

}  // namespace rnnc

#endif  // RNNC_RUNTIME_WEIGHTS_H
