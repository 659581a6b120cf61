// params-as-inputs: every param of a graph becomes an input of the same
// name and type, appended after the graph's inputs in param order, and the
// graph has no params left. The Trainer compiles a training graph once this
// way and passes the current weights with every batch, so that an optimizer
// step changes tensors, never the compiled program.
#ifndef RNNC_TRAINING_PARAMS_AS_INPUTS_H
#define RNNC_TRAINING_PARAMS_AS_INPUTS_H

#include "ir/Graph.h"

namespace rnnc::training {

ir::Graph ParamsAsInputs(const ir::Graph& graph);

}  // namespace rnnc::training

#endif  // RNNC_TRAINING_PARAMS_AS_INPUTS_H
