// The DSL: parameter names and order as PyTorch's, seeded initialisation,
// the Keras conveniences, and cells written from primitive ops that equal
// the layer ops on the same weights (run on the interpreter).
#include <random>

#include "backends/interp/Interpreter.h"
#include "frontend/DSL.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ir/Printer.h"
#include "tests/TestModels.h"
#include "tests/TestTensors.h"

namespace rnnc {
namespace {

using dims::N;
using dims::T;
using ::testing::ElementsAre;

constexpr int64_t kSteps = 6, kBatch = 3, kInput = 5, kHidden = 4;

TensorMap Interpret(const Model& model, const TensorMap& inputs) {
  absl::StatusOr<ir::Graph> graph = model.Build();
  EXPECT_TRUE(graph.ok()) << graph.status();
  auto executable = interp::CompileForInterpreter(*graph, model.weights());
  EXPECT_TRUE(executable.ok()) << executable.status();
  absl::StatusOr<TensorMap> outputs = (*executable)->Run(inputs);
  EXPECT_TRUE(outputs.ok()) << outputs.status();
  return *outputs;
}

std::vector<std::string> ParamNames(Model& model) {
  std::vector<std::string> names;
  for (const ir::Value* p : model.graph().params()) names.push_back(p->name());
  return names;
}

TEST(Frontend, ParametersAreNamedAndOrderedAsPyTorch) {
  Model m("m");
  Var x = m.Input("x", {T, N, kInput});
  nn::LSTM lstm(m, "lstm", nn::LSTMOptions(kInput, kHidden).num_layers(2).bidirectional(true));
  m.Output("y", lstm(x));
  EXPECT_THAT(ParamNames(m),
              ElementsAre("lstm.weight_ih_l0", "lstm.weight_hh_l0", "lstm.bias_ih_l0",
                          "lstm.bias_hh_l0", "lstm.weight_ih_l0_reverse",
                          "lstm.weight_hh_l0_reverse", "lstm.bias_ih_l0_reverse",
                          "lstm.bias_hh_l0_reverse", "lstm.weight_ih_l1", "lstm.weight_hh_l1",
                          "lstm.bias_ih_l1", "lstm.bias_hh_l1", "lstm.weight_ih_l1_reverse",
                          "lstm.weight_hh_l1_reverse", "lstm.bias_ih_l1_reverse",
                          "lstm.bias_hh_l1_reverse"));
  // Layer 1 reads both directions of layer 0, as in PyTorch: (4H, 2H).
  EXPECT_THAT(m.weights().at("lstm.weight_ih_l1").shape(), ElementsAre(4 * kHidden, 2 * kHidden));
  EXPECT_THAT(m.weights().at("lstm.weight_ih_l0").shape(), ElementsAre(4 * kHidden, kInput));
}

TEST(Frontend, InitialisationIsPyTorchsUniformAndSeeded) {
  auto build = [](uint64_t seed) {
    auto m = std::make_unique<Model>("m", seed);
    nn::GRU(*m, "", nn::GRUOptions(kInput, 16));
    return m;
  };
  auto a = build(1), b = build(1), c = build(2);
  const std::vector<float>& w = a->weights().at("weight_hh_l0").values();
  EXPECT_EQ(w, b->weights().at("weight_hh_l0").values());
  EXPECT_NE(w, c->weights().at("weight_hh_l0").values());
  const float bound = 1.0f / 4.0f;  // 1/√H for H = 16
  float largest = 0;
  for (float v : w) largest = std::max(largest, std::abs(v));
  EXPECT_LE(largest, bound);
  EXPECT_GT(largest, 0.9f * bound);  // uniform over the whole range, not a narrower one
}

TEST(Frontend, BatchFirstTransposesInAndOut) {
  Model seq_first("a", 3), batch_first("b", 3);
  Var xa = seq_first.Input("x", {T, N, kInput});
  seq_first.Output("y", nn::GRU(seq_first, "g", nn::GRUOptions(kInput, kHidden))(xa));
  Var xb = batch_first.Input("x", {N, T, kInput});
  batch_first.Output(
      "y", nn::GRU(batch_first, "g", nn::GRUOptions(kInput, kHidden).batch_first(true))(xb));

  Tensor x = RandomTensor({kSteps, kBatch, kInput}, 11);
  TensorMap a = Interpret(seq_first, {{"x", x}});
  TensorMap b = Interpret(batch_first, {{"x", Transpose01(x)}});
  ExpectAllClose(Transpose01(b.at("y")), a.at("y"), 0, 0);
}

TEST(Frontend, ReturnSequencesFalseGivesEachDirectionsLastStep) {
  for (nn::Merge merge : {nn::Merge::kConcat, nn::Merge::kSum, nn::Merge::kMul, nn::Merge::kAve}) {
    Model all("all", 5), last("last", 5);
    auto options = nn::LSTMOptions(kInput, kHidden).bidirectional(true);
    Var xa = all.Input("x", {T, N, kInput});
    all.Output("y", nn::LSTM(all, "l", options)(xa));
    Var xb = last.Input("x", {T, N, kInput});
    last.Output("y", nn::LSTM(last, "l", options.return_sequences(false).merge(merge))(xb));

    Tensor x = RandomTensor({kSteps, kBatch, kInput}, 12);
    Tensor sequence = Interpret(all, {{"x", x}}).at("y");  // (T, N, 2H), concatenated
    Tensor y = Interpret(last, {{"x", x}}).at("y");
    // Forward's last step is t = T-1, reverse's is t = 0 (it runs backwards).
    Tensor expected({kBatch, merge == nn::Merge::kConcat ? 2 * kHidden : kHidden});
    for (int64_t n = 0; n < kBatch; ++n) {
      for (int64_t h = 0; h < kHidden; ++h) {
        const float f = sequence.data()[((kSteps - 1) * kBatch + n) * 2 * kHidden + h];
        const float r = sequence.data()[n * 2 * kHidden + kHidden + h];
        float* row = expected.data() + n * expected.dim(1);
        switch (merge) {
          case nn::Merge::kConcat: row[h] = f; row[kHidden + h] = r; break;
          case nn::Merge::kSum: row[h] = f + r; break;
          case nn::Merge::kMul: row[h] = f * r; break;
          case nn::Merge::kAve: row[h] = 0.5f * (f + r); break;
        }
      }
    }
    ExpectAllClose(y, expected, 1e-6, 1e-7);
  }
}

// W (4H, I) and U (4H, H) of a PyTorch LSTM, gate k's rows as the classic
// equations' W_k (H, H + I) acting on [h, x]; b_k = b_ih + b_hh.
void SplitLstmGate(const TensorMap& layer, int gate, TensorMap& cell, const std::string& name) {
  const Tensor& w_ih = layer.at("weight_ih_l0");
  const Tensor& w_hh = layer.at("weight_hh_l0");
  Tensor w({kHidden, kHidden + kInput}), b({kHidden});
  for (int64_t r = 0; r < kHidden; ++r) {
    const int64_t row = gate * kHidden + r;
    for (int64_t c = 0; c < kHidden; ++c) w.data()[r * (kHidden + kInput) + c] = w_hh.data()[row * kHidden + c];
    for (int64_t c = 0; c < kInput; ++c) {
      w.data()[r * (kHidden + kInput) + kHidden + c] = w_ih.data()[row * kInput + c];
    }
    b.data()[r] = layer.at("bias_ih_l0").data()[row] + layer.at("bias_hh_l0").data()[row];
  }
  cell["W_" + name] = w;
  cell["b_" + name] = b;
}

TEST(Frontend, ClassicSixEquationLstmEqualsTheLayerOp) {
  Model layer("layer", 9);
  Var xl = layer.Input("x", {T, N, kInput});
  nn::RecurrentOutputs lo = nn::LSTM(layer, "", nn::LSTMOptions(kInput, kHidden)).Forward(xl);
  layer.Output("h", lo.output);
  layer.Output("c_n", lo.c_n);

  // The LSTM as the textbooks print it (Olah's six equations).
  Model cell("cell");
  Var x = cell.Input("x", {T, N, kInput});
  auto param = [&](const char* name, std::vector<int64_t> shape) {
    return cell.Param(name, std::move(shape), Initializer::Constant(0));
  };
  Var W_f = param("W_f", {kHidden, kHidden + kInput}), b_f = param("b_f", {kHidden});
  Var W_i = param("W_i", {kHidden, kHidden + kInput}), b_i = param("b_i", {kHidden});
  Var W_C = param("W_C", {kHidden, kHidden + kInput}), b_C = param("b_C", {kHidden});
  Var W_o = param("W_o", {kHidden, kHidden + kInput}), b_o = param("b_o", {kHidden});
  Var zeros = cell.Full({N, kHidden}, 0.0);
  ScanResult r = Scan({x}, {zeros, zeros}, [&](const Vars& in, const Vars& state) {
    Var hx = Concat({state[0], in[0]});                      // [h_{t-1}, x_t]
    Var f = Sigmoid(Matmul(hx, W_f, true) + b_f);            // forget gate
    Var i = Sigmoid(Matmul(hx, W_i, true) + b_i);            // input gate
    Var C_tilde = Tanh(Matmul(hx, W_C, true) + b_C);         // candidate
    Var C = f * state[1] + i * C_tilde;                      // new cell state
    Var o = Sigmoid(Matmul(hx, W_o, true) + b_o);            // output gate
    Var h = o * Tanh(C);
    return ScanStep{{h, C}, {h}};
  });
  cell.Output("h", r.outputs[0]);
  cell.Output("c_n", r.carries[1]);

  TensorMap weights;
  const char* names[] = {"i", "f", "C", "o"};  // PyTorch's gate order i, f, g, o
  for (int gate = 0; gate < 4; ++gate) SplitLstmGate(layer.weights(), gate, weights, names[gate]);
  ASSERT_TRUE(cell.SetWeights(weights).ok());

  Tensor input = RandomTensor({kSteps, kBatch, kInput}, 13);
  TensorMap want = Interpret(layer, {{"x", input}});
  TensorMap got = Interpret(cell, {{"x", input}});
  ExpectAllClose(got.at("h"), want.at("h"), 1e-5, 1e-6);
  ExpectAllClose(Reshape(got.at("c_n"), {1, kBatch, kHidden}), want.at("c_n"), 1e-5, 1e-6);
}

TEST(Frontend, GruCellsFromPrimitivesEqualTheLayerOp) {
  for (nn::Reset reset : {nn::Reset::kAfter, nn::Reset::kBefore}) {
    Model layer("layer", 21);
    Var x = layer.Input("x", {T, N, kInput});
    layer.Output("h", nn::GRU(layer, "", nn::GRUOptions(kInput, kHidden).reset(reset))(x));
    Model cell("cell");
    BuildGruCell(cell, reset, kInput, kHidden);
    ASSERT_TRUE(cell.SetWeights(layer.weights()).ok());

    Tensor input = RandomTensor({kSteps, kBatch, kInput}, 14);
    ExpectAllClose(Interpret(cell, {{"x", input}}).at("h"), Interpret(layer, {{"x", input}}).at("h"), 1e-5,
                   1e-6);
  }
}

TEST(Frontend, PrintedModelReadsAsLayers) {
  Model m("tiny");
  Var x = m.Input("x", {T, N, 3});
  Var h = nn::RNN(m, "rnn", nn::RNNOptions(3, 2).nonlinearity("relu"))(x);
  m.Output("y", nn::Dense(m, "head", nn::DenseOptions(2, 1).activation("sigmoid"))(h));
  absl::StatusOr<ir::Graph> graph = m.Build();
  ASSERT_TRUE(graph.ok()) << graph.status();
  EXPECT_EQ(ir::PrintGraph(*graph), R"(graph tiny {
  input %x: f32[T, N, 3]
  param %rnn.weight_ih_l0: f32[2, 3]
  param %rnn.weight_hh_l0: f32[2, 2]
  param %rnn.bias_ih_l0: f32[2]
  param %rnn.bias_hh_l0: f32[2]
  param %head.weight: f32[1, 2]
  param %head.bias: f32[1]
  %seq: f32[T, N, 2], %h_n: f32[1, N, 2] = rnn(%x, %rnn.weight_ih_l0, %rnn.weight_hh_l0, %rnn.bias_ih_l0, %rnn.bias_hh_l0) {activation = "relu", direction = "forward", hidden_size = 2, num_layers = 1}
  %dense: f32[T, N, 1] = dense(%seq, %head.weight, %head.bias)
  %sigmoid: f32[T, N, 1] = sigmoid(%dense)
  output %y = %sigmoid
}
)");
}

}  // namespace
}  // namespace rnnc
