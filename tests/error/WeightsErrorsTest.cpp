// Weights that do not fit a model are rejected with one message that names
// every missing, mis-shaped and unexpected tensor, as PyTorch's strict
// load_state_dict does.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ir/Graph.h"
#include "runtime/Weights.h"

namespace rnnc {
namespace {

using testing::HasSubstr;

ir::Graph SmallClassifier() {
  ir::Graph graph("classifier");
  graph.AddInput("x", std::vector<ir::Dim>{ir::Dim::Symbol("T"), ir::Dim::Symbol("N"), 50});
  graph.AddParam("gru1.bias_hh_l0", std::vector<ir::Dim>{384});
  graph.AddParam("dense.weight", std::vector<ir::Dim>{1, 64});
  graph.AddParam("dense.bias", std::vector<ir::Dim>{1});
  return graph;
}

TensorMap MatchingWeights() {
  return {{"gru1.bias_hh_l0", Tensor({384})},
          {"dense.weight", Tensor({1, 64})},
          {"dense.bias", Tensor({1})}};
}

std::string CheckError(const ir::Graph& graph, const TensorMap& weights) {
  absl::Status status = CheckWeights(graph, weights);
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  return std::string(status.message());
}

TEST(WeightsErrors, MatchingWeightsPass) {
  EXPECT_TRUE(CheckWeights(SmallClassifier(), MatchingWeights()).ok());
  EXPECT_TRUE(CheckWeights(ir::Graph("empty"), {}).ok());
}

TEST(WeightsErrors, Missing) {
  TensorMap weights = MatchingWeights();
  weights.erase("gru1.bias_hh_l0");
  EXPECT_EQ(
      CheckError(SmallClassifier(), weights),
      "weights do not match model 'classifier': missing 'gru1.bias_hh_l0' (expected f32[384])");
}

TEST(WeightsErrors, MisShaped) {
  TensorMap weights = MatchingWeights();
  weights["dense.weight"] = Tensor({2, 64});
  weights["dense.bias"] = Tensor({1, 1});
  std::string message = CheckError(SmallClassifier(), weights);
  EXPECT_THAT(message, HasSubstr("'dense.weight' has shape [2, 64], expected f32[1, 64]"));
  EXPECT_THAT(message, HasSubstr("'dense.bias' has shape [1, 1], expected f32[1]"));
}

TEST(WeightsErrors, Unexpected) {
  TensorMap weights = MatchingWeights();
  weights["foo"] = Tensor({3});
  EXPECT_EQ(CheckError(SmallClassifier(), weights),
            "weights do not match model 'classifier': unexpected 'foo' (shape [3])");
}

// An input's name is not a weight's: weights named after inputs are unexpected.
TEST(WeightsErrors, InputIsNotAWeight) {
  TensorMap weights = MatchingWeights();
  weights["x"] = Tensor({5, 2, 50});
  EXPECT_THAT(CheckError(SmallClassifier(), weights),
              HasSubstr("unexpected 'x' (shape [5, 2, 50])"));
}

TEST(WeightsErrors, EveryProblemInOneMessage) {
  TensorMap weights = MatchingWeights();
  weights.erase("gru1.bias_hh_l0");
  weights["dense.weight"] = Tensor({2, 64});
  weights["foo"] = Tensor({3});
  EXPECT_THAT(CheckError(SmallClassifier(), weights),
              HasSubstr("weights do not match model 'classifier': missing 'gru1.bias_hh_l0' "
                        "(expected f32[384]); 'dense.weight' has shape [2, 64], expected "
                        "f32[1, 64]; unexpected 'foo'"));
}

// A state_dict saved from a wrapping module carries a prefix: every name is
// both missing and unexpected, which the message shows side by side.
TEST(WeightsErrors, PrefixedStateDict) {
  TensorMap weights;
  for (auto& [name, tensor] : MatchingWeights()) weights["model." + name] = tensor;
  std::string message = CheckError(SmallClassifier(), weights);
  EXPECT_THAT(message, HasSubstr("missing 'dense.bias' (expected f32[1])"));
  EXPECT_THAT(message, HasSubstr("unexpected 'model.dense.bias' (shape [1])"));
}

TEST(WeightsErrors, SymbolicParamDimAcceptsAnySize) {
  ir::Graph graph("symbolic");
  graph.AddParam("table", std::vector<ir::Dim>{ir::Dim::Symbol("V"), 4});
  EXPECT_TRUE(CheckWeights(graph, {{"table", Tensor({10, 4})}}).ok());
  EXPECT_THAT(CheckError(graph, {{"table", Tensor({10, 5})}}),
              HasSubstr("'table' has shape [10, 5], expected f32[V, 4]"));
}

}  // namespace
}  // namespace rnnc
