// The Trainer on tiny tasks, on the interpreter: fit's first-epoch loss is
// the loss at the initial weights (known by hand for a linear regression,
// the plain forward graph's for a GRU), the loss then falls by a stated
// factor, a smaller last batch trains, the PyTorch-style loop gives fit's
// weights bit for bit, a step keeps the weights and gradients in their
// buffers, evaluate's batched means are the full-set means, and predict
// gives the model's output.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <map>
#include <set>
#include <sstream>
#include <string>

#include "absl/strings/match.h"
#include "backends/interp/Interpreter.h"
#include "frontend/Losses.h"
#include "gtest/gtest.h"
#include "tests/TestTensors.h"
#include "tests/TrainingModels.h"
#include "training/Trainer.h"

namespace rnnc::training {
namespace {

FitOptions Quiet(int64_t epochs, int64_t batch_size) {
  FitOptions options;
  options.epochs = epochs;
  options.batch_size = batch_size;
  options.seed = 3;
  options.progress = ProgressStyle::kSilent;
  return options;
}

bool BitIdentical(const TensorMap& a, const TensorMap& b) {
  if (a.size() != b.size()) return false;
  for (const auto& [name, tensor] : a) {
    const Tensor& other = b.at(name);
    if (tensor.shape() != other.shape() ||
        std::memcmp(tensor.data(), other.data(), tensor.num_elements() * sizeof(float)) != 0) {
      return false;
    }
  }
  return true;
}

// From zero weights the predictions are 0, so the first loss (one batch of
// all 8 examples, taken before the first step) is mean(y²); 200 steps of
// SGD must bring it below 1/1000 of that.
TEST(Trainer, LinearRegressionFirstLossByHandThenFallsAThousandfold) {
  Model model("linear");
  BuildLinearRegression(model);
  Trainer trainer(model);
  ASSERT_TRUE(trainer
                  .Compile(std::make_unique<Sgd>(SgdOptions().lr(0.1)),
                           [](Var p, Var y) { return losses::MeanSquaredError(p, y); }, {})
                  .ok());
  const Dataset data = LinearRegressionData();
  double mean_square = 0;
  for (float y : data.entries().at("y").tensor.values()) mean_square += double{y} * y / 8;
  absl::StatusOr<History> history = trainer.Fit(data, Quiet(200, 8));
  ASSERT_TRUE(history.ok()) << history.status();
  const std::vector<double>& loss = history->metrics.at("loss");
  ASSERT_EQ(loss.size(), 200u);
  EXPECT_NEAR(loss.front(), mean_square, 1e-6 * mean_square);
  EXPECT_LT(loss.back(), loss.front() / 1000);
  EXPECT_EQ(history->epochs.front(), 1);
  EXPECT_EQ(history->epochs.back(), 200);
}

// One batch of all 12 examples: the first epoch's loss is the loss of the
// initial weights, which the model with the loss added by hand gives on the
// plain interpreter. Then batches of 5 (5, 5, 2: T and N symbolic) for 40
// epochs must halve the loss and reach 80% accuracy.
TEST(Trainer, GruFirstLossIsTheForwardGraphsThenHalvesWithAPartialBatch) {
  const Dataset data = SignData(12, 5);
  Model reference("sign");
  BuildSignGru(reference);
  Var y = reference.Input("y", {dims::N, 2});
  reference.Output("loss", losses::SoftmaxCrossEntropy(
                               Var(&reference, reference.graph().outputs()[0].value), y));
  absl::StatusOr<ir::Graph> graph = reference.Build();
  ASSERT_TRUE(graph.ok()) << graph.status();
  absl::StatusOr<std::unique_ptr<Executable>> forward =
      interp::CompileForInterpreter(*graph, reference.weights());
  ASSERT_TRUE(forward.ok()) << forward.status();
  absl::StatusOr<TensorMap> outputs = (*forward)->Run(data.Gather({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}));
  ASSERT_TRUE(outputs.ok()) << outputs.status();
  const double initial_loss = outputs->at("loss").data()[0];

  Model model("sign");
  BuildSignGru(model);
  Trainer trainer(model);
  ASSERT_TRUE(CompileSignGru(trainer).ok());
  absl::StatusOr<History> first = trainer.Fit(data, Quiet(1, 12));
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_NEAR(first->metrics.at("loss")[0], initial_loss, 1e-6);

  FitOptions rest = Quiet(40, 5);
  absl::StatusOr<History> history = trainer.Fit(data, rest);
  ASSERT_TRUE(history.ok()) << history.status();
  EXPECT_EQ(history->epochs.front(), 2);  // Fit goes on from the epochs done
  EXPECT_LT(history->metrics.at("loss").back(), initial_loss / 2);
  EXPECT_GE(history->metrics.at("accuracy").back(), 0.8);
}

TEST(Trainer, PyTorchStyleLoopGivesFitsWeightsBitForBit) {
  const Dataset data = SignData(12, 6);
  Model a("sign", 1), b("sign", 1);
  BuildSignGru(a);
  BuildSignGru(b);
  Trainer fitted(a), looped(b);
  ASSERT_TRUE(CompileSignGru(fitted).ok());
  ASSERT_TRUE(CompileSignGru(looped).ok());
  ASSERT_TRUE(fitted.Fit(data, Quiet(2, 5)).ok());
  for (int64_t epoch = 0; epoch < 2; ++epoch) {
    for (const std::vector<int64_t>& batch : EpochBatches(data.size(), 5, true, 3, epoch)) {
      looped.ZeroGrad();
      absl::StatusOr<MetricValues> scores = looped.Backward(data.Gather(batch));
      ASSERT_TRUE(scores.ok()) << scores.status();
      ASSERT_EQ((*scores)[0].first, "loss");
      ASSERT_TRUE(looped.Step().ok());
    }
  }
  EXPECT_TRUE(BitIdentical(fitted.weights(), looped.weights()));
  EXPECT_FALSE(BitIdentical(fitted.weights(), a.weights()));  // it did train
}

TEST(Trainer, BackwardAccumulatesUntilZeroGrad) {
  const Dataset data = SignData(4, 7);
  Model model("sign");
  BuildSignGru(model);
  Trainer trainer(model);
  ASSERT_TRUE(CompileSignGru(trainer).ok());
  const TensorMap batch = data.Gather({0, 1, 2, 3});
  ASSERT_TRUE(trainer.Backward(batch).ok());
  const TensorMap once = trainer.gradients();
  ASSERT_TRUE(trainer.Backward(batch).ok());
  for (const auto& [name, g] : once) {
    Tensor twice = g;
    for (float& v : twice.values()) v *= 2;
    ExpectAllClose(trainer.gradients().at(name), twice, 1e-6, 1e-9);
  }
  trainer.ZeroGrad();
  EXPECT_TRUE(trainer.gradients().empty());
}

// The per-step path copies and allocates no tensor once the shapes are
// known: the weights stay in their buffers, the optimizer updates them in
// place, and each gradient lives in one of two buffers that the gradients
// and the executable's outputs trade after every ZeroGrad.
TEST(Trainer, StepsKeepTheWeightsAndGradientsInTheirBuffers) {
  const Dataset data = SignData(4, 8);
  Model model("sign");
  BuildSignGru(model);
  Trainer trainer(model);
  ASSERT_TRUE(CompileSignGru(trainer).ok());
  const TensorMap batch = data.Gather({0, 1, 2, 3});
  std::map<std::string, const float*> weight_buffers;
  std::map<std::string, std::set<const float*>> gradient_buffers;
  for (int step = 0; step < 5; ++step) {
    trainer.ZeroGrad();
    ASSERT_TRUE(trainer.Backward(batch).ok());
    ASSERT_TRUE(trainer.Step().ok());
    for (const auto& [name, weight] : trainer.weights()) {
      if (step == 0) weight_buffers[name] = weight.data();
      EXPECT_EQ(weight.data(), weight_buffers[name]) << name << " at step " << step;
    }
    for (const auto& [name, gradient] : trainer.gradients()) {
      gradient_buffers[name].insert(gradient.data());
    }
  }
  ASSERT_EQ(gradient_buffers.size(), weight_buffers.size());
  for (const auto& [name, buffers] : gradient_buffers) EXPECT_LE(buffers.size(), 2u) << name;
}

// Fit times each epoch's steps and its validation apart.
TEST(Trainer, FitRecordsTrainingAndValidationSecondsPerEpoch) {
  Model model("linear");
  BuildLinearRegression(model);
  Trainer trainer(model);
  ASSERT_TRUE(trainer
                  .Compile(std::make_unique<Sgd>(SgdOptions().lr(0.1)),
                           [](Var p, Var y) { return losses::MeanSquaredError(p, y); }, {})
                  .ok());
  const Dataset data = LinearRegressionData();
  FitOptions options = Quiet(2, 3);
  options.validation = &data;
  absl::StatusOr<History> history = trainer.Fit(data, options);
  ASSERT_TRUE(history.ok()) << history.status();
  ASSERT_EQ(history->training_seconds.size(), 2u);
  ASSERT_EQ(history->validation_seconds.size(), 2u);
  for (size_t e = 0; e < 2; ++e) {
    EXPECT_GT(history->training_seconds[e], 0);
    EXPECT_GT(history->validation_seconds[e], 0);
    EXPECT_DOUBLE_EQ(history->seconds_per_step[e], history->training_seconds[e] / 3);
  }
}

// A batch norm trains on batch statistics: Backward moves its running
// statistics as PyTorch's forward in train() does (0.9·old + 0.1·batch),
// the optimizer's step leaves them alone even with weight decay, and
// Predict, the inference form, normalises with them.
TEST(Trainer, BatchNormRunningStatisticsMoveInBackwardNotInStep) {
  Model model("bn");
  Var x = model.Input("x", {dims::N, 2});
  model.Output("prediction", nn::BatchNorm(model, "bn", 2)(x));
  Trainer trainer(model);
  ASSERT_TRUE(trainer
                  .Compile(std::make_unique<Sgd>(SgdOptions().lr(0.1).weight_decay(0.5)),
                           [](Var p, Var y) { return losses::MeanSquaredError(p, y); }, {})
                  .ok());
  const TensorMap batch = {{"x", Tensor({4, 2}, {1, 10, 2, 20, 3, 30, 6, 40})},
                           {"y", Tensor({4, 2}, {0, 0, 1, 1, 0, 0, 1, 1})}};
  ASSERT_TRUE(trainer.Backward(batch).ok());
  // Batch means 3 and 25; unbiased variances 14/3 and 500/3.
  ExpectAllClose(trainer.weights().at("bn.running_mean"), Tensor({2}, {0.3f, 2.5f}), 1e-6, 0);
  const Tensor running_var({2}, {0.9f + 0.1f * 14 / 3, 0.9f + 0.1f * 500 / 3});
  ExpectAllClose(trainer.weights().at("bn.running_var"), running_var, 1e-6, 0);
  EXPECT_EQ(trainer.gradients().count("grad.bn.running_mean"), 0u);
  const Tensor after_backward = trainer.weights().at("bn.running_var");
  ASSERT_TRUE(trainer.Step().ok());
  ExpectAllClose(trainer.weights().at("bn.running_var"), after_backward, 0, 0);
  EXPECT_NE(trainer.weights().at("bn.weight").values(), (std::vector<float>{1, 1}));

  absl::StatusOr<Tensor> predicted = trainer.Predict({{"x", Tensor({1, 2}, {0.3f, 2.5f})}});
  ASSERT_TRUE(predicted.ok()) << predicted.status();
  // x = running mean: (x - mean)/sd·γ + β is β, the stepped bias.
  ExpectAllClose(*predicted, Tensor({1, 2}, trainer.weights().at("bn.bias").values()), 1e-6,
                 1e-6);
}

TEST(Trainer, EvaluateInBatchesIsTheFullSetMeanAndPredictGivesLogits) {
  const Dataset data = SignData(11, 8);
  Model model("sign");
  BuildSignGru(model);
  Trainer trainer(model);
  ASSERT_TRUE(CompileSignGru(trainer).ok());
  absl::StatusOr<MetricValues> batched = trainer.Evaluate(data, 4);
  absl::StatusOr<MetricValues> whole = trainer.Evaluate(data, 11);
  ASSERT_TRUE(batched.ok()) << batched.status();
  ASSERT_TRUE(whole.ok());
  ASSERT_EQ(batched->size(), 2u);
  EXPECT_EQ((*batched)[1].first, "accuracy");
  EXPECT_NEAR((*batched)[0].second, (*whole)[0].second, 1e-6);
  EXPECT_NEAR((*batched)[1].second, (*whole)[1].second, 1e-6);
  absl::StatusOr<Tensor> logits = trainer.Predict({{"x", data.Gather({0, 1, 2}).at("x")}});
  ASSERT_TRUE(logits.ok()) << logits.status();
  EXPECT_EQ(logits->shape(), (std::vector<int64_t>{3, 2}));
}

// From zero weights, one SGD step of lr 1 moves the weights by exactly the
// clipped gradient, whose global norm is the limit.
TEST(Trainer, FitClipsGradientsToTheGlobalNorm) {
  Model model("linear");
  BuildLinearRegression(model);
  Trainer trainer(model);
  ASSERT_TRUE(trainer
                  .Compile(std::make_unique<Sgd>(SgdOptions().lr(1)),
                           [](Var p, Var y) { return losses::MeanSquaredError(p, y); }, {})
                  .ok());
  FitOptions options = Quiet(1, 8);
  options.clip_global_norm = 1e-3;
  ASSERT_TRUE(trainer.Fit(LinearRegressionData(), options).ok());
  double sum_of_squares = 0;
  for (const auto& [name, weight] : trainer.weights()) {
    for (float w : weight.values()) sum_of_squares += double{w} * w;
  }
  EXPECT_NEAR(std::sqrt(sum_of_squares), 1e-3, 1e-8);
}

TEST(Trainer, FitPrintsOnePlainLinePerEpochWhenNotATerminal) {
  Model model("linear");
  BuildLinearRegression(model);
  Trainer trainer(model);
  ASSERT_TRUE(trainer
                  .Compile(std::make_unique<Sgd>(SgdOptions().lr(0.1)),
                           [](Var p, Var y) { return losses::MeanSquaredError(p, y); }, {})
                  .ok());
  std::ostringstream out;
  FitOptions options = Quiet(2, 3);
  options.progress = ProgressStyle::kAuto;  // not std::cout: plain lines
  options.out = &out;
  const Dataset data = LinearRegressionData();
  options.validation = &data;
  ASSERT_TRUE(trainer.Fit(data, options).ok());
  const std::string text = out.str();
  EXPECT_TRUE(text.starts_with("Epoch 1/2 - 3/3 - ")) << text;
  EXPECT_TRUE(absl::StrContains(text, "/step - loss: ")) << text;
  EXPECT_TRUE(absl::StrContains(text, " - val_loss: ")) << text;
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 2);
  EXPECT_EQ(text.find('\r'), std::string::npos);
}

}  // namespace
}  // namespace rnnc::training
