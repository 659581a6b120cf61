#include "training/ProgressBar.h"

#include <unistd.h>

#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace rnnc::training {

namespace {

constexpr int64_t kBarWidth = 30;

std::string FormatMetrics(const MetricValues& metrics) {
  std::string text;
  for (const auto& [name, value] : metrics) absl::StrAppendFormat(&text, " - %s: %.4f", name, value);
  return text;
}

}  // namespace

bool StdoutIsTerminal() { return isatty(STDOUT_FILENO) == 1; }

ProgressBar::ProgressBar(std::ostream& out, bool interactive, int64_t epoch, int64_t epochs,
                         int64_t steps)
    : out_(out), interactive_(interactive), epoch_(epoch), epochs_(epochs), steps_(steps) {
  if (interactive_) out_ << "Epoch " << epoch_ << "/" << epochs_ << "\n" << std::flush;
}

std::string ProgressBar::FormatDuration(double seconds) {
  if (seconds >= 1) return absl::StrCat(std::llround(seconds), "s");
  if (seconds >= 1e-3) return absl::StrCat(std::llround(seconds * 1e3), "ms");
  return absl::StrCat(std::llround(seconds * 1e6), "us");
}

std::string ProgressBar::FormatEta(double seconds) {
  const int64_t s = std::llround(seconds);
  if (s >= 3600) return absl::StrFormat("%d:%02d:%02d", s / 3600, (s % 3600) / 60, s % 60);
  if (s >= 60) return absl::StrFormat("%d:%02d", s / 60, s % 60);
  return absl::StrCat(s, "s");
}

// " 20/938", the step right-aligned to the width of the total, as Keras.
std::string ProgressBar::Counter(int64_t step) const {
  const std::string total = absl::StrCat(steps_);
  return absl::StrFormat("%*d/%s", static_cast<int>(total.size()), step, total);
}

// Keras's bar: ⌊30·step/steps⌋ cells done, the last of them '>' until the
// end, then '.'.
void ProgressBar::Update(int64_t step, const MetricValues& metrics, double elapsed_seconds) {
  if (!interactive_) return;
  const int64_t done = steps_ > 0 ? kBarWidth * step / steps_ : kBarWidth;
  std::string bar = "[";
  if (done > 0) bar.append(done - 1, '=').push_back(step < steps_ ? '>' : '=');
  bar.append(kBarWidth - std::max<int64_t>(done, 0), '.').push_back(']');
  const double per_step = step > 0 ? elapsed_seconds / step : 0;
  std::string line = absl::StrCat(Counter(step), " ", bar, " - ETA: ",
                                  FormatEta(per_step * (steps_ - step)), FormatMetrics(metrics));
  const size_t width = line.size();
  if (width < last_width_) line.append(last_width_ - width, ' ');
  last_width_ = width;
  out_ << "\r" << line << std::flush;
}

void ProgressBar::Finish(const MetricValues& metrics, double elapsed_seconds) {
  const std::string per_step =
      absl::StrCat(FormatDuration(steps_ > 0 ? elapsed_seconds / steps_ : 0), "/step");
  std::string line;
  if (interactive_) {
    line = absl::StrCat("\r", Counter(steps_), " [", std::string(kBarWidth, '='), "] - ",
                        FormatDuration(elapsed_seconds), " ", per_step, FormatMetrics(metrics));
    const size_t width = line.size() - 1;
    if (width < last_width_) line.append(last_width_ - width, ' ');
  } else {
    line = absl::StrCat("Epoch ", epoch_, "/", epochs_, " - ", Counter(steps_), " - ",
                        FormatDuration(elapsed_seconds), " - ", per_step, FormatMetrics(metrics));
  }
  out_ << line << "\n" << std::flush;
}

}  // namespace rnnc::training
