// The optimizers against torch.optim: two steps of Adam, AdamW and SGD with
// Nesterov momentum and weight decay, from the weights and gradients of a
// GRU case (gen_gradients.py's optimizer_steps.safetensors), must give
// PyTorch's float64 weights within 1e-5.
#include <functional>
#include <memory>
#include <string>

#include "gtest/gtest.h"
#include "runtime/Safetensors.h"
#include "tests/TestTensors.h"
#include "tests/golden/GoldenCase.h"
#include "training/Optimizers.h"

namespace rnnc::training {
namespace {

constexpr double kTolerance = 1e-5;

void ExpectTwoStepsMatch(const std::string& prefix, Optimizer& optimizer) {
  absl::StatusOr<SafetensorsFile> file =
      ReadSafetensors(golden::GoldenDataDirectory() + "/gradients/optimizer_steps.safetensors");
  ASSERT_TRUE(file.ok()) << file.status();
  TensorMap weights, gradients;
  for (const auto& [name, tensor] : file->tensors) {
    if (name.starts_with("grad.")) gradients[name] = tensor;
    if (name.starts_with("weight_") || name.starts_with("bias_")) weights[name] = tensor;
  }
  ASSERT_EQ(weights.size(), 4u);
  for (int step = 0; step < 2; ++step) ASSERT_TRUE(optimizer.Step(weights, gradients).ok());
  for (const auto& [name, weight] : weights) {
    SCOPED_TRACE(prefix + "." + name);
    ExpectAllClose(weight, file->tensors.at(prefix + "." + name), kTolerance, kTolerance);
  }
}

TEST(GradientOptimizerStep, AdamAsTorch) {
  Adam adam(AdamOptions().lr(0.01));
  ExpectTwoStepsMatch("adam", adam);
}

TEST(GradientOptimizerStep, AdamWAsTorch) {
  Adam adamw(AdamOptions::AdamW().lr(0.01).weight_decay(0.1));
  ExpectTwoStepsMatch("adamw", adamw);
}

TEST(GradientOptimizerStep, SgdNesterovWithWeightDecayAsTorch) {
  Sgd sgd(SgdOptions().lr(0.1).momentum(0.9).nesterov(true).weight_decay(0.01));
  ExpectTwoStepsMatch("sgd", sgd);
}

TEST(GradientOptimizerStep, MissingGradientIsAnErrorAndChangesNothing) {
  TensorMap weights = {{"w", Tensor({2}, {1, 2})}, {"v", Tensor({1}, {3})}};
  Sgd sgd{SgdOptions()};
  const absl::Status status = sgd.Step(weights, {{"grad.w", Tensor({2}, {1, 1})}});
  EXPECT_EQ(status.message(), "optimizer step: no gradient 'grad.v' for weight 'v'");
  ExpectAllClose(weights.at("w"), Tensor({2}, {1, 2}), 0, 0);
}

}  // namespace
}  // namespace rnnc::training
