// Learning-rate schedules: the learning rate of each epoch as a function of
// the optimizer's initial one, with the values torch.optim.lr_scheduler's
// StepLR and CosineAnnealingLR give after `epoch` calls of scheduler.step()
// (one per epoch, as their documentation's loops do).
//
//   absl::StatusOr<training::LearningRateSchedule> schedule = training::CosineAnnealingLr(10);
//   optimizer.set_lr((*schedule)(initial_lr, epoch));
//
// The Trainer applies its schedule at the start of every epoch.
#ifndef RNNC_TRAINING_LEARNING_RATE_H
#define RNNC_TRAINING_LEARNING_RATE_H

#include <cstdint>
#include <functional>

#include "absl/status/statusor.h"

namespace rnnc::training {

// lr(initial_lr, epoch), epoch counted from 0.
using LearningRateSchedule = std::function<double(double initial_lr, int64_t epoch)>;

// The initial learning rate throughout.
LearningRateSchedule ConstantLr();
// StepLR(step_size, gamma): initial_lr · gamma^⌊epoch / step_size⌋.
// Errors: step_size < 1.
absl::StatusOr<LearningRateSchedule> StepLr(int64_t step_size, double gamma = 0.1);
// CosineAnnealingLR(T_max, eta_min):
//   eta_min + (initial_lr - eta_min) · (1 + cos(π · epoch / T_max)) / 2,
// which past T_max rises again as PyTorch's does (its recursive form follows
// the same cosine). Errors: t_max < 1.
absl::StatusOr<LearningRateSchedule> CosineAnnealingLr(int64_t t_max, double eta_min = 0);

}  // namespace rnnc::training

#endif  // RNNC_TRAINING_LEARNING_RATE_H
