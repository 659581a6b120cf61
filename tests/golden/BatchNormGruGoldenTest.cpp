// nn::BatchNormGRU against PyTorch (gen_gradients.py's
// batch_norm_gru.safetensors: the BN-GRU in torch ops with BatchNorm1d over
// the input projection, float64), both reset placements. The inference form
// must give PyTorch's eval() output on the interpreter and the LLVM backend;
// the training form its train() output, running statistics after the step
// and gradients; and after fold-batch-norm no batch norm is left while the
// output stays PyTorch's eval() output.
#include <string>

#include "backends/interp/Interpreter.h"
#include "backends/llvm/LlvmBackend.h"
#include "frontend/DSL.h"
#include "frontend/Losses.h"
#include "gtest/gtest.h"
#include "passes/PassManager.h"
#include "passes/PatternMatch.h"
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
constexpr int64_t kInput = 3;
constexpr int64_t kHidden = 4;

class BatchNormGruTest : public testing::TestWithParam<std::string> {
 protected:
  const Tensor& Golden(const std::string& name) const {
    return file_.tensors.at(GetParam() + "." + name);
  }

  void SetUp() override {
    absl::StatusOr<SafetensorsFile> file =
        ReadSafetensors(GoldenDataDirectory() + "/gradients/batch_norm_gru.safetensors");
    ASSERT_TRUE(file.ok()) << file.status() << "; run tests/golden/gen_gradients.py";
    file_ = *std::move(file);

    eval_ = Build(/*with_loss=*/false);
    with_loss_ = Build(/*with_loss=*/true);
    eval_inputs_ = {{"x", Golden("x")}};
    loss_inputs_ = {{"x", Golden("x")}, {"r", Golden("r")}};
  }

  // y = BN-GRU(x), and with the loss L = Σ y·r; the weights are the case's.
  ir::Graph Build(bool with_loss) {
    Model m("bn_gru", 1);
    Var x = m.Input("x", {dims::T, dims::N, kInput});
    nn::GRUOptions options(kInput, kHidden);
    options.reset(GetParam() == "after" ? nn::Reset::kAfter : nn::Reset::kBefore);
    Var y = nn::BatchNormGRU(m, "bngru", options)(x);
    m.Output("y", y);
    if (with_loss) {
      Var r = m.Input("r", {dims::T, dims::N, kHidden});
      m.Output("loss", ReduceSum(y * r, {0, 1, 2}));
    }
    absl::StatusOr<ir::Graph> graph = m.Build();
    EXPECT_TRUE(graph.ok()) << graph.status();
    for (const auto& [name, tensor] : m.weights()) {
      weights_[name] = Golden(name.substr(std::string("bngru.").size()));
    }
    return graph.ok() ? *std::move(graph) : ir::Graph("invalid");
  }

  TensorMap Run(const ir::Graph& graph, const TensorMap& inputs) {
    absl::StatusOr<std::unique_ptr<Executable>> executable =
        interp::CompileForInterpreter(graph, weights_);
    EXPECT_TRUE(executable.ok()) << executable.status();
    if (!executable.ok()) return {};
    absl::StatusOr<TensorMap> outputs = (*executable)->Run(inputs);
    EXPECT_TRUE(outputs.ok()) << outputs.status();
    return outputs.ok() ? *outputs : TensorMap();
  }

  SafetensorsFile file_;
  ir::Graph eval_{"unset"};
  ir::Graph with_loss_{"unset"};
  TensorMap weights_;
  TensorMap eval_inputs_;
  TensorMap loss_inputs_;
};

TEST_P(BatchNormGruTest, InferenceFormMatchesPyTorchEval) {
  ExpectAllClose(Run(eval_, eval_inputs_).at("y"), Golden("eval.output"), kRelativeTolerance,
                 kAbsoluteTolerance);
  absl::StatusOr<std::unique_ptr<Executable>> llvm =
      llvm_backend::CompileForLlvm(eval_, weights_);
  ASSERT_TRUE(llvm.ok()) << llvm.status();
  absl::StatusOr<TensorMap> outputs = (*llvm)->Run(eval_inputs_);
  ASSERT_TRUE(outputs.ok()) << outputs.status();
  ExpectAllClose(outputs->at("y"), Golden("eval.output"), kRelativeTolerance, kAbsoluteTolerance);
}

TEST_P(BatchNormGruTest, TrainingFormMatchesPyTorchTrain) {
  const ir::Graph train = training::TrainingForm(with_loss_);
  TensorMap outputs = Run(train, loss_inputs_);
  ExpectAllClose(outputs.at("y"), Golden("train.output"), kRelativeTolerance, kAbsoluteTolerance);
  TensorMap weights = weights_;
  ASSERT_TRUE(training::ApplyStatisticsUpdates(outputs, weights).ok());
  ExpectAllClose(weights.at("bngru.bn_ih.running_mean"), Golden("train.next.running_mean"),
                 kRelativeTolerance, kAbsoluteTolerance);
  ExpectAllClose(weights.at("bngru.bn_ih.running_var"), Golden("train.next.running_var"),
                 kRelativeTolerance, kAbsoluteTolerance);

  training::DifferentiateOptions options;
  options.input_gradients = true;
  absl::StatusOr<ir::Graph> gradients = training::Differentiate(train, options);
  ASSERT_TRUE(gradients.ok()) << gradients.status();
  TensorMap gradient_outputs = Run(*gradients, loss_inputs_);
  for (const char* name : {"weight_ih_l0", "weight_hh_l0", "bias_hh_l0", "bn_ih.weight",
                           "bn_ih.bias"}) {
    SCOPED_TRACE(name);
    ExpectAllClose(gradient_outputs.at(std::string("grad.bngru.") + name),
                   Golden(std::string("train.grad.") + name), kGradientRelativeTolerance,
                   kAbsoluteTolerance);
  }
  ExpectAllClose(gradient_outputs.at("grad.x"), Golden("train.grad.x"),
                 kGradientRelativeTolerance, kAbsoluteTolerance);
}

TEST_P(BatchNormGruTest, FoldedIntoAPlainGruKeepsTheEvalOutput) {
  absl::StatusOr<ir::Graph> folded =
      passes::RunPasses(eval_, {"fold-batch-norm"}, passes::PassOptions());
  ASSERT_TRUE(folded.ok()) << folded.status();
  EXPECT_TRUE(passes::CollectOps(folded->body(), ir::OpKind::BatchNorm).empty());
  ExpectAllClose(Run(*folded, eval_inputs_).at("y"), Golden("eval.output"), kRelativeTolerance,
                 kAbsoluteTolerance);
}

INSTANTIATE_TEST_SUITE_P(PyTorch, BatchNormGruTest, testing::Values("after", "before"));

}  // namespace
}  // namespace rnnc::golden
