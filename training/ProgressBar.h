// Keras-style progress of one training epoch. On a terminal, a bar redrawn
// in place after every step:
//
//   Epoch 1/3
//    20/938 [>.............................] - ETA: 15:02 - loss: 2.1234 - accuracy: 0.2100
//   938/938 [==============================] - 60s 64ms/step - loss: 0.5012 - accuracy: 0.8123 - val_loss: 0.4410 - val_accuracy: 0.8420
//
// Elsewhere (a log file, a pipe, CI) one plain line per epoch, written when
// the epoch ends:
//
//   Epoch 1/3 - 938/938 - 60s - 64ms/step - loss: 0.5012 - accuracy: 0.8123 - val_loss: 0.4410 - val_accuracy: 0.8420
//
// Times are passed in, not read from a clock, so tests check the text.
#ifndef RNNC_TRAINING_PROGRESS_BAR_H
#define RNNC_TRAINING_PROGRESS_BAR_H

#include <cstdint>
#include <ostream>
#include <string>
#include <utility>
#include <vector>

namespace rnnc::training {

// Metric name and value, in the order they are shown.
using MetricValues = std::vector<std::pair<std::string, double>>;

// Whether standard output is a terminal (isatty).
bool StdoutIsTerminal();

class ProgressBar {
 public:
  // `interactive`: draw the bar; else print the plain line. `epoch` counts
  // from 1.
  ProgressBar(std::ostream& out, bool interactive, int64_t epoch, int64_t epochs, int64_t steps);
  // After step `step` (from 1) of the epoch, `elapsed_seconds` into it, with
  // the running metrics. Draws the bar; nothing in plain mode.
  void Update(int64_t step, const MetricValues& metrics, double elapsed_seconds);
  // The epoch's summary line, `elapsed_seconds` for all its steps.
  void Finish(const MetricValues& metrics, double elapsed_seconds);

  // "4s", "64ms", "12us": Keras's durations.
  static std::string FormatDuration(double seconds);
  // "0:15:02", "15:02", "42s": Keras's ETA.
  static std::string FormatEta(double seconds);

 private:
  std::string Counter(int64_t step) const;
  std::ostream& out_;
  bool interactive_;
  int64_t epoch_;
  int64_t epochs_;
  int64_t steps_;
  size_t last_width_ = 0;  // of the line drawn last, to blank what is left of it
};

}  // namespace rnnc::training

#endif  // RNNC_TRAINING_PROGRESS_BAR_H
