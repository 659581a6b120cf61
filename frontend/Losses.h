// Losses and metrics for training, built in the DSL as ops of the model, so
// that differentiate sees them as any other part of the graph:
//
//   Var p = nn::Dense(m, "fc", nn::DenseOptions(64, 1).activation("sigmoid"))(h);
//   m.Output("loss", losses::BinaryCrossEntropy(p, y));
//   m.Output("accuracy", losses::BinaryAccuracy(p, y));
//
// Each loss follows PyTorch's definition and its `reduction` ("mean" or
// "sum"); the numerically stable forms are written out above each function
// in Losses.cpp. Targets have the predictions' type.
#ifndef RNNC_FRONTEND_LOSSES_H
#define RNNC_FRONTEND_LOSSES_H

#include <cstdint>
#include <vector>

#include "frontend/Model.h"

namespace rnnc {

// reduce_sum, reduce_mean and reduce_max over `axes` (negative count from the
// end); the axes are dropped unless keep_dims.
Var ReduceSum(Var a, std::vector<int64_t> axes, bool keep_dims = false);
Var ReduceMean(Var a, std::vector<int64_t> axes, bool keep_dims = false);
Var ReduceMax(Var a, std::vector<int64_t> axes, bool keep_dims = false);
// 1 where a > 0, else 0.
Var Step(Var a);

namespace losses {

enum class Reduction { kMean, kSum };

// -[y log p + (1 - y) log(1 - p)] per element, each log clamped at -100 as
// nn.BCELoss does, so a p of exactly 0 or 1 gives a finite loss. Mean over
// every element.
Var BinaryCrossEntropy(Var probabilities, Var targets, Reduction reduction = Reduction::kMean);
// The same on logits z, p = σ(z), without forming p (nn.BCEWithLogitsLoss).
Var BinaryCrossEntropyWithLogits(Var logits, Var targets,
                                 Reduction reduction = Reduction::kMean);
// (p - y)² per element; mean over every element (nn.MSELoss).
Var MeanSquaredError(Var predictions, Var targets, Reduction reduction = Reduction::kMean);
// -Σ_c y_c log softmax(z)_c over the last axis (classes), per example; mean
// over the examples (every other axis), as nn.CrossEntropyLoss with class
// probabilities (one-hot rows for hard labels) as targets.
Var SoftmaxCrossEntropy(Var logits, Var targets, Reduction reduction = Reduction::kMean);

// The fraction of elements where (p > threshold) equals the 0/1 target, as
// Keras's binary_accuracy.
Var BinaryAccuracy(Var probabilities, Var targets, double threshold = 0.5);
// The fraction of examples whose largest score (last axis) is at the class
// the one-hot target marks, as Keras's categorical_accuracy. A row whose
// largest score is tied between classes counts each tied class.
Var CategoricalAccuracy(Var scores, Var one_hot_targets);

}  // namespace losses
}  // namespace rnnc

#endif  // RNNC_FRONTEND_LOSSES_H
