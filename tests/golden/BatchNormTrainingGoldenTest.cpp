// TrainingForm against PyTorch: one step of nn.BatchNorm1d in train()
// mode (gen_gradients.py's batch_norm_training.safetensors, float64), over a
// sequence (T, N, C) and a batch (N, C). The training form, run by the
// interpreter, must give PyTorch's output and running statistics after the
// step, and its gradient graph PyTorch's ∂L/∂x, ∂L/∂weight, ∂L/∂bias for
// L = Σ y·r.
#include <string>

#include "backends/interp/Interpreter.h"
#include "frontend/DSL.h"
#include "frontend/Losses.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runtime/Safetensors.h"
#include "tests/TestTensors.h"
#include "tests/golden/GoldenCase.h"
#include "training/Differentiate.h"
#include "training/StatisticsUpdates.h"
#include "training/TrainingForm.h"

namespace rnnc::golden {
namespace {

constexpr double kRelativeTolerance = 1e-5;
constexpr double kGradientRelativeTolerance = 1e-4;
constexpr double kAbsoluteTolerance = 1e-6;

struct Case {
  std::string prefix;
  std::vector<ir::Dim> shape;  // of x
  double momentum;
};

class BatchNormTrainingTest : public testing::TestWithParam<Case> {
 protected:
  const Tensor& Golden(const std::string& name) const {
    return file_.tensors.at(GetParam().prefix + "." + name);
  }

  void SetUp() override {
    absl::StatusOr<SafetensorsFile> file =
        ReadSafetensors(GoldenDataDirectory() + "/gradients/batch_norm_training.safetensors");
    ASSERT_TRUE(file.ok()) << file.status() << "; run tests/golden/gen_gradients.py";
    file_ = *std::move(file);

    // y = bn(x) in the training form, and the loss L = Σ y·r.
    Model m("bn_step", 1);
    Var x = m.Input("x", GetParam().shape);
    Var r = m.Input("r", GetParam().shape);
    Var y = nn::BatchNorm(m, "bn", 4, 1e-5, GetParam().momentum)(x);
    std::vector<int64_t> axes;
    for (size_t i = 0; i < GetParam().shape.size(); ++i) axes.push_back(static_cast<int64_t>(i));
    m.Output("y", y);
    m.Output("loss", ReduceSum(y * r, axes));
    absl::StatusOr<ir::Graph> eval = m.Build();
    ASSERT_TRUE(eval.ok()) << eval.status();
    train_ = training::TrainingForm(*eval);
    for (const char* name : {"weight", "bias", "running_mean", "running_var"}) {
      weights_[std::string("bn.") + name] = Golden(name);
    }
    inputs_ = {{"x", Golden("x")}, {"r", Golden("r")}};
  }

  SafetensorsFile file_;
  ir::Graph train_{"unset"};
  TensorMap weights_;
  TensorMap inputs_;
};

TEST_P(BatchNormTrainingTest, OutputAndRunningStatisticsMatchPyTorch) {
  absl::StatusOr<std::unique_ptr<Executable>> executable =
      interp::CompileForInterpreter(train_, weights_);
  ASSERT_TRUE(executable.ok()) << executable.status();
  absl::StatusOr<TensorMap> outputs = (*executable)->Run(inputs_);
  ASSERT_TRUE(outputs.ok()) << outputs.status();
  ExpectAllClose(outputs->at("y"), Golden("y"), kRelativeTolerance, kAbsoluteTolerance);
  ExpectAllClose(outputs->at("update.bn.running_mean"), Golden("next.running_mean"),
                 kRelativeTolerance, kAbsoluteTolerance);
  ExpectAllClose(outputs->at("update.bn.running_var"), Golden("next.running_var"),
                 kRelativeTolerance, kAbsoluteTolerance);

  // Written back, they are the weights after the step; the affine
  // parameters are the optimizer's, not touched here.
  EXPECT_THAT(training::AssignedParams(train_),
              testing::ElementsAre("bn.running_mean", "bn.running_var"));
  TensorMap weights = weights_;
  ASSERT_TRUE(training::ApplyStatisticsUpdates(*outputs, weights).ok());
  ExpectAllClose(weights.at("bn.running_mean"), Golden("next.running_mean"), kRelativeTolerance,
                 kAbsoluteTolerance);
  ExpectAllClose(weights.at("bn.weight"), Golden("weight"), 0, 0);
  TensorMap mismatched = {{"bn.running_mean", Tensor({3})}, {"bn.running_var", Tensor({4})}};
  absl::Status status = training::ApplyStatisticsUpdates(*outputs, mismatched);
  EXPECT_THAT(status.message(), testing::HasSubstr("weight 'bn.running_mean' has [3]"));
}

TEST_P(BatchNormTrainingTest, GradientsMatchPyTorch) {
  training::DifferentiateOptions options;
  options.input_gradients = true;
  absl::StatusOr<ir::Graph> gradients = training::Differentiate(train_, options);
  ASSERT_TRUE(gradients.ok()) << gradients.status();
  absl::StatusOr<std::unique_ptr<Executable>> executable =
      interp::CompileForInterpreter(*gradients, weights_);
  ASSERT_TRUE(executable.ok()) << executable.status();
  absl::StatusOr<TensorMap> outputs = (*executable)->Run(inputs_);
  ASSERT_TRUE(outputs.ok()) << outputs.status();
  for (const char* name : {"x", "bn.weight", "bn.bias"}) {
    SCOPED_TRACE(name);
    const std::string golden = std::string("grad.") + (name[0] == 'b' ? name + 3 : name);
    ExpectAllClose(outputs->at(std::string("grad.") + name), Golden(golden),
                   kGradientRelativeTolerance, kAbsoluteTolerance);
  }
  // The running statistics do not reach the loss in training mode.
  for (const char* name : {"bn.running_mean", "bn.running_var"}) {
    ExpectAllClose(outputs->at(std::string("grad.") + name), Tensor({4}), 0, 0);
  }
}

INSTANTIATE_TEST_SUITE_P(PyTorch, BatchNormTrainingTest,
                         testing::Values(Case{"seq", {dims::T, dims::N, 4}, 0.1},
                                         Case{"flat", {dims::N, 4}, 0.25}),
                         [](const testing::TestParamInfo<Case>& info) {
                           return info.param.prefix;
                         });

}  // namespace
}  // namespace rnnc::golden
