// Synthetic sequence tasks for the seed experiments (docs/TRAINING.md),
// made so that a model can only solve them by carrying information along
// the sequence, and deterministic from a seed on every platform: the
// numbers come from std::mt19937_64 (fully specified by the C++ standard)
// through written-out transforms, not from the standard's distributions,
// whose algorithms are left to each library.
//
// Planted signal (a binary classifier must remember the start):
//   two fixed signal vectors s_0, s_1 ∈ {±1}^F (from signal_seed); each
//   sequence has label l (exactly half of each, in shuffled order) and s_l
//   added at one step p < signal_window; every step carries Gaussian noise
//   of standard deviation `noise`.
//     x (T, N, F), example axis 1;   y (N, 1) = l, example axis 0
//   The label is fixed at step p and the model answers after step T-1, so
//   it must hold one bit across at least T - signal_window steps of noise.
//
// Repeat tagging (a tagger must look both ways):
//   symbols c_t uniform in [0, symbols), one-hot; with k = lag,
//     past_t   = t >= k     and c_t == c_{t-k}
//     future_t = t + k < T  and c_t == c_{t+k}
//     tag_t    = past_t + 2·future_t   ∈ {0 neither, 1 past, 2 future, 3 both}
//     x (T, N, symbols), y (T, N, 4) one-hot, example axis 1 for both
//   A forward pass alone cannot know future_t, a backward one past_t. With
//   two symbols the four tags are equally likely away from the ends.
#ifndef RNNC_TRAINING_SYNTHETIC_TASKS_H
#define RNNC_TRAINING_SYNTHETIC_TASKS_H

#include <cstdint>

#include "absl/status/statusor.h"
#include "training/Dataset.h"

namespace rnnc::training {

struct PlantedSignalOptions {
  int64_t examples = 4000;
  int64_t steps = 40;  // T
  int64_t features = 50;
  int64_t signal_window = 5;  // the signal is at one of steps 0 .. window-1
  // 0.5: with noise 1 at T = 40 the classifier of seed_classifier fits
  // the noise of its 3200 training sequences within 10 epochs and stays at
  // chance on new ones (docs/TRAINING.md).
  double noise = 0.5;
  uint64_t seed = 0;         // the sequences
  uint64_t signal_seed = 1;  // the two signal vectors: keep it for train and test alike
};

inline constexpr int64_t kRepeatTags = 4;

struct RepeatTaggingOptions {
  int64_t examples = 4000;
  int64_t steps = 32;  // T
  int64_t symbols = 2;
  int64_t lag = 4;  // k
  uint64_t seed = 0;
};

// Errors: a count below 1, a signal window outside [1, steps], negative
// noise, fewer than two symbols.
absl::StatusOr<Dataset> PlantedSignalTask(const PlantedSignalOptions& options);
absl::StatusOr<Dataset> RepeatTaggingTask(const RepeatTaggingOptions& options);

}  // namespace rnnc::training

#endif  // RNNC_TRAINING_SYNTHETIC_TASKS_H
