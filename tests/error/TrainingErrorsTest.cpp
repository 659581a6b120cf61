// The training API's errors, each with the message a user acts on:
// schedules out of range, optimizer state that does not fit, files that are
// not checkpoints or are another optimizer's, and a Trainer used wrongly.
#include <filesystem>
#include <sstream>

#include "absl/strings/match.h"
#include "frontend/Losses.h"
#include "gtest/gtest.h"
#include "runtime/Safetensors.h"
#include "tests/TrainingModels.h"
#include "training/Checkpoint.h"
#include "training/LearningRate.h"
#include "training/Trainer.h"

namespace rnnc::training {
namespace {

std::string TempPath(const std::string& name) {
  return (std::filesystem::temp_directory_path() / name).string();
}

LossFunction Mse() {
  return [](Var p, Var y) { return losses::MeanSquaredError(p, y); };
}

TEST(TrainingErrors, SchedulesNeedAtLeastOneEpoch) {
  EXPECT_EQ(StepLr(0).status().message(),
            "StepLr: step_size = 0, expected a number of epochs >= 1");
  EXPECT_EQ(CosineAnnealingLr(-1).status().message(),
            "CosineAnnealingLr: t_max = -1, expected a number of epochs >= 1");
}

TEST(TrainingErrors, OptimizerStateThatDoesNotFit) {
  const TensorMap weights = {{"w", Tensor({2, 2})}, {"v", Tensor({3})}};
  Adam adam{AdamOptions()};
  EXPECT_EQ(adam.RestoreState({{"w.exp_avg", Tensor({3})}, {"w.exp_avg_sq", Tensor({4})}}, 1,
                              weights)
                .message(),
            "adam state 'w.exp_avg': 3 elements, but weight 'w' has 4 (shape [2, 2])");
  EXPECT_EQ(adam.RestoreState({{"w.exp_avg", Tensor({4})}}, 1, weights).message(),
            "adam state of weight 'w' has 1 of its 2 buffers (exp_avg, exp_avg_sq)");
  EXPECT_EQ(adam.RestoreState({{"u.momentum_buffer", Tensor({4})}}, 1, weights).message(),
            "adam state 'u.momentum_buffer' is not '<weight>.<buffer>' for a weight of this "
            "model and a buffer of adam (exp_avg, exp_avg_sq)");
  EXPECT_EQ(adam.RestoreState({}, -1, weights).message(),
            "adam state: step count -1, expected >= 0");
}

TEST(TrainingErrors, NotACheckpoint) {
  const std::string path = TempPath("not_a_checkpoint.safetensors");
  ASSERT_TRUE(WriteSafetensors(path, {{"w", Tensor({1})}}).ok());
  EXPECT_EQ(ReadCheckpoint(path).status().message(),
            path + ": not an rnnc checkpoint: metadata 'format' is missing, expected "
                   "'rnnc-checkpoint-1'");
  ASSERT_TRUE(WriteSafetensors(path, {{"w", Tensor({1})}},
                               {{"format", "rnnc-checkpoint-1"}, {"epoch", "x"}})
                  .ok());
  EXPECT_EQ(ReadCheckpoint(path).status().message(),
            path + ": checkpoint metadata 'optimizer_steps' is missing, expected a "
                   "non-negative integer");
  ASSERT_TRUE(WriteSafetensors(path, {{"w", Tensor({1})}},
                               {{"format", "rnnc-checkpoint-1"},
                                {"epoch", "1"},
                                {"optimizer_steps", "2"}})
                  .ok());
  EXPECT_EQ(ReadCheckpoint(path).status().message(),
            path + ": checkpoint tensor 'w' is neither under 'weights/' nor under 'optimizer/'");
}

TEST(TrainingErrors, CheckpointOfAnotherOptimizerOrModel) {
  Model model("linear");
  BuildLinearRegression(model);
  Trainer trainer(model);
  ASSERT_TRUE(trainer.Compile(std::make_unique<Sgd>(SgdOptions()), Mse(), {}).ok());
  const std::string path = TempPath("adam_checkpoint.safetensors");
  Checkpoint checkpoint;
  checkpoint.optimizer = "adam";
  checkpoint.weights = model.weights();
  ASSERT_TRUE(WriteCheckpoint(path, checkpoint).ok());
  EXPECT_EQ(trainer.LoadCheckpoint(path).message(),
            path + ": the checkpoint's optimizer is 'adam', this trainer's is 'sgd'");
  checkpoint.optimizer = "sgd";
  checkpoint.weights.erase("dense.bias");
  ASSERT_TRUE(WriteCheckpoint(path, checkpoint).ok());
  const absl::Status status = trainer.LoadCheckpoint(path);
  EXPECT_TRUE(absl::StrContains(status.message(), "dense.bias")) << status;
  EXPECT_TRUE(absl::StartsWith(status.message(), path + ": ")) << status;
}

TEST(TrainingErrors, TrainerUsedWrongly) {
  Model model("linear");
  BuildLinearRegression(model);
  Trainer trainer(model);
  const Dataset data = LinearRegressionData();
  EXPECT_EQ(trainer.Fit(data, FitOptions()).status().message(),
            "trainer: Fit before Compile; call Compile first");
  EXPECT_EQ(trainer.Compile(nullptr, Mse(), {}).message(),
            "trainer: Compile needs an optimizer and a loss");
  EXPECT_EQ(trainer.Compile(std::make_unique<Sgd>(SgdOptions()), Mse(),
                            {{"loss", Mse()}}).message(),
            "trainer: metric 'loss' is named twice (\"loss\" and the model's outputs are taken) "
            "or has no function");
  CompileOptions op_result;
  op_result.target = "dense";  // the dense op's result
  EXPECT_EQ(trainer.Compile(std::make_unique<Sgd>(SgdOptions()), Mse(), {}, op_result).message(),
            "trainer: the model already has a value named 'dense' for the targets; set "
            "CompileOptions::target to another name");
  CompileOptions taken;
  taken.target = "x";
  EXPECT_EQ(trainer.Compile(std::make_unique<Sgd>(SgdOptions()), Mse(), {}, taken).message(),
            "trainer: the model already has a value named 'x' for the targets; set "
            "CompileOptions::target to another name");
  CompileOptions unknown;
  unknown.prediction = "logits";
  EXPECT_EQ(trainer.Compile(std::make_unique<Sgd>(SgdOptions()), Mse(), {}, unknown).message(),
            "trainer: the model has no output named 'logits'; the model's outputs are: "
            "prediction");
  ASSERT_TRUE(trainer.Compile(std::make_unique<Sgd>(SgdOptions()), Mse(), {}).ok());
  EXPECT_EQ(trainer.Compile(std::make_unique<Sgd>(SgdOptions()), Mse(), {}).message(),
            "trainer: Compile was called already");
  EXPECT_EQ(trainer.Step().message(),
            "trainer: Step with no gradients; call Backward after ZeroGrad first");
  FitOptions zero;
  zero.batch_size = 0;
  EXPECT_EQ(trainer.Fit(data, zero).status().message(),
            "trainer: Fit on 8 examples in batches of 0; expected both >= 1");
  const absl::Status missing = trainer.Backward({{"x", Tensor({2, 2})}}).status();
  EXPECT_FALSE(missing.ok());
  EXPECT_TRUE(absl::StrContains(missing.message(), "y")) << missing;
}

TEST(TrainingErrors, ALossThatIsNotAScalar) {
  Model model("linear");
  BuildLinearRegression(model);
  Trainer trainer(model);
  const absl::Status status = trainer.Compile(
      std::make_unique<Sgd>(SgdOptions()), [](Var p, Var y) { return p - y; }, {});
  EXPECT_EQ(status.message(),
            "differentiate: loss output 'loss' (%sub) has type f32[N, 1], expected a scalar f32[]");
}

}  // namespace
}  // namespace rnnc::training
