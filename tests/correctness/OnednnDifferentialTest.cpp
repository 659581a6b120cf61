// The oneDNN backend against the interpreter on seeded random models: every
// cell (rnn tanh and relu, lstm, gru reset after and before) × direction
// and merge × depth × initial states × input size equal to or unlike the
// hidden size, each with random T and N (1 included), weights and inputs;
// then one executable run at several (T, N) and back, which exercises the
// per-shape primitive cache, and mixed graphs whose other ops run on the
// interpreter.
#include <random>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "backends/interp/Interpreter.h"
#include "backends/onednn/OnednnBackend.h"
#include "frontend/DSL.h"
#include "gtest/gtest.h"
#include "tests/TestTensors.h"

namespace rnnc {
namespace {

using dims::N;
using dims::T;

constexpr double kRelativeTolerance = 1e-5;
constexpr double kAbsoluteTolerance = 1e-6;

enum class CellKind { kRnnTanh, kRnnRelu, kLstm, kGruAfter, kGruBefore };
enum class DirectionKind { kForward, kReverse, kConcat, kSum, kMul, kAve };

struct Config {
  CellKind cell;
  DirectionKind direction;
  int64_t layers;
  bool initial_states;
  int64_t input_size;
  int64_t hidden_size;
  int64_t steps;
  int64_t batch;

