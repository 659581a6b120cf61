// What fit() returns, as Keras's History: per epoch, the training metrics
// ("loss", "accuracy", ...), the validation ones ("val_loss", ...) and the
// time per step and of the validation; TrainingCurves draws it.
#ifndef RNNC_TRAINING_HISTORY_H
#define RNNC_TRAINING_HISTORY_H

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace rnnc::training {

struct History {
  // The epochs these are of, from 1 (a resumed run starts later).
  std::vector<int64_t> epochs;
  // Name → one value per epoch: the mean over the epoch's examples while
  // training (as Keras reports), and validation after the epoch.
  std::map<std::string, std::vector<double>> metrics;
  std::vector<double> seconds_per_step;
  // Seconds of each epoch's training steps, and of its validation after
  // them (0 without validation data).
  std::vector<double> training_seconds;
  std::vector<double> validation_seconds;
};

}  // namespace rnnc::training

#endif  // RNNC_TRAINING_HISTORY_H
