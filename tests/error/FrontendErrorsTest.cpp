// DSL misuse is an error value from Model::Build or SetWeights, naming the
// op or tensor and the shapes, never a crash.
#include "frontend/DSL.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace rnnc {
namespace {

using dims::N;
using dims::T;
using ::testing::AllOf;
using ::testing::HasSubstr;

std::string BuildError(const Model& m) {
  absl::StatusOr<ir::Graph> graph = m.Build();
  EXPECT_FALSE(graph.ok());
  return std::string(graph.status().message());
}

TEST(FrontendErrors, LayerInputOfTheWrongWidth) {
  Model m("m");
  Var x = m.Input("x", {T, N, 49});
  m.Output("y", nn::GRU(m, "gru1", nn::GRUOptions(50, 128))(x));
  EXPECT_THAT(BuildError(m), AllOf(HasSubstr("gru"), HasSubstr("49"), HasSubstr("50")));
}

TEST(FrontendErrors, FirstErrorIsKeptAndLaterOpsAreSkipped) {
  Model m("m");
  Var x = m.Input("x", {T, N, 4});
  Var w = m.Param("w", {3, 5}, Initializer::Constant(1));
  Var bad = Matmul(x, w, /*transpose_b=*/true);  // (.., 4) x (5, 3)^T: K differs
  EXPECT_FALSE(bad.valid());
  m.Output("y", Tanh(bad) + 1.0);
  EXPECT_THAT(BuildError(m), AllOf(HasSubstr("matmul"), HasSubstr("f32[3, 5]")));
}

TEST(FrontendErrors, UnknownActivation) {
  Model m("m");
  Var x = m.Input("x", {N, 4});
  m.Output("y", nn::Dense(m, "d", nn::DenseOptions(4, 2).activation("swish"))(x));
  EXPECT_THAT(BuildError(m), HasSubstr("unknown activation 'swish'"));
}

TEST(FrontendErrors, TwoLayersWithTheSameName) {
  Model m("m");
  Var x = m.Input("x", {N, 4});
  Var y = nn::Dense(m, "d", nn::DenseOptions(4, 4))(x);
  m.Output("y", nn::Dense(m, "d", nn::DenseOptions(4, 4))(y));
  EXPECT_THAT(BuildError(m), HasSubstr("parameter 'd.weight' is defined twice"));
}

TEST(FrontendErrors, ScanBodyReturnsTheWrongNumberOfStates) {
  Model m("m");
  Var x = m.Input("x", {T, N, 4});
  Var h0 = m.Full({N, 4}, 0.0);
  ScanResult r = Scan({x}, {h0}, [](const Vars& in, const Vars&) { return ScanStep{{}, {in[0]}}; });
  EXPECT_TRUE(r.outputs.empty());
  EXPECT_THAT(BuildError(m), HasSubstr("returned 0 carried states for 1"));
}

TEST(FrontendErrors, ScanCarryChangesType) {
  Model m("m");
  Var x = m.Input("x", {T, N, 4});
  Var h0 = m.Full({N, 4}, 0.0);
  Scan({x}, {h0}, [](const Vars& in, const Vars&) {
    return ScanStep{{Concat({in[0], in[0]})}, {}};  // (N, 8) for an (N, 4) state
  });
  EXPECT_THAT(BuildError(m), AllOf(HasSubstr("scan"), HasSubstr("f32[N, 8]"), HasSubstr("f32[N, 4]")));
}

TEST(FrontendErrors, LstmCellStateWithoutHiddenState) {
  Model m("m");
  Var x = m.Input("x", {T, N, 4});
  Var c0 = m.Input("c0", {1, N, 4});
  nn::LSTM(m, "l", nn::LSTMOptions(4, 4)).Forward(x, {Var(), c0});
  EXPECT_THAT(BuildError(m), HasSubstr("c0 given without h0"));
}

TEST(FrontendErrors, WeightsOfTheWrongShapeAreRefusedByName) {
  Model m("m");
  Var x = m.Input("x", {N, 4});
  m.Output("y", nn::Dense(m, "head", nn::DenseOptions(4, 2))(x));
  TensorMap weights = m.weights();
  weights["head.weight"] = Tensor({2, 5});
  absl::Status status = m.SetWeights(weights);
  EXPECT_THAT(status.message(), AllOf(HasSubstr("head.weight"), HasSubstr("[2, 5]")));
  weights.erase("head.weight");
  EXPECT_THAT(m.SetWeights(weights).message(), HasSubstr("missing 'head.weight'"));
}

}  // namespace
}  // namespace rnnc
