// What the seed experiment programs (seed_classifier, seed_tagger,
// bn_gru_vs_gru; docs/TRAINING.md) share: the backend the Trainer compiles
// with, the train/validation/test split of a generated data set, the
// classifier's training setup, the per-epoch table, and the check that two
// ways of running a model give the same outputs.
#ifndef RNNC_EXAMPLES_SEED_EXPERIMENTS_H
#define RNNC_EXAMPLES_SEED_EXPERIMENTS_H

#include <cstdint>
#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "runtime/Tensor.h"
#include "training/Dataset.h"
#include "training/History.h"
#include "training/Trainer.h"

namespace rnnc::examples {

// Creates `directory` and its parents if they are missing; an error names it.
absl::Status CreateDirectories(const std::string& directory);

// tools::Compile with `backend` ("interp", "onednn", "llvm") bound.
training::CompileFunction BackendCompileFunction(const std::string& backend);

struct Splits {
  training::Dataset train;
  training::Dataset validation;
  training::Dataset test;
};
// Examples [0, training) are for training, of which the last
// `validation_fraction` are held out for validation (Keras's
// validation_split, taken before any shuffling); the rest are the test set.
Splits SplitExamples(const training::Dataset& data, int64_t training, double validation_fraction);

// The binary classifiers of the seed experiments: Adam(lr), binary
// cross-entropy on the sigmoid's probabilities, binary accuracy, on
// `backend`.
absl::Status CompileBinaryClassifier(training::Trainer& trainer, double lr,
                                     const std::string& backend);

// One line per epoch: its metrics, the time per step and per epoch of
// `steps_per_epoch` steps.
void PrintHistory(const training::History& history, int64_t steps_per_epoch, std::ostream& out);

// Prints "<what>: max |difference| D over E values (tolerance tol)" and
// returns an error naming the worst element when D > tolerance or the
// shapes differ.
absl::Status CheckAgreement(const std::string& what, const Tensor& got, const Tensor& want,
                            double tolerance, std::ostream& out);

}  // namespace rnnc::examples

#endif  // RNNC_EXAMPLES_SEED_EXPERIMENTS_H