  std::string ToString() const {
    return absl::StrCat("cell ", static_cast<int>(cell), " direction ",
                        static_cast<int>(direction), " layers ", layers, " initial ",
                        initial_states, " I ", input_size, " H ", hidden_size, " T ", steps, " N ",
                        batch);
  }
};

// A graph of the config's one layer op, its weights (PyTorch's
// initialisation, seeded) and random inputs.
struct Case {
  ir::Graph graph;
  TensorMap weights;
  TensorMap inputs;
};

Case MakeCase(const Config& config, uint32_t seed) {
  Model model("differential", seed);
  nn::RecurrentOptions options(config.input_size, config.hidden_size);
  options.num_layers(config.layers);
  switch (config.direction) {
    case DirectionKind::kForward:
    case DirectionKind::kReverse:
      break;
    case DirectionKind::kConcat:
      options.bidirectional(true).merge(nn::Merge::kConcat);
      break;
    case DirectionKind::kSum:
      options.bidirectional(true).merge(nn::Merge::kSum);
      break;
    case DirectionKind::kMul:
      options.bidirectional(true).merge(nn::Merge::kMul);
      break;
    case DirectionKind::kAve:
      options.bidirectional(true).merge(nn::Merge::kAve);
      break;
  }
  options.nonlinearity(config.cell == CellKind::kRnnRelu ? "relu" : "tanh");
  options.reset(config.cell == CellKind::kGruBefore ? nn::Reset::kBefore : nn::Reset::kAfter);
  const bool lstm = config.cell == CellKind::kLstm;
  const int64_t states = config.layers * (options.bidirectional() ? 2 : 1);

  Case made;
  Var x = model.Input("x", {T, N, config.input_size});
  made.inputs["x"] = RandomTensor({config.steps, config.batch, config.input_size}, seed + 1);
  nn::InitialStates initial;
  if (config.initial_states) {
    initial.h0 = model.Input("h0", {states, N, config.hidden_size});
    made.inputs["h0"] = RandomTensor({states, config.batch, config.hidden_size}, seed + 2);
    if (lstm) {
      initial.c0 = model.Input("c0", {states, N, config.hidden_size});
      made.inputs["c0"] = RandomTensor({states, config.batch, config.hidden_size}, seed + 3);
    }
  }
  nn::RecurrentOutputs outputs;
  switch (config.cell) {
    case CellKind::kLstm:
      outputs = nn::LSTM(model, "rnn", options).Forward(x, initial);
      break;
    case CellKind::kGruAfter:
    case CellKind::kGruBefore:
      outputs = nn::GRU(model, "rnn", options).Forward(x, initial);
      break;
    default:
      outputs = nn::RNN(model, "rnn", options).Forward(x, initial);
      break;
  }
  // The reverse direction is a unidirectional layer reading backwards.
  if (config.direction == DirectionKind::kReverse) {
    ir::Op* op = model.graph().body().op(model.graph().body().num_ops() - 1);
    op->mutable_attributes()["direction"] = std::string("reverse");
  }
  model.Output("output", outputs.output);
  model.Output("h_n", outputs.h_n);
  if (lstm) model.Output("c_n", outputs.c_n);
  absl::StatusOr<ir::Graph> graph = model.Build();
  EXPECT_TRUE(graph.ok()) << graph.status();
  made.graph = *std::move(graph);
  made.weights = model.weights();
  return made;
}

void ExpectSameOutputs(const TensorMap& got, const TensorMap& want) {
  ASSERT_EQ(got.size(), want.size());
  for (const auto& [name, tensor] : want) {
    SCOPED_TRACE(name);
    ASSERT_EQ(got.count(name), 1u);
    ExpectAllClose(got.at(name), tensor, kRelativeTolerance, kAbsoluteTolerance);
  }
}

TensorMap RunOn(bool onednn, const Case& c, const TensorMap& inputs) {
  absl::StatusOr<std::unique_ptr<Executable>> executable =
      onednn ? onednn::CompileForOnednn(c.graph, c.weights)
             : interp::CompileForInterpreter(c.graph, c.weights);
  EXPECT_TRUE(executable.ok()) << executable.status();
  if (!executable.ok()) return {};
  absl::StatusOr<TensorMap> outputs = (*executable)->Run(inputs);
  EXPECT_TRUE(outputs.ok()) << outputs.status();
  return outputs.ok() ? *outputs : TensorMap();
}

TEST(OnednnDifferential, RandomLayerStacksMatchTheInterpreter) {
  std::mt19937 rng(20261123);
  std::uniform_int_distribution<int64_t> hidden_sizes(1, 12);
  std::uniform_int_distribution<int64_t> step_counts(1, 9);
  std::uniform_int_distribution<int64_t> batch_sizes(1, 5);
  int configurations = 0;
  for (CellKind cell : {CellKind::kRnnTanh, CellKind::kRnnRelu, CellKind::kLstm,
                        CellKind::kGruAfter, CellKind::kGruBefore}) {
    for (DirectionKind direction :
         {DirectionKind::kForward, DirectionKind::kReverse, DirectionKind::kConcat,
          DirectionKind::kSum, DirectionKind::kMul, DirectionKind::kAve}) {
      for (int64_t layers : {1, 2, 3}) {
        for (bool initial_states : {false, true}) {
          for (bool same_sizes : {false, true}) {
            Config config{cell, direction, layers, initial_states, 0, hidden_sizes(rng),
                          step_counts(rng), batch_sizes(rng)};
            config.input_size = same_sizes ? config.hidden_size : config.hidden_size + 1 + rng() % 7;
            // Every tenth configuration at the edges: one step, one sequence.
            if (configurations % 10 == 3) config.steps = 1;
            if (configurations % 10 == 7) config.batch = 1;
            SCOPED_TRACE(config.ToString());
            const Case c = MakeCase(config, static_cast<uint32_t>(rng()));
            ExpectSameOutputs(RunOn(true, c, c.inputs), RunOn(false, c, c.inputs));
            ++configurations;
          }
        }
      }
    }
  }
  EXPECT_GE(configurations, 200);
}

// One executable at several (T, N), and at earlier ones again: each shape
// gets its own primitives and buffers, coming back reuses them, and a shape
// evicted from the cache is rebuilt.
TEST(OnednnDifferential, OneExecutableAtSeveralShapes) {
  for (CellKind cell : {CellKind::kLstm, CellKind::kGruAfter}) {
    Config config{cell, DirectionKind::kConcat, 2, true, 7, 5, 0, 0};
    const Case c = MakeCase(config, 99);
    absl::StatusOr<std::unique_ptr<Executable>> onednn =
        onednn::CompileForOnednn(c.graph, c.weights);
    ASSERT_TRUE(onednn.ok()) << onednn.status();
    absl::StatusOr<std::unique_ptr<Executable>> interpreter =
        interp::CompileForInterpreter(c.graph, c.weights);
    ASSERT_TRUE(interpreter.ok()) << interpreter.status();
    const bool lstm = cell == CellKind::kLstm;
    uint32_t seed = 1;
    // Back to (6, 3) while it is cached, then past the cache's capacity of 8
    // shapes, which evicts (6, 3) and (2, 8) before they come back.
    std::vector<std::pair<int64_t, int64_t>> shapes = {{6, 3}, {2, 8}, {1, 1}, {6, 3}};
    for (int64_t steps = 1; steps <= 10; ++steps) shapes.push_back({steps, 2});
    shapes.insert(shapes.end(), {{2, 8}, {6, 3}});
    for (auto [steps, batch] : shapes) {
      SCOPED_TRACE(absl::StrCat("T ", steps, " N ", batch));
      TensorMap inputs = {{"x", RandomTensor({steps, batch, 7}, ++seed)},
                          {"h0", RandomTensor({4, batch, 5}, ++seed)}};
      if (lstm) inputs["c0"] = RandomTensor({4, batch, 5}, ++seed);
      absl::StatusOr<TensorMap> got = (*onednn)->Run(inputs);
      ASSERT_TRUE(got.ok()) << got.status();
      absl::StatusOr<TensorMap> want = (*interpreter)->Run(inputs);
      ASSERT_TRUE(want.ok()) << want.status();
      ExpectSameOutputs(*got, *want);
    }
  }
}

// A GRU whose directions multiply (merged outside oneDNN), a dense layer and
// a sigmoid: only the GRU runs on oneDNN.
TEST(OnednnDifferential, MixedGraphMatchesTheInterpreter) {
  Model model("mixed", 5);
  Var x = model.Input("x", {T, N, 6});
  Var seq = nn::GRU(model, "gru", nn::GRUOptions(6, 8).bidirectional(true).merge(nn::Merge::kMul))(x);
  Var y = nn::Dense(model, "dense", nn::DenseOptions(8, 3).activation("sigmoid"))(seq);
  model.Output("y", y);
  absl::StatusOr<ir::Graph> graph = model.Build();
  ASSERT_TRUE(graph.ok()) << graph.status();
  const Case c{*graph, model.weights(), {{"x", RandomTensor({7, 4, 6}, 17)}}};
  ExpectSameOutputs(RunOn(true, c, c.inputs), RunOn(false, c, c.inputs));
}

// A layer op whose weights another op computes cannot be converted at
// compile time; the interpreter runs it, and the answer is the same.
TEST(OnednnDifferential, ComputedWeightsRunOnTheInterpreter) {
  Model model("computed", 6);
  Var x = model.Input("x", {T, N, 4});
  Var w_ih = model.Param("w_ih", {4, 4}, Initializer::Uniform(0.5));
  Var w_hh = model.Param("w_hh", {4, 4}, Initializer::Uniform(0.5));
  Var b_ih = model.Param("b_ih", {4}, Initializer::Uniform(0.5));
  Var b_hh = model.Param("b_hh", {4}, Initializer::Uniform(0.5));
  Vars results = model.AddOp(ir::OpKind::Rnn, {x, w_ih * 2.0, w_hh, b_ih, b_hh},
                             {{"hidden_size", int64_t{4}},
                              {"num_layers", int64_t{1}},
                              {"direction", std::string("forward")},
                              {"activation", std::string("tanh")}});
  ASSERT_EQ(results.size(), 2u);
  model.Output("y", results[0]);
  absl::StatusOr<ir::Graph> graph = model.Build();
  ASSERT_TRUE(graph.ok()) << graph.status();
  const Case c{*graph, model.weights(), {{"x", RandomTensor({5, 2, 4}, 23)}}};
  ExpectSameOutputs(RunOn(true, c, c.inputs), RunOn(false, c, c.inputs));
}

}  // namespace
}  // namespace rnnc
