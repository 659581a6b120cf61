// Learning-rate schedules and optimizers stepped under them against
// torch.optim (gen_training.py's schedules.safetensors): StepLR and
// CosineAnnealingLR values per epoch, five steps of Adam under a cosine
// schedule, of SGD with momentum under StepLR, and of Adam with Keras's
// epsilon, within 1e-5 of PyTorch's float64 weights.
#include <string>

#include "gtest/gtest.h"
#include "runtime/Safetensors.h"
#include "tests/TestTensors.h"
#include "tests/golden/GoldenCase.h"
#include "training/LearningRate.h"
#include "training/Optimizers.h"

namespace rnnc::training {
namespace {

constexpr double kTolerance = 1e-5;
constexpr int kSteps = 5;

const TensorMap& Golden() {
  static const TensorMap tensors = [] {
    absl::StatusOr<SafetensorsFile> file =
        ReadSafetensors(golden::GoldenDataDirectory() + "/training/schedules.safetensors");
    EXPECT_TRUE(file.ok()) << file.status();
    return file.ok() ? file->tensors : TensorMap();
  }();
  return tensors;
}

void ExpectScheduleMatches(const LearningRateSchedule& schedule, const std::string& name) {
  const Tensor& expected = Golden().at(name);
  Tensor got({expected.num_elements()});
  for (int64_t epoch = 0; epoch < expected.num_elements(); ++epoch) {
    got.data()[epoch] = static_cast<float>(schedule(0.1, epoch));
  }
  ExpectAllClose(got, expected, kTolerance, 1e-9);
}

// Steps k = 0..4 with the gradients of step k, the lr of "epoch" k set
// first, as torch's scheduler.step() after every optimizer.step() gives.
void ExpectStepsMatch(Optimizer& optimizer, const LearningRateSchedule& schedule,
                      const std::string& prefix) {
  const TensorMap& golden = Golden();
  TensorMap weights = {{"w", golden.at("w")}, {"b", golden.at("b")}};
  const double initial_lr = optimizer.lr();
  for (int k = 0; k < kSteps; ++k) {
    optimizer.set_lr(schedule(initial_lr, k));
    TensorMap gradients = {{"grad.w", golden.at("grad.w." + std::to_string(k))},
                           {"grad.b", golden.at("grad.b." + std::to_string(k))}};
    ASSERT_TRUE(optimizer.Step(weights, gradients).ok());
  }
  for (const auto& [name, weight] : weights) {
    SCOPED_TRACE(prefix + "." + name);
    ExpectAllClose(weight, golden.at(prefix + "." + name), kTolerance, kTolerance);
  }
}

TEST(TrainingScheduleGolden, StepLrAsTorch) {
  absl::StatusOr<LearningRateSchedule> schedule = StepLr(3, 0.5);
  ASSERT_TRUE(schedule.ok());
  ExpectScheduleMatches(*schedule, "step_lr");
}

TEST(TrainingScheduleGolden, CosineAnnealingLrAsTorchAlsoPastTMax) {
  absl::StatusOr<LearningRateSchedule> schedule = CosineAnnealingLr(5, 0.001);
  ASSERT_TRUE(schedule.ok());
  ExpectScheduleMatches(*schedule, "cosine_lr");
}

TEST(TrainingScheduleGolden, AdamUnderCosineAnnealingAsTorch) {
  Adam adam(AdamOptions().lr(0.01));
  ExpectStepsMatch(adam, *CosineAnnealingLr(4, 0.001), "adam_cosine");
}

TEST(TrainingScheduleGolden, SgdMomentumUnderStepLrAsTorch) {
  Sgd sgd(SgdOptions().lr(0.1).momentum(0.9));
  ExpectStepsMatch(sgd, *StepLr(2, 0.5), "sgd_step");
}

TEST(TrainingScheduleGolden, AdamWithKerasEpsilonAsTorch) {
  Adam adam(AdamOptions::Keras().lr(0.01));
  EXPECT_EQ(AdamOptions::Keras().epsilon(), 1e-7);
  ExpectStepsMatch(adam, ConstantLr(), "adam_keras");
}

}  // namespace
}  // namespace rnnc::training
