// Wrong inputs and weights through the oneDNN backend give the same errors
// the interpreter gives, naming the input and shapes, never a crash; and an
// executable that has refused a bad input still runs good ones, at the
// shapes it has cached and at new ones.
#include "backends/onednn/OnednnBackend.h"
#include "frontend/DSL.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/TestTensors.h"

namespace rnnc {
namespace {

using dims::N;
using dims::T;
using testing::HasSubstr;

// An LSTM of 2 bidirectional layers, x (T, N, 3), h0 and c0 (4, N, 5).
struct LstmModel {
  ir::Graph graph;
  TensorMap weights;
};

LstmModel MakeLstm() {
  Model model("lstm", 3);
  Var x = model.Input("x", {T, N, 3});
  Var h0 = model.Input("h0", {4, N, 5});
  Var c0 = model.Input("c0", {4, N, 5});
  nn::LSTM lstm(model, "lstm", nn::LSTMOptions(3, 5).num_layers(2).bidirectional(true));
  nn::RecurrentOutputs outputs = lstm.Forward(x, {h0, c0});
  model.Output("y", outputs.output);
  model.Output("h_n", outputs.h_n);
  absl::StatusOr<ir::Graph> graph = model.Build();
  EXPECT_TRUE(graph.ok()) << graph.status();
  return {*std::move(graph), model.weights()};
}

TensorMap Inputs(int64_t steps, int64_t batch) {
  return {{"x", RandomTensor({steps, batch, 3}, 1)},
          {"h0", RandomTensor({4, batch, 5}, 2)},
          {"c0", RandomTensor({4, batch, 5}, 3)}};
}

class OnednnErrors : public testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<std::unique_ptr<Executable>> compiled =
        onednn::CompileForOnednn(model_.graph, model_.weights);
    ASSERT_TRUE(compiled.ok()) << compiled.status();
    executable_ = *std::move(compiled);
    // Caches the primitives for (T, N) = (4, 2) before anything goes wrong.
    ASSERT_TRUE(executable_->Run(Inputs(4, 2)).ok());
  }

  std::string RunError(const TensorMap& inputs) {
    absl::StatusOr<TensorMap> outputs = executable_->Run(inputs);
    EXPECT_FALSE(outputs.ok());
    return std::string(outputs.status().message());
  }

  LstmModel model_ = MakeLstm();
  std::unique_ptr<Executable> executable_;
};

TEST_F(OnednnErrors, InputWithTheWrongFeatureCount) {
  TensorMap inputs = Inputs(4, 2);
  inputs["x"] = RandomTensor({4, 2, 4}, 1);
  EXPECT_THAT(RunError(inputs),
              HasSubstr("input 'x' has shape [4, 2, 4], expected f32[T, N, 3]: dim 2 is 4, "
                        "expected 3"));
}

TEST_F(OnednnErrors, InputOfTheWrongRank) {
  TensorMap inputs = Inputs(4, 2);
  inputs["x"] = RandomTensor({4, 6}, 1);
  EXPECT_THAT(RunError(inputs), HasSubstr("input 'x' has shape [4, 6], expected f32[T, N, 3]: "
                                          "rank 2, expected 3"));
}

TEST_F(OnednnErrors, StateWithAnotherBatchSize) {
  TensorMap inputs = Inputs(4, 2);
  inputs["h0"] = RandomTensor({4, 3, 5}, 2);
  EXPECT_THAT(RunError(inputs), HasSubstr("binds N = 3, but input"));
}

TEST_F(OnednnErrors, StateForTheWrongNumberOfLayers) {
  TensorMap inputs = Inputs(4, 2);
  inputs["c0"] = RandomTensor({2, 2, 5}, 3);
  EXPECT_THAT(RunError(inputs), HasSubstr("input 'c0' has shape [2, 2, 5], expected f32[4, N, 5]"));
}

TEST_F(OnednnErrors, MissingState) {
  TensorMap inputs = Inputs(4, 2);
  inputs.erase("c0");
  EXPECT_THAT(RunError(inputs), HasSubstr("missing input 'c0' (expected f32[4, N, 5])"));
}

TEST_F(OnednnErrors, InputWithFewerValuesThanItsShape) {
  TensorMap inputs = Inputs(4, 2);
  inputs["x"].values().resize(5);
  EXPECT_THAT(RunError(inputs), HasSubstr("'x' has 5 values for shape [4, 2, 3]"));
}

TEST_F(OnednnErrors, GoodInputsStillRunAfterBadOnes) {
  TensorMap inputs = Inputs(4, 2);
  inputs["x"] = RandomTensor({4, 2, 4}, 1);
  EXPECT_FALSE(executable_->Run(inputs).ok());
  EXPECT_TRUE(executable_->Run(Inputs(4, 2)).ok());
  EXPECT_TRUE(executable_->Run(Inputs(1, 7)).ok());
}

TEST(OnednnCompileErrors, WeightOfTheWrongShape) {
  LstmModel model = MakeLstm();
  model.weights["lstm.weight_hh_l1"] = Tensor({20, 4});
  absl::StatusOr<std::unique_ptr<Executable>> executable =
      onednn::CompileForOnednn(model.graph, model.weights);
  ASSERT_FALSE(executable.ok());
  EXPECT_THAT(executable.status().message(), HasSubstr("lstm.weight_hh_l1"));
}

TEST(OnednnCompileErrors, MissingWeight) {
  LstmModel model = MakeLstm();
  model.weights.erase("lstm.bias_ih_l0_reverse");
  absl::StatusOr<std::unique_ptr<Executable>> executable =
      onednn::CompileForOnednn(model.graph, model.weights);
  ASSERT_FALSE(executable.ok());
  EXPECT_THAT(executable.status().message(), HasSubstr("lstm.bias_ih_l0_reverse"));
}

}  // namespace
}  // namespace rnnc
