// Passes against the interpreter on graphs the golden cases do not have:
// batch norms next to dense and recurrent layers, cells written in the DSL
// (the classic LSTM on [h, x], the GRU on PyTorch's layout in both reset
// placements), with random weights and inputs. Every pass, each pipeline and
// unrolling must leave the outputs within 1e-5 relative + 1e-6 absolute of
// the original graph's. The golden cases are run the same way in
// tests/golden/PassGoldenTest.cpp.
#include <algorithm>
#include <cmath>
#include <functional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "backends/interp/Interpreter.h"
#include "frontend/DSL.h"
#include "gtest/gtest.h"
#include "ir/Parser.h"
#include "ir/Printer.h"
#include "passes/PassManager.h"
#include "tests/TestModels.h"
#include "tests/TestTensors.h"

namespace rnnc::passes {
namespace {

using dims::N;
using dims::T;

constexpr int64_t kSteps = 5, kBatch = 3, kInput = 4, kHidden = 3;

TensorMap Run(const ir::Graph& graph, const TensorMap& weights, const TensorMap& inputs) {
  auto executable = interp::CompileForInterpreter(graph, weights);
  EXPECT_TRUE(executable.ok()) << executable.status() << "\n" << ir::PrintGraph(graph);
  if (!executable.ok()) return {};
  absl::StatusOr<TensorMap> outputs = (*executable)->Run(inputs);
  EXPECT_TRUE(outputs.ok()) << outputs.status() << "\n" << ir::PrintGraph(graph);
  return outputs.ok() ? *outputs : TensorMap();
}

// Every param gets seeded standard-normal values; running variances are
// made positive.
TensorMap RandomWeights(const ir::Graph& graph) {
  TensorMap weights;
  uint32_t seed = 100;
  for (const ir::Value* param : graph.params()) {
    std::vector<int64_t> shape;
    for (const ir::Dim& dim : param->type().dims()) shape.push_back(dim.size());
    Tensor tensor = RandomTensor(shape, seed++);
    if (param->name().ends_with("running_var")) {
      for (float& v : tensor.values()) v = std::abs(v) + 0.1f;
    }
    weights[param->name()] = tensor;
  }
  return weights;
}

// The graph after `passes` gives what the graph gives.
void ExpectSameOutputs(const ir::Graph& graph, const std::vector<std::string>& passes,
                       const TensorMap& inputs, const PassOptions& options = {}) {
  SCOPED_TRACE(absl::StrJoin(passes, ","));
  absl::StatusOr<ir::Graph> transformed = RunPasses(graph, passes, options);
  ASSERT_TRUE(transformed.ok()) << transformed.status();
  const TensorMap weights = RandomWeights(graph);
  TensorMap want = Run(graph, weights, inputs);
  TensorMap got = Run(*transformed, weights, inputs);
  for (const auto& [name, tensor] : want) {
    SCOPED_TRACE(name);
    ASSERT_EQ(got.count(name), 1u);
    ExpectAllClose(got.at(name), tensor, 1e-5, 1e-6);
  }
}

// Each pass alone, and the backends' pipelines.
void ExpectEveryPassKeepsNumerics(const ir::Graph& graph) {
  const TensorMap inputs = {{"x", RandomTensor({kSteps, kBatch, kInput}, 7)}};
  for (const PassInfo& pass : RegisteredPasses()) ExpectSameOutputs(graph, {pass.name}, inputs);
  ExpectSameOutputs(graph, PipelineFor("llvm"), inputs);
  ExpectSameOutputs(graph, PipelineFor("onednn"), inputs);
}

std::vector<std::string> KindsOf(const ir::Graph& graph) {
  std::vector<std::string> kinds;
  ir::WalkOps(graph.body(), [&](ir::Op* op) { kinds.push_back(op->name()); });
  return kinds;
}

ir::Graph Build(const Model& model) {
  absl::StatusOr<ir::Graph> graph = model.Build();
  EXPECT_TRUE(graph.ok()) << graph.status();
  return *graph;
}

TEST(PassNumerics, BatchNormsAroundDenseAndLstm) {
  Model m("m");
  Var x = m.Input("x", {T, N, kInput});
  Var normalized = nn::BatchNorm(m, "bn_in", kInput)(x);
  Var sequence =
      nn::LSTM(m, "lstm", nn::LSTMOptions(kInput, kHidden).bidirectional(true))(normalized);
  Var dense = nn::Dense(m, "dense", nn::DenseOptions(2 * kHidden, 5))(sequence);
  Var after = nn::BatchNorm(m, "bn_out", 5)(dense);
  Var normalized_again = nn::BatchNorm(m, "bn_mid", 5)(after);
  m.Output("y", nn::Dense(m, "head", nn::DenseOptions(5, 2).bias(false))(normalized_again));
  ir::Graph graph = Build(m);
  ExpectEveryPassKeepsNumerics(graph);

  absl::StatusOr<ir::Graph> folded = RunPasses(graph, {"fold-batch-norm"}, {});
  ASSERT_TRUE(folded.ok()) << folded.status();
  for (const std::string& kind : KindsOf(*folded)) EXPECT_NE(kind, "batch_norm");
}

// The classic six-equation LSTM, gates on [h, x_t] (FrontendTest's).
TEST(PassNumerics, ClassicLstmOnConcatenatedInput) {
  Model m("classic");
  Var x = m.Input("x", {T, N, kInput});
  auto param = [&](const std::string& name, std::vector<int64_t> shape) {
    return m.Param(name, std::move(shape), Initializer::Uniform(0.5));
  };
  Vars w, b;
  for (const char* gate : {"f", "i", "C", "o"}) {
    w.push_back(param(std::string("W_") + gate, {kHidden, kHidden + kInput}));
    b.push_back(param(std::string("b_") + gate, {kHidden}));
  }
  Var zeros = m.Full({N, kHidden}, 0.0);
  ScanResult r = Scan({x}, {zeros, zeros}, [&](const Vars& in, const Vars& state) {
    Var hx = Concat({state[0], in[0]});
    Var f = Sigmoid(Matmul(hx, w[0], true) + b[0]);
    Var i = Sigmoid(Matmul(hx, w[1], true) + b[1]);
    Var c_tilde = Tanh(Matmul(hx, w[2], true) + b[2]);
    Var c = f * state[1] + i * c_tilde;
    Var o = Sigmoid(Matmul(hx, w[3], true) + b[3]);
    Var h = o * Tanh(c);
    return ScanStep{{h, c}, {h}};
  });
  m.Output("h", r.outputs[0]);
  m.Output("c_n", r.carries[1]);
  ir::Graph graph = Build(m);
  ExpectEveryPassKeepsNumerics(graph);

  // The four gate GEMMs on [h, x_t] become one.
  absl::StatusOr<ir::Graph> fused = RunPasses(graph, {"fuse-gate-matmuls"}, {});
  ASSERT_TRUE(fused.ok()) << fused.status();
  std::vector<std::string> kinds = KindsOf(*fused);
  EXPECT_EQ(std::count(kinds.begin(), kinds.end(), "matmul"), 1);
}

ir::Graph DslGru(nn::Reset reset) {
  Model m("dsl_gru");
  BuildGruCell(m, reset, kInput, kHidden, Initializer::Uniform(0.5));
  return Build(m);
}

TEST(PassNumerics, DslGruCellsAreRaisedToTheLayerOp) {
  for (nn::Reset reset : {nn::Reset::kAfter, nn::Reset::kBefore}) {
    SCOPED_TRACE(reset == nn::Reset::kAfter ? "after" : "before");
    ir::Graph graph = DslGru(reset);
    ExpectEveryPassKeepsNumerics(graph);
    absl::StatusOr<ir::Graph> raised = RunPasses(graph, PipelineFor("onednn"), {});
    ASSERT_TRUE(raised.ok()) << raised.status();
    std::vector<std::string> kinds = KindsOf(*raised);
    EXPECT_EQ(std::count(kinds.begin(), kinds.end(), "gru"), 1) << ir::PrintGraph(*raised);
    EXPECT_EQ(std::count(kinds.begin(), kinds.end(), "scan"), 0) << ir::PrintGraph(*raised);
  }
}

TEST(PassNumerics, UnrollingKeepsTheNumerics) {
  Model m("static");
  Var x = m.Input("x", {kSteps, N, kInput});
  nn::RecurrentOutputs out =
      nn::LSTM(m, "lstm", nn::LSTMOptions(kInput, kHidden).num_layers(2).bidirectional(true))
          .Forward(x);
  m.Output("y", out.output);
  m.Output("c_n", out.c_n);
  ir::Graph graph = Build(m);
  const TensorMap inputs = {{"x", RandomTensor({kSteps, kBatch, kInput}, 8)}};
  std::vector<std::string> passes = PipelineFor("llvm");
  passes.push_back("unroll");
  ExpectSameOutputs(graph, passes, inputs);

  absl::StatusOr<ir::Graph> unrolled = RunPasses(graph, passes, {});
  ASSERT_TRUE(unrolled.ok()) << unrolled.status();
  std::vector<std::string> kinds = KindsOf(*unrolled);
  EXPECT_EQ(std::count(kinds.begin(), kinds.end(), "scan"), 0);

  // Longer than full_unroll_max_steps: the scans stay.
  PassOptions options;
  options.full_unroll_max_steps = kSteps - 1;
  absl::StatusOr<ir::Graph> kept = RunPasses(graph, passes, options);
  ASSERT_TRUE(kept.ok()) << kept.status();
  kinds = KindsOf(*kept);
  EXPECT_EQ(std::count(kinds.begin(), kinds.end(), "scan"), 4);
}

// Static T above full_unroll_max_steps: each scan, forward and reverse, runs
// chunks of k steps and the rest unrolled, for k with a remainder (7 = 3·2 +
// 1, 2·3 + 1), without one (8 = 2·4) and too large for two chunks (7), and
// gives what the scans gave.
TEST(PassNumerics, PartialUnrollingKeepsTheNumerics) {
  for (auto [steps, factor] : {std::pair<int64_t, int64_t>{7, 2}, {7, 3}, {7, 7}, {8, 4}}) {
    SCOPED_TRACE(absl::StrCat("T ", steps, ", unroll_factor ", factor));
    Model m("static");
    Var x = m.Input("x", {steps, N, kInput});
    nn::RecurrentOutputs lstm =
        nn::LSTM(m, "lstm", nn::LSTMOptions(kInput, kHidden).bidirectional(true)).Forward(x);
    nn::RecurrentOutputs gru =
        nn::GRU(m, "gru", nn::GRUOptions(2 * kHidden, kHidden).bidirectional(true))
            .Forward(lstm.output);
    m.Output("y", gru.output);
    m.Output("c_n", lstm.c_n);
    m.Output("h_n", gru.h_n);
    ir::Graph graph = Build(m);
    const TensorMap inputs = {{"x", RandomTensor({steps, kBatch, kInput}, 9)}};
    std::vector<std::string> passes = PipelineFor("llvm");
    passes.push_back("unroll");
    PassOptions options;
    options.full_unroll_max_steps = 2;
    options.unroll_factor = factor;
    ExpectSameOutputs(graph, passes, inputs, options);
    absl::StatusOr<ir::Graph> unrolled = RunPasses(graph, passes, options);
    ASSERT_TRUE(unrolled.ok()) << unrolled.status();
    std::vector<std::string> kinds = KindsOf(*unrolled);
    // k = 7 leaves fewer than two chunks: the four scans stay as they were.
    const bool partial = 2 * factor <= steps;
    EXPECT_EQ(std::count(kinds.begin(), kinds.end(), "scan"), 4);
    EXPECT_EQ(std::count(kinds.begin(), kinds.end(), "reshape") > 0, partial);
  }
}

// A scan with a scalar carry and a sequence yielded straight through, which
// dce must keep when hoisting has made the one before it dead.
TEST(PassNumerics, ScanPassingASequenceThrough) {
  absl::StatusOr<ir::Graph> graph = ir::ParseGraph(R"(graph g {
  input %h0: f32[N, 4]
  input %k0: f32[]
  input %x: f32[T, N, 3]
  input %y: f32[T, 2]
  param %w: f32[4, 3]
  param %u: f32[4, 4]
  %h_T: f32[N, 4], %count: f32[], %hs: f32[T, N, 4], %ys: f32[T, 2] = scan(%h0, %k0, %x, %y) {carries = 2, reverse = true} {
    ^(%h: f32[N, 4], %k: f32[], %x_t: f32[N, 3], %y_t: f32[2]):
    %a: f32[N, 4] = matmul(%x_t, %w) {transpose_b = true}
    %b: f32[N, 4] = matmul(%h, %u) {transpose_b = true}
    %s: f32[N, 4] = add(%a, %b)
    %h_next: f32[N, 4] = tanh(%s)
    %one: f32[] = full() {value = 1.0}
    %k_next: f32[] = add(%k, %one)
    yield(%h_next, %k_next, %h_next, %y_t)
  }
  output %h_T
  output %count
  output %hs
  output %ys
})");
  ASSERT_TRUE(graph.ok()) << graph.status();
  const TensorMap inputs = {{"h0", RandomTensor({kBatch, 4}, 1)},
                            {"k0", RandomTensor({}, 2)},
                            {"x", RandomTensor({kSteps, kBatch, 3}, 3)},
                            {"y", RandomTensor({kSteps, 2}, 4)}};
  for (const PassInfo& pass : RegisteredPasses()) ExpectSameOutputs(*graph, {pass.name}, inputs);
  ExpectSameOutputs(*graph, PipelineFor("llvm"), inputs);
}

}  // namespace
}  // namespace rnnc::passes
