// Executable::Run(inputs, outputs) on every backend: outputs kept from one
// call to the next are written in place (same buffer, no allocation), the
// values equal a fresh run's, entries of the wrong shape are replaced, and
// a scalar output into a fresh map has its value.
#include <cmath>
#include <functional>
#include <memory>
#include <string>

#include "backends/interp/Interpreter.h"
#include "backends/llvm/LlvmBackend.h"
#include "backends/onednn/OnednnBackend.h"
#include "frontend/DSL.h"
#include "frontend/Losses.h"
#include "gtest/gtest.h"
#include "tests/TestTensors.h"

namespace rnnc {
namespace {

using Compile =
    std::function<absl::StatusOr<std::unique_ptr<Executable>>(const ir::Graph&, TensorMap)>;

struct NamedBackend {
  std::string name;
  Compile compile;
};

std::vector<NamedBackend> Backends() {
  return {
      {"interp",
       [](const ir::Graph& graph, TensorMap weights) {
         return interp::CompileForInterpreter(graph, std::move(weights));
       }},
      {"onednn", onednn::CompileForOnednn},
      {"llvm",
       [](const ir::Graph& graph, TensorMap weights) {
         return llvm_backend::CompileForLlvm(graph, std::move(weights));
       }},
  };
}

class CallerOutputsTest : public testing::TestWithParam<NamedBackend> {};

// An LSTM whose sequence output (T, N, H) is the large result, and its
// final state.
struct LstmModel {
  ir::Graph graph;
  TensorMap weights;
};

LstmModel MakeLstm() {
  Model m("lstm", 7);
  Var x = m.Input("x", {dims::T, dims::N, 5});
  nn::LSTMOptions options(5, 6);
  nn::RecurrentOutputs lstm = nn::LSTM(m, "lstm", options).Forward(x);
  m.Output("y", lstm.output);
  m.Output("h_n", lstm.h_n);
  absl::StatusOr<ir::Graph> graph = m.Build();
  EXPECT_TRUE(graph.ok()) << graph.status();
  return {*std::move(graph), m.weights()};
}

TEST_P(CallerOutputsTest, KeptOutputsAreWrittenInPlaceWithFreshRunValues) {
  LstmModel model = MakeLstm();
  absl::StatusOr<std::unique_ptr<Executable>> executable =
      GetParam().compile(model.graph, model.weights);
  ASSERT_TRUE(executable.ok()) << executable.status();

  TensorMap outputs;
  outputs["unrelated"] = Tensor({2}, {1.5f, -2.5f});
  const TensorMap first_inputs = {{"x", RandomTensor({4, 3, 5}, 1)}};
  ASSERT_TRUE((*executable)->Run(first_inputs, outputs).ok());
  const float* y_buffer = outputs.at("y").data();
  const float* h_n_buffer = outputs.at("h_n").data();

  // Other inputs of the same shape: the same buffers, the new values.
  const TensorMap second_inputs = {{"x", RandomTensor({4, 3, 5}, 2)}};
  ASSERT_TRUE((*executable)->Run(second_inputs, outputs).ok());
  EXPECT_EQ(outputs.at("y").data(), y_buffer);
  EXPECT_EQ(outputs.at("h_n").data(), h_n_buffer);
  absl::StatusOr<TensorMap> fresh = (*executable)->Run(second_inputs);
  ASSERT_TRUE(fresh.ok()) << fresh.status();
  ExpectAllClose(outputs.at("y"), fresh->at("y"), 0, 0);
  ExpectAllClose(outputs.at("h_n"), fresh->at("h_n"), 0, 0);
  EXPECT_EQ(outputs.at("unrelated").values(), (std::vector<float>{1.5f, -2.5f}));

  // A kept tensor of the wrong shape (another T) is replaced, not overrun.
  const TensorMap longer = {{"x", RandomTensor({6, 3, 5}, 3)}};
  ASSERT_TRUE((*executable)->Run(longer, outputs).ok());
  EXPECT_EQ(outputs.at("y").shape(), (std::vector<int64_t>{6, 3, 6}));
  absl::StatusOr<TensorMap> fresh_longer = (*executable)->Run(longer);
  ASSERT_TRUE(fresh_longer.ok()) << fresh_longer.status();
  ExpectAllClose(outputs.at("y"), fresh_longer->at("y"), 0, 0);
}

// A scalar output (a loss, say) into a fresh map: the default Tensor an
// absent entry starts as has shape [] but no element, and must not be
// taken for a scalar.
TEST_P(CallerOutputsTest, AScalarOutputIntoAFreshMapHoldsItsValue) {
  Model m("total");
  Var x = m.Input("x", {dims::N, 3});
  m.Output("total", ReduceSum(x, {0, 1}));
  absl::StatusOr<ir::Graph> graph = m.Build();
  ASSERT_TRUE(graph.ok()) << graph.status();
  absl::StatusOr<std::unique_ptr<Executable>> executable = GetParam().compile(*graph, {});
  ASSERT_TRUE(executable.ok()) << executable.status();
  TensorMap outputs;
  ASSERT_TRUE((*executable)->Run({{"x", Tensor({2, 3}, {1, 2, 3, 4, 5, 6})}}, outputs).ok());
  ASSERT_EQ(outputs.at("total").num_elements(), 1);
  EXPECT_EQ(outputs.at("total").data()[0], 21.0f);
}

// Outputs that are an input, one value under two names, or a value of the
// params alone each hold it, run after run: the LLVM backend writes an
// output each run computes straight into the caller's tensor, and copies
// the others (rnnc_prepare computes the params' tanh once, into a buffer
// of its own).
TEST_P(CallerOutputsTest, InputsParamValuesAndRepeatedOutputsHoldTheirValues) {
  Model m("passthrough");
  Var x = m.Input("x", {dims::N, 3});
  Var w = m.Param("w", {3}, Initializer::Constant(0.5));
  Var y = Tanh(x);
  m.Output("x_again", x);
  m.Output("y", y);
  m.Output("y_again", y);
  m.Output("tanh_w", Tanh(w));
  absl::StatusOr<ir::Graph> graph = m.Build();
  ASSERT_TRUE(graph.ok()) << graph.status();
  absl::StatusOr<std::unique_ptr<Executable>> executable =
      GetParam().compile(*graph, m.weights());
  ASSERT_TRUE(executable.ok()) << executable.status();
  const Tensor x_value({2, 3}, {-1, 0, 1, 2, 3, 4});
  TensorMap outputs;
  for (int run = 0; run < 2; ++run) {
    ASSERT_TRUE((*executable)->Run({{"x", x_value}}, outputs).ok());
    EXPECT_EQ(outputs.at("x_again").values(), x_value.values());
    ASSERT_EQ(outputs.at("y").num_elements(), 6);
    EXPECT_NEAR(outputs.at("y").data()[0], std::tanh(-1.0f), 1e-6);
    EXPECT_NEAR(outputs.at("y").data()[5], std::tanh(4.0f), 1e-6);
    EXPECT_EQ(outputs.at("y_again").values(), outputs.at("y").values());
    ASSERT_EQ(outputs.at("tanh_w").num_elements(), 3);
    EXPECT_NEAR(outputs.at("tanh_w").data()[2], std::tanh(0.5f), 1e-6);
  }
}

INSTANTIATE_TEST_SUITE_P(EveryBackend, CallerOutputsTest, testing::ValuesIn(Backends()),
                         [](const testing::TestParamInfo<NamedBackend>& info) {
                           return info.param.name;
                         });

}  // namespace
}  // namespace rnnc
