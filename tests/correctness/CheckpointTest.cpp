// Checkpoints resume exactly: a GRU trained 3 epochs (Adam, a cosine
// schedule, shuffled batches with a smaller last one) ends with the same
// weights, bit for bit, as one trained 1 epoch, checkpointed, restored into
// a fresh trainer and trained on to 3; and an optimizer's state round-trips.
#include <cstring>
#include <filesystem>

#include "frontend/Losses.h"
#include "gtest/gtest.h"
#include "tests/TrainingModels.h"
#include "training/Checkpoint.h"
#include "training/Trainer.h"

namespace rnnc::training {
namespace {

std::string TempPath(const std::string& name) {
  return (std::filesystem::temp_directory_path() / name).string();
}

void ExpectBitIdentical(const TensorMap& a, const TensorMap& b) {
  ASSERT_EQ(a.size(), b.size());
  for (const auto& [name, tensor] : a) {
    SCOPED_TRACE(name);
    ASSERT_EQ(tensor.shape(), b.at(name).shape());
    EXPECT_EQ(std::memcmp(tensor.data(), b.at(name).data(), tensor.num_elements() * sizeof(float)),
              0);
  }
}

absl::Status CompileWithSchedule(Trainer& trainer) {
  CompileOptions options;
  options.schedule = *CosineAnnealingLr(3, 0.005);
  return trainer.Compile(std::make_unique<Adam>(AdamOptions().lr(0.05)),
                         [](Var p, Var y) { return losses::SoftmaxCrossEntropy(p, y); },
                         {CategoricalAccuracyMetric()}, options);
}

FitOptions Epochs(int64_t epochs, const std::string& checkpoint) {
  FitOptions options;
  options.epochs = epochs;
  options.batch_size = 5;
  options.seed = 11;
  options.progress = ProgressStyle::kSilent;
  options.checkpoint_path = checkpoint;
  return options;
}

TEST(Checkpoint, ResumedRunEndsBitIdenticalToAnUninterruptedOne) {
  const Dataset data = SignData(12, 9);
  Model straight_model("sign", 4);
  BuildSignGru(straight_model);
  Trainer straight(straight_model);
  ASSERT_TRUE(CompileWithSchedule(straight).ok());
  ASSERT_TRUE(straight.Fit(data, Epochs(3, "")).ok());

  const std::string path = TempPath("checkpoint_test.safetensors");
  Model first_model("sign", 4);
  BuildSignGru(first_model);
  Trainer first(first_model);
  ASSERT_TRUE(CompileWithSchedule(first).ok());
  ASSERT_TRUE(first.Fit(data, Epochs(1, path)).ok());

  Model resumed_model("sign", 4);
  BuildSignGru(resumed_model);
  Trainer resumed(resumed_model);
  ASSERT_TRUE(CompileWithSchedule(resumed).ok());
  absl::Status loaded = resumed.LoadCheckpoint(path);
  ASSERT_TRUE(loaded.ok()) << loaded;
  EXPECT_EQ(resumed.epoch(), 1);
  EXPECT_EQ(resumed.optimizer().steps(), 3);  // 12 examples in batches of 5
  absl::StatusOr<History> rest = resumed.Fit(data, Epochs(3, ""));
  ASSERT_TRUE(rest.ok()) << rest.status();
  EXPECT_EQ(rest->epochs, (std::vector<int64_t>{2, 3}));

  ExpectBitIdentical(resumed.weights(), straight.weights());
  ExpectBitIdentical(resumed.optimizer().State(), straight.optimizer().State());
  EXPECT_EQ(resumed.optimizer().steps(), straight.optimizer().steps());
  EXPECT_EQ(resumed.optimizer().lr(), straight.optimizer().lr());
}

TEST(Checkpoint, FileHoldsWeightsStateAndCounts) {
  Checkpoint checkpoint;
  checkpoint.weights = {{"w", Tensor({2}, {1.5f, -2})}};
  checkpoint.optimizer = "adam";
  checkpoint.optimizer_steps = 7;
  checkpoint.optimizer_state = {{"w.exp_avg", Tensor({2}, {0.1f, 0.2f})},
                                {"w.exp_avg_sq", Tensor({2}, {0.3f, 0.4f})}};
  checkpoint.epoch = 2;
  const std::string path = TempPath("checkpoint_file_test.safetensors");
  ASSERT_TRUE(WriteCheckpoint(path, checkpoint).ok());
  absl::StatusOr<Checkpoint> read = ReadCheckpoint(path);
  ASSERT_TRUE(read.ok()) << read.status();
  EXPECT_EQ(read->optimizer, "adam");
  EXPECT_EQ(read->optimizer_steps, 7);
  EXPECT_EQ(read->epoch, 2);
  ExpectBitIdentical(read->weights, checkpoint.weights);
  ExpectBitIdentical(read->optimizer_state, checkpoint.optimizer_state);
}

TEST(Checkpoint, OptimizerStateRoundTripsExactly) {
  TensorMap weights = {{"w", Tensor({2, 2}, {1, 2, 3, 4})}};
  const TensorMap gradients = {{"grad.w", Tensor({2, 2}, {0.3f, -0.1f, 0.7f, 0.01f})}};
  Sgd a(SgdOptions().lr(0.1).momentum(0.9).nesterov(true));
  ASSERT_TRUE(a.Step(weights, gradients).ok());
  ASSERT_TRUE(a.Step(weights, gradients).ok());
  Sgd b(SgdOptions().lr(0.1).momentum(0.9).nesterov(true));
  ASSERT_TRUE(b.RestoreState(a.State(), a.steps(), weights).ok());
  TensorMap weights_b = weights;
  ASSERT_TRUE(a.Step(weights, gradients).ok());
  ASSERT_TRUE(b.Step(weights_b, gradients).ok());
  ExpectBitIdentical(weights, weights_b);
  ExpectBitIdentical(a.State(), b.State());
  EXPECT_EQ(b.steps(), 3);
}

}  // namespace
}  // namespace rnnc::training
