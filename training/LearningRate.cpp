#include "training/LearningRate.h"

#include <cmath>
#include <numbers>

#include "absl/strings/str_format.h"

namespace rnnc::training {

LearningRateSchedule ConstantLr() {
  return [](double initial_lr, int64_t) { return initial_lr; };
}

absl::StatusOr<LearningRateSchedule> StepLr(int64_t step_size, double gamma) {
  if (step_size < 1) {
    return absl::InvalidArgumentError(
        absl::StrFormat("StepLr: step_size = %d, expected a number of epochs >= 1", step_size));
  }
  return LearningRateSchedule([step_size, gamma](double initial_lr, int64_t epoch) {
    return initial_lr * std::pow(gamma, static_cast<double>(epoch / step_size));
  });
}

absl::StatusOr<LearningRateSchedule> CosineAnnealingLr(int64_t t_max, double eta_min) {
  if (t_max < 1) {
    return absl::InvalidArgumentError(
        absl::StrFormat("CosineAnnealingLr: t_max = %d, expected a number of epochs >= 1", t_max));
  }
  return LearningRateSchedule([t_max, eta_min](double initial_lr, int64_t epoch) {
    const double phase = std::numbers::pi * static_cast<double>(epoch) / static_cast<double>(t_max);
    return eta_min + (initial_lr - eta_min) * (1 + std::cos(phase)) / 2;
  });
}

}  // namespace rnnc::training
