// differentiate's backpropagation through time against finite differences:
// RNN, LSTM and GRU cells written from primitives (forward and reverse, with
// initial states as inputs), a scan nested in a scan, and the layer ops
// through expand-rnn-layers (stacked, bidirectional, both GRU resets, merge
// modes, initial states). GradientCheck.h says how and with what tolerance.
// Also truncated BPTT: a window as long as the sequence changes no weight
// gradient and cuts the initial state's.
#include <array>

#include "absl/strings/str_cat.h"
#include "frontend/DSL.h"
#include "ir/Parser.h"
#include "passes/PassManager.h"
#include "absl/strings/str_join.h"
#include "gtest/gtest.h"
#include "tests/TestTensors.h"
#include "tests/correctness/GradientCheck.h"

namespace rnnc {
namespace {

using dims::N;
using dims::T;

constexpr int64_t kInput = 2;
constexpr int64_t kHidden = 3;
const std::map<std::string, std::vector<int64_t>> kShapes = {
    {"x", {4, 2, kInput}}, {"h0", {2, kHidden}}, {"c0", {2, kHidden}}};

enum class Cell { kRnn, kLstm, kGruResetBefore };

// y = hs + h_T: the stacked outputs and, broadcast over T, the final state,
// so that both kinds of scan result carry a gradient.
GradientCheck CellCheck(Cell cell, bool reverse) {
  Model m("cell");
  Var x = m.Input("x", {T, N, kInput});
  Var h0 = m.Input("h0", {N, kHidden});
  Var c0 = cell == Cell::kLstm ? m.Input("c0", {N, kHidden}) : Var();
  const Initializer init = Initializer::Uniform(0.5);
  auto gate = [&](const std::string& name) {
    return std::array<Var, 3>{m.Param(name + ".w", {kHidden, kInput}, init),
                              m.Param(name + ".u", {kHidden, kHidden}, init),
                              m.Param(name + ".b", {kHidden}, init)};
  };
  // W x + U h + b
  auto affine = [](const std::array<Var, 3>& g, Var x_t, Var h) {
    return Matmul(x_t, g[0], true) + Matmul(h, g[1], true) + g[2];
  };
  ScanResult result;
  if (cell == Cell::kRnn) {
    auto g = gate("rnn");
    result = Scan({x}, {h0}, [&](const Vars& in, const Vars& state) {
      Var h = Tanh(affine(g, in[0], state[0]));
      return ScanStep{{h}, {h}};
    }, reverse);
  } else if (cell == Cell::kLstm) {
    auto i = gate("i"), f = gate("f"), gg = gate("g"), o = gate("o");
    result = Scan({x}, {h0, c0}, [&](const Vars& in, const Vars& state) {
      Var c = Sigmoid(affine(f, in[0], state[0])) * state[1] +
              Sigmoid(affine(i, in[0], state[0])) * Tanh(affine(gg, in[0], state[0]));
      Var h = Sigmoid(affine(o, in[0], state[0])) * Tanh(c);
      return ScanStep{{h, c}, {h}};
    }, reverse);
  } else {
    // n = tanh(W_n x + U_n (r * h) + b_n), h' = z h + (1 - z) n.
    auto r = gate("r"), z = gate("z"), n = gate("n");
    result = Scan({x}, {h0}, [&](const Vars& in, const Vars& state) {
      Var h = state[0];
      Var reset = Sigmoid(affine(r, in[0], h));
      Var update = Sigmoid(affine(z, in[0], h));
      Var candidate = Tanh(affine(n, in[0], reset * h));
      Var next = update * h + (1.0 - update) * candidate;
      return ScanStep{{next}, {next}};
    }, reverse);
  }
  m.Output("y", result.outputs[0] + result.carries[0]);
  absl::StatusOr<ir::Graph> graph = m.Build();
  EXPECT_TRUE(graph.ok()) << graph.status();
  GradientCheck check;
  if (graph.ok()) check.forward = *std::move(graph);
  check.input_shapes = kShapes;
  return check;
}

class GradientCellCheck : public testing::TestWithParam<std::tuple<Cell, bool>> {};

TEST_P(GradientCellCheck, MatchesFiniteDifferences) {
  const auto [cell, reverse] = GetParam();
  ExpectGradientsMatchFiniteDifferences(CellCheck(cell, reverse));
}

INSTANTIATE_TEST_SUITE_P(Cells, GradientCellCheck,
                         testing::Combine(testing::Values(Cell::kRnn, Cell::kLstm,
                                                          Cell::kGruResetBefore),
                                          testing::Bool()));

// The inner scan runs over a param's rows for every outer step and reads
// the outer step's slice: gradients cross two levels of captured values.
TEST(GradientScanCheck, NestedScans) {
  ExpectGradientsMatchFiniteDifferences(R"(graph g {
  input %x: f32[3, 2, 2]
  input %h0: f32[2, 2]
  param %p: f32[4, 2]
  %h_T: f32[2, 2], %hs: f32[3, 2, 2] = scan(%h0, %x) {carries = 1, reverse = false} {
    ^(%h: f32[2, 2], %x_t: f32[2, 2]):
    %c_T: f32[2, 2], %cs: f32[4, 2, 2] = scan(%h, %p) {carries = 1, reverse = true} {
      ^(%c: f32[2, 2], %p_s: f32[2]):
      %cp: f32[2, 2] = mul(%c, %p_s)
      %s: f32[2, 2] = add(%cp, %x_t)
      %c_next: f32[2, 2] = tanh(%s)
      yield(%c_next, %c_next)
    }
    yield(%c_T, %c_T)
  }
  output %y = %hs
}
)");
}

// The layer ops, as PyTorch weighs them; expand-rnn-layers turns each into
// scans first.
std::string LayerGraph(const std::string& op, int64_t gates, const std::string& attributes,
                       int64_t layers, int64_t directions, bool initial_states,
                       int64_t output_width) {
  std::string text = "graph g {\n  input %x: f32[T, N, 2]\n";
  std::string operands = "%x";
  for (int64_t l = 0; l < layers; ++l) {
    for (int64_t d = 0; d < directions; ++d) {
      const std::string suffix = absl::StrCat("_l", l, d == 1 ? "_reverse" : "");
      const int64_t in = l == 0 ? 2 : directions * 3;
      absl::StrAppend(&text, "  param %weight_ih", suffix, ": f32[", gates * 3, ", ", in, "]\n",
                      "  param %weight_hh", suffix, ": f32[", gates * 3, ", 3]\n",
                      "  param %bias_ih", suffix, ": f32[", gates * 3, "]\n",
                      "  param %bias_hh", suffix, ": f32[", gates * 3, "]\n");
      for (const char* w : {"weight_ih", "weight_hh", "bias_ih", "bias_hh"}) {
        absl::StrAppend(&operands, ", %", w, suffix);
      }
    }
  }
  std::string results = absl::StrCat("%y: f32[T, N, ", output_width, "], %h_n: f32[",
                                     layers * directions, ", N, 3]");
  if (initial_states) {
    absl::StrAppend(&text, "  input %h0: f32[", layers * directions, ", N, 3]\n");
    absl::StrAppend(&operands, ", %h0");
    if (op == "lstm") {
      absl::StrAppend(&text, "  input %c0: f32[", layers * directions, ", N, 3]\n");
      absl::StrAppend(&operands, ", %c0");
    }
  }
  if (op == "lstm") absl::StrAppend(&results, ", %c_n: f32[", layers * directions, ", N, 3]");
  absl::StrAppend(&text, "  ", results, " = ", op, "(", operands, ") {", attributes,
                  ", hidden_size = 3, num_layers = ", layers, "}\n  output %y\n}\n");
  return text;
}

std::map<std::string, std::vector<int64_t>> LayerShapes(int64_t states) {
  return {{"x", {3, 2, 2}}, {"h0", {states, 2, 3}}, {"c0", {states, 2, 3}}};
}

TEST(GradientScanCheck, RnnLayerReverseWithInitialState) {
  ExpectGradientsMatchFiniteDifferences(
      LayerGraph("rnn", 1, R"(activation = "tanh", direction = "reverse")", 1, 1, true, 3),
      LayerShapes(1));
}

// Relu's kink lies inside the ±h steps of some pre-activation of a random
// layer, where differences mean nothing; the relu RNN is checked against
// PyTorch instead (GradientGoldenTest, grad_rnn_relu_reverse_init).
TEST(GradientScanCheck, RnnLayerStacked) {
  ExpectGradientsMatchFiniteDifferences(
      LayerGraph("rnn", 1, R"(activation = "tanh", direction = "forward")", 2, 1, false, 3),
      LayerShapes(2));
}

TEST(GradientScanCheck, LstmLayerBidirectionalStackedWithInitialStates) {
  ExpectGradientsMatchFiniteDifferences(
      LayerGraph("lstm", 4, R"(direction = "bidirectional")", 2, 2, true, 6), LayerShapes(4));
}

TEST(GradientScanCheck, GruResetAfterBidirectionalAveraged) {
  ExpectGradientsMatchFiniteDifferences(
      LayerGraph("gru", 3, R"(direction = "bidirectional", merge = "ave", reset = "after")", 1, 2,
                 true, 3),
      LayerShapes(2));
}

TEST(GradientScanCheck, GruResetBeforeStacked) {
  ExpectGradientsMatchFiniteDifferences(
      LayerGraph("gru", 3, R"(direction = "forward", reset = "before")", 2, 1, false, 3),
      LayerShapes(2));
}

// The gradient graph is IR like any other: the LLVM backend's whole
// pipeline, and hoisting right before dead-code elimination (which once left
// a dangling operand), leave every gradient as it was.
TEST(GradientScanCheck, PassesKeepTheGradients) {
  for (const std::string& layer :
       {LayerGraph("gru", 3, R"(direction = "bidirectional", reset = "after")", 2, 2, true, 6),
        LayerGraph("gru", 3, R"(direction = "forward", reset = "after")", 1, 1, false, 3)}) {
    absl::StatusOr<ir::Graph> forward = ir::ParseGraph(layer);
    ASSERT_TRUE(forward.ok()) << forward.status();
    GradientCheck check;
    check.forward = *std::move(forward);
    check.input_shapes = LayerShapes(check.forward.inputs().size() == 2 ? 4 : 1);
    check.options.input_gradients = true;
    absl::StatusOr<ir::Graph> gradients =
        training::Differentiate(WithLoss(check.forward), check.options);
    ASSERT_TRUE(gradients.ok()) << gradients.status();
    const TensorMap want = RunOnCheckData(check, *gradients);
    for (const std::vector<std::string>& pipeline :
         {passes::PipelineFor("llvm"), std::vector<std::string>{"hoist-input-projection", "dce"}}) {
      SCOPED_TRACE(absl::StrJoin(pipeline, ","));
      absl::StatusOr<ir::Graph> optimized = passes::RunPasses(*gradients, pipeline, {});
      ASSERT_TRUE(optimized.ok()) << optimized.status();
      const TensorMap got = RunOnCheckData(check, *optimized);
      ASSERT_EQ(got.size(), want.size());
      for (const auto& [name, tensor] : want) {
        SCOPED_TRACE(name);
        ExpectAllClose(got.at(name), tensor, 1e-5, 1e-6);
      }
    }
  }
}

// A window as long as the sequence leaves every weight's gradient as full
// BPTT gives it and cuts the gradient flowing into the initial state; a
// window of 1 cuts it too.
TEST(GradientScanCheck, TruncationWindows) {
  GradientCheck full = CellCheck(Cell::kRnn, /*reverse=*/false);
  full.options.input_gradients = true;
  const TensorMap want = RunGradientGraph(full);
  for (int64_t window : {4, 1}) {
    GradientCheck truncated = full;
    truncated.options.truncate_bptt = window;
    const TensorMap got = RunGradientGraph(truncated);
    ASSERT_FALSE(got.empty());
    ExpectAllClose(got.at("grad.h0"), Tensor({2, kHidden}), 0, 0);
    if (window == 4) {
      for (const char* name : {"grad.rnn.w", "grad.rnn.u", "grad.rnn.b", "grad.x"}) {
        ExpectAllClose(got.at(name), want.at(name), 1e-6, 1e-7);
      }
    }
  }
}

}  // namespace
}  // namespace rnnc
