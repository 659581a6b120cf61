// params-as-inputs: the same graph with every param an input of the same
// name and type. A training loop compiles a gradient graph once and passes
// the current weights in on every step, so that updating them recompiles
// nothing (a param's value is fixed when an executable is made).
#ifndef RNNC_TRAINING_PARAMS_AS_INPUTS_H
#define RNNC_TRAINING_PARAMS_AS_INPUTS_H

#include "ir/Graph.h"

namespace rnnc::training {

// The inputs keep their order; the former params follow them, in order.
ir::Graph ParamsAsInputs(const ir::Graph& graph);

}  // namespace rnnc::training

#endif  // RNNC_TRAINING_PARAMS_AS_INPUTS_H
