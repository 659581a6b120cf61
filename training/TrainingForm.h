// The training form of a model's graph: what a training step runs, where
// the graph itself is the inference (eval) form. Today that is batch norm:
// statistics of the batch instead of the running ones, and outputs
// `update.<running stat>` with the running statistics after the step
// (StatisticsUpdates.h). A graph without batch norms comes back unchanged.
#ifndef RNNC_TRAINING_TRAINING_FORM_H
#define RNNC_TRAINING_TRAINING_FORM_H

#include "ir/Graph.h"

namespace rnnc::training {

ir::Graph TrainingForm(const ir::Graph& graph);

}  // namespace rnnc::training

#endif  // RNNC_TRAINING_TRAINING_FORM_H
