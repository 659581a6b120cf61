// The small models and data the Trainer and checkpoint tests train: a
// linear regression whose first loss is known by hand, and a GRU that
// learns the sign of a sequence's sum (T symbolic, batches that do not
// divide the examples).
#ifndef RNNC_TESTS_TRAINING_MODELS_H
#define RNNC_TESTS_TRAINING_MODELS_H

#include <memory>

#include "frontend/DSL.h"
#include "training/Dataset.h"
#include "training/Trainer.h"

namespace rnnc {

// x (N, 2) → Dense(2, 1) → "prediction" (N, 1), weights zero.
void BuildLinearRegression(Model& m);
// 8 examples, y = 2·x₀ - x₁ + 0.5 exactly.
training::Dataset LinearRegressionData();

// x (T, N, 1) → GRU(1 → 8), last state → Dense(8, 2) → "logits" (N, 2).
void BuildSignGru(Model& m);
// `examples` sequences of T = 5 standard-normal steps; y one-hot: class 1
// when the sum is positive.
training::Dataset SignData(int64_t examples, uint32_t seed);
// Compiles `trainer` for SignGru: Adam(lr 0.05), softmax cross-entropy,
// accuracy, on the interpreter.
absl::Status CompileSignGru(training::Trainer& trainer);

}  // namespace rnnc

#endif  // RNNC_TESTS_TRAINING_MODELS_H
