// The reference interpreter on cases small enough to check by hand: each cell
// op, dense and batch_norm against values worked out in the comments, full
// with symbolic dims, and a tanh RNN written as a scan of cell ops, which
// must agree with the rnn layer op on the same weights.
#include <cmath>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "backends/interp/Interpreter.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ir/ShapeInference.h"
#include "tests/TestTensors.h"

namespace rnnc {
namespace {

using ir::Dim;
using ir::OpKind;
using ir::TensorType;
using testing::FloatNear;
using testing::Pointwise;

TensorType StaticType(const std::vector<int64_t>& shape) {
  return TensorType(std::vector<Dim>(shape.begin(), shape.end()));
}

// Appends `kind` to `block` with the result types shape inference gives.
ir::Op* Append(ir::Graph& graph, ir::Block& block, OpKind kind, std::vector<ir::Value*> operands,
               ir::AttributeMap attributes = {}, const std::vector<std::string>& names = {}) {
  std::vector<TensorType> operand_types;
  for (const ir::Value* operand : operands) operand_types.push_back(operand->type());
  absl::StatusOr<std::vector<TensorType>> types =
      ir::InferResultTypes(kind, operand_types, attributes);
  EXPECT_TRUE(types.ok()) << types.status();
  return graph.AppendOp(block, kind, std::move(operands), std::move(attributes), types.value(),
                        names);
}

absl::StatusOr<TensorMap> CompileAndRun(const ir::Graph& graph, const TensorMap& weights,
                                        const TensorMap& inputs) {
  absl::StatusOr<std::unique_ptr<Executable>> executable =
      interp::CompileForInterpreter(graph, weights);
  if (!executable.ok()) return executable.status();
  return (*executable)->Run(inputs);
}

// Runs a graph of the single op `kind` on `operands`, passed as inputs of
// their static shapes, and returns its results.
absl::StatusOr<std::vector<Tensor>> RunOp(OpKind kind, const std::vector<Tensor>& operands,
                                          ir::AttributeMap attributes = {}) {
  ir::Graph graph;
  TensorMap inputs;
  std::vector<ir::Value*> values;
  for (size_t i = 0; i < operands.size(); ++i) {
    const std::string name = absl::StrCat("a", i);
    values.push_back(graph.AddInput(name, StaticType(operands[i].shape())));
    inputs[name] = operands[i];
  }
  const ir::Op* op = Append(graph, graph.body(), kind, values, std::move(attributes));
  for (size_t i = 0; i < op->num_results(); ++i)
    graph.AddOutput(absl::StrCat("y", i), op->result(i));
  absl::StatusOr<TensorMap> outputs = CompileAndRun(graph, {}, inputs);
  if (!outputs.ok()) return outputs.status();
  std::vector<Tensor> results;
  for (size_t i = 0; i < op->num_results(); ++i)
    results.push_back(outputs->at(absl::StrCat("y", i)));
  return results;
}

void ExpectTensor(const Tensor& got, const std::vector<int64_t>& shape,
                  const std::vector<float>& values) {
  EXPECT_EQ(got.shape(), shape);
  EXPECT_THAT(got.values(), Pointwise(FloatNear(1e-6), values));
}

TEST(InterpreterCellOps, MatmulWithTransposeB) {
  // [[1, 2, 3], [4, 5, 6]] · [[1, 0, 1], [0, 1, 0]]ᵀ = [[1 + 3, 2], [4 + 6, 5]]
  absl::StatusOr<std::vector<Tensor>> y = RunOp(
      OpKind::Matmul, {Tensor({2, 3}, {1, 2, 3, 4, 5, 6}), Tensor({2, 3}, {1, 0, 1, 0, 1, 0})},
      {{"transpose_b", true}});
  ASSERT_TRUE(y.ok()) << y.status();
  ExpectTensor((*y)[0], {2, 2}, {4, 2, 10, 5});
}

TEST(InterpreterCellOps, MatmulOverLeadingAxes) {
  // Every row of a (2, 1, 2) times [[1, 2], [3, 4]]: [1, 1] -> [4, 6], [2, -1] -> [-1, 0].
  absl::StatusOr<std::vector<Tensor>> y =
      RunOp(OpKind::Matmul, {Tensor({2, 1, 2}, {1, 1, 2, -1}), Tensor({2, 2}, {1, 2, 3, 4})});
  ASSERT_TRUE(y.ok()) << y.status();
  ExpectTensor((*y)[0], {2, 1, 2}, {4, 6, -1, 0});
}

TEST(InterpreterCellOps, AddBroadcastsABiasVector) {
  // Each row of [[1, 2, 3], [4, 5, 6]] plus [10, 20, 30].
  absl::StatusOr<std::vector<Tensor>> y =
      RunOp(OpKind::Add, {Tensor({2, 3}, {1, 2, 3, 4, 5, 6}), Tensor({3}, {10, 20, 30})});
  ASSERT_TRUE(y.ok()) << y.status();
  ExpectTensor((*y)[0], {2, 3}, {11, 22, 33, 14, 25, 36});
}

TEST(InterpreterCellOps, BroadcastStretchesSizeOneDimsOnBothSides) {
  // (2, 1) * (1, 3) is the outer product of [1, 2] and [3, 4, 5];
  // (2, 1) - (1, 3) and (2, 1) / (1, 3) pair the same elements.
  const Tensor column({2, 1}, {1, 2});
  const Tensor row({1, 3}, {3, 4, 5});
  absl::StatusOr<std::vector<Tensor>> product = RunOp(OpKind::Mul, {column, row});
  absl::StatusOr<std::vector<Tensor>> difference = RunOp(OpKind::Sub, {column, row});
  absl::StatusOr<std::vector<Tensor>> quotient = RunOp(OpKind::Div, {column, row});
  ASSERT_TRUE(product.ok() && difference.ok() && quotient.ok());
  ExpectTensor((*product)[0], {2, 3}, {3, 4, 5, 6, 8, 10});
  ExpectTensor((*difference)[0], {2, 3}, {-2, -3, -4, -1, -2, -3});
  ExpectTensor((*quotient)[0], {2, 3}, {1.0f / 3, 0.25f, 0.2f, 2.0f / 3, 0.5f, 0.4f});
}

TEST(InterpreterCellOps, UnaryOps) {
  const Tensor a({3}, {0.0f, std::log(3.0f), -2.0f});
  const std::vector<std::pair<OpKind, std::vector<float>>> cases = {
      {OpKind::Neg, {0, -std::log(3.0f), 2}},
      // σ(ln 3) = 1 / (1 + 1/3) = 3/4
      {OpKind::Sigmoid, {0.5f, 0.75f, 1 / (1 + std::exp(2.0f))}},
      // tanh(ln 3) = (3 - 1/3) / (3 + 1/3) = 4/5
      {OpKind::Tanh, {0, 0.8f, std::tanh(-2.0f)}},
      {OpKind::Relu, {0, std::log(3.0f), 0}},
      {OpKind::Exp, {1, 3, std::exp(-2.0f)}},
  };
  for (const auto& [kind, want] : cases) {
    SCOPED_TRACE(ir::OpKindName(kind));
    absl::StatusOr<std::vector<Tensor>> y = RunOp(kind, {a});
    ASSERT_TRUE(y.ok()) << y.status();
    ExpectTensor((*y)[0], {3}, want);
  }
  absl::StatusOr<std::vector<Tensor>> log = RunOp(OpKind::Log, {Tensor({2}, {1, std::exp(2.0f)})});
  ASSERT_TRUE(log.ok()) << log.status();
  ExpectTensor((*log)[0], {2}, {0, 2});
  absl::StatusOr<std::vector<Tensor>> sqrt = RunOp(OpKind::Sqrt, {Tensor({3}, {0, 2.25f, 16})});
  ASSERT_TRUE(sqrt.ok()) << sqrt.status();
  ExpectTensor((*sqrt)[0], {3}, {0, 1.5f, 4});
}

TEST(InterpreterCellOps, SoftmaxAlongEitherAxis) {
  // softmax([0, ln 3]) = [1, 3] / 4.
  const Tensor a({2, 2}, {0, std::log(3.0f), std::log(3.0f), 0});
  absl::StatusOr<std::vector<Tensor>> rows = RunOp(OpKind::Softmax, {a}, {{"axis", int64_t{-1}}});
  absl::StatusOr<std::vector<Tensor>> columns = RunOp(OpKind::Softmax, {a}, {{"axis", int64_t{0}}});
  ASSERT_TRUE(rows.ok() && columns.ok());
  ExpectTensor((*rows)[0], {2, 2}, {0.25f, 0.75f, 0.75f, 0.25f});
  ExpectTensor((*columns)[0], {2, 2}, {0.25f, 0.75f, 0.75f, 0.25f});
}

// x = [[0, 1, 2, 3, 4], [5, 6, 7, 8, 9]] for the ops that cut and join.
const Tensor kRows({2, 5}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9});

TEST(InterpreterCellOps, SplitThenConcatInTheOtherOrder) {
  absl::StatusOr<std::vector<Tensor>> pieces =
      RunOp(OpKind::Split, {kRows}, {{"axis", int64_t{1}}, {"sizes", std::vector<int64_t>{2, 3}}});
  ASSERT_TRUE(pieces.ok()) << pieces.status();
  ASSERT_EQ(pieces->size(), 2u);
  ExpectTensor((*pieces)[0], {2, 2}, {0, 1, 5, 6});
  ExpectTensor((*pieces)[1], {2, 3}, {2, 3, 4, 7, 8, 9});

  absl::StatusOr<std::vector<Tensor>> joined =
      RunOp(OpKind::Concat, {(*pieces)[1], (*pieces)[0]}, {{"axis", int64_t{-1}}});
  ASSERT_TRUE(joined.ok()) << joined.status();
  ExpectTensor((*joined)[0], {2, 5}, {2, 3, 4, 0, 1, 7, 8, 9, 5, 6});

  absl::StatusOr<std::vector<Tensor>> stacked =
      RunOp(OpKind::Concat, {(*pieces)[0], (*pieces)[0]}, {{"axis", int64_t{0}}});
  ASSERT_TRUE(stacked.ok()) << stacked.status();
  ExpectTensor((*stacked)[0], {4, 2}, {0, 1, 5, 6, 0, 1, 5, 6});
}

TEST(InterpreterCellOps, SliceWithNegativeEnd) {
  // Columns [1, -1) = [1, 4).
  absl::StatusOr<std::vector<Tensor>> y = RunOp(
      OpKind::Slice, {kRows}, {{"axis", int64_t{1}}, {"start", int64_t{1}}, {"end", int64_t{-1}}});
  ASSERT_TRUE(y.ok()) << y.status();
  ExpectTensor((*y)[0], {2, 3}, {1, 2, 3, 6, 7, 8});
}

TEST(InterpreterCellOps, SelectWithNegativeIndex) {
  absl::StatusOr<std::vector<Tensor>> last_row =
      RunOp(OpKind::Select, {kRows}, {{"axis", int64_t{0}}, {"index", int64_t{-1}}});
  absl::StatusOr<std::vector<Tensor>> column =
      RunOp(OpKind::Select, {kRows}, {{"axis", int64_t{1}}, {"index", int64_t{-2}}});
  ASSERT_TRUE(last_row.ok() && column.ok());
  ExpectTensor((*last_row)[0], {5}, {5, 6, 7, 8, 9});
  ExpectTensor((*column)[0], {2}, {3, 8});
}

TEST(InterpreterCellOps, Transpose) {
  absl::StatusOr<std::vector<Tensor>> y =
      RunOp(OpKind::Transpose, {kRows}, {{"perm", std::vector<int64_t>{1, 0}}});
  ASSERT_TRUE(y.ok()) << y.status();
  ExpectTensor((*y)[0], {5, 2}, {0, 5, 1, 6, 2, 7, 3, 8, 4, 9});

  // x (2, 3, 4) holding 0..23 has x[a, b, c] = 12a + 4b + c; with perm
  // [2, 0, 1], y[i, j, k] = x[j, k, i] = 12j + 4k + i.
  Tensor x({2, 3, 4});
  for (int64_t e = 0; e < 24; ++e) x.data()[e] = static_cast<float>(e);
  std::vector<float> want;
  for (int i = 0; i < 4; ++i) {
    for (int j = 0; j < 2; ++j) {
      for (int k = 0; k < 3; ++k) want.push_back(static_cast<float>(12 * j + 4 * k + i));
    }
  }
  absl::StatusOr<std::vector<Tensor>> z =
      RunOp(OpKind::Transpose, {x}, {{"perm", std::vector<int64_t>{2, 0, 1}}});
  ASSERT_TRUE(z.ok()) << z.status();
  ExpectTensor((*z)[0], {4, 2, 3}, want);
}

// The elements in the same row-major order.
TEST(InterpreterCellOps, Reshape) {
  absl::StatusOr<std::vector<Tensor>> y =
      RunOp(OpKind::Reshape, {kRows}, {{"shape", std::vector<int64_t>{5, 2}}});
  ASSERT_TRUE(y.ok()) << y.status();
  ExpectTensor((*y)[0], {5, 2}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
  absl::StatusOr<std::vector<Tensor>> z =
      RunOp(OpKind::Reshape, {kRows}, {{"shape", std::vector<int64_t>{1, 2, 5}}});
  ASSERT_TRUE(z.ok()) << z.status();
  ExpectTensor((*z)[0], {1, 2, 5}, {0, 1, 2, 3, 4, 5, 6, 7, 8, 9});
}

TEST(InterpreterCellOps, FullTakesItsSymbolicDimsFromTheInputs) {
  ir::Graph graph;
  graph.AddInput("x", TensorType({Dim::Symbol("N"), 3}));
  const ir::Op* full = graph.AppendOp(graph.body(), OpKind::Full, {}, {{"value", 0.5}},
                                      {TensorType({Dim::Symbol("N"), 2})}, {"halves"});
  graph.AddOutput("halves", full->result(0));
  absl::StatusOr<TensorMap> outputs = CompileAndRun(graph, {}, {{"x", Tensor({4, 3})}});
  ASSERT_TRUE(outputs.ok()) << outputs.status();
  ExpectTensor(outputs->at("halves"), {4, 2}, std::vector<float>(8, 0.5f));
}

TEST(InterpreterLayerOps, Dense) {
  // x [[1, 2, 3], [0, -1, 1]] · W [[1, 0, 0], [1, 1, 1]]ᵀ + [0.5, -6]
  //   = [[1, 6], [0, 0]] + [0.5, -6]
  const Tensor x({2, 3}, {1, 2, 3, 0, -1, 1});
  const Tensor weight({2, 3}, {1, 0, 0, 1, 1, 1});
  absl::StatusOr<std::vector<Tensor>> with_bias =
      RunOp(OpKind::Dense, {x, weight, Tensor({2}, {0.5, -6})});
  absl::StatusOr<std::vector<Tensor>> without_bias = RunOp(OpKind::Dense, {x, weight});
  ASSERT_TRUE(with_bias.ok() && without_bias.ok());
  ExpectTensor((*with_bias)[0], {2, 2}, {1.5, 0, 0.5, -6});
  ExpectTensor((*without_bias)[0], {2, 2}, {1, 6, 0, 0});
}

TEST(InterpreterLayerOps, BatchNorm) {
  // (x - mean) / sqrt(var + 1) * weight + bias with mean [1, 0], var [3, 0],
  // weight [2, 1], bias [0, 1]:
  //   channel 0: (5 - 1) / 2 * 2 + 0 = 4,  (-1 - 1) / 2 * 2 + 0 = -2
  //   channel 1: (2 - 0) / 1 * 1 + 1 = 3,  (-3 - 0) / 1 * 1 + 1 = -2
  absl::StatusOr<std::vector<Tensor>> y =
      RunOp(OpKind::BatchNorm,
            {Tensor({2, 2}, {5, 2, -1, -3}), Tensor({2}, {2, 1}), Tensor({2}, {0, 1}),
             Tensor({2}, {1, 0}), Tensor({2}, {3, 0})},
            {{"epsilon", 1.0}});
  ASSERT_TRUE(y.ok()) << y.status();
  ExpectTensor((*y)[0], {2, 2}, {4, 3, -2, -2});
}

// Standard-normal values scaled by 1/2, so that a tanh RNN does not saturate
// and the comparison below tests something.
Tensor SmallRandom(std::vector<int64_t> shape, uint32_t seed) {
  Tensor tensor = RandomTensor(std::move(shape), seed);
  for (float& v : tensor.values()) v *= 0.5f;
  return tensor;
}

// One graph computes the same tanh RNN twice from x (T, N, I) and h0 (1, N, H):
// as the rnn layer op, and as a scan whose body spells out
//   h' = tanh(x Wᵀ + b + h Uᵀ + c)
// with matmul, add and tanh, reading the weights from outside the body.
void ExpectScanMatchesRnnLayer(bool reverse) {
  constexpr int64_t kSteps = 7, kBatch = 3, kInput = 4, kHidden = 5;
  const Dim steps = Dim::Symbol("T"), batch = Dim::Symbol("N");
  ir::Graph graph("scan_vs_rnn");
  ir::Value* x = graph.AddInput("x", TensorType({steps, batch, kInput}));
  ir::Value* h0 = graph.AddInput("h0", TensorType({1, batch, kHidden}));
  ir::Value* w = graph.AddParam("weight_ih_l0", StaticType({kHidden, kInput}));
  ir::Value* u = graph.AddParam("weight_hh_l0", StaticType({kHidden, kHidden}));
  ir::Value* b = graph.AddParam("bias_ih_l0", StaticType({kHidden}));
  ir::Value* c = graph.AddParam("bias_hh_l0", StaticType({kHidden}));
  const TensorMap weights = {{"weight_ih_l0", SmallRandom({kHidden, kInput}, 1)},
                             {"weight_hh_l0", SmallRandom({kHidden, kHidden}, 2)},
                             {"bias_ih_l0", SmallRandom({kHidden}, 3)},
                             {"bias_hh_l0", SmallRandom({kHidden}, 4)}};

  const ir::Op* layer = Append(graph, graph.body(), OpKind::Rnn, {x, w, u, b, c, h0},
                               {{"hidden_size", kHidden},
                                {"num_layers", int64_t{1}},
                                {"direction", std::string(reverse ? "reverse" : "forward")},
                                {"activation", std::string("tanh")}},
                               {"layer_output", "layer_h_n"});

  ir::Value* h_init = Append(graph, graph.body(), OpKind::Select, {h0},
                             {{"axis", int64_t{0}}, {"index", int64_t{0}}}, {"h_init"})
                          ->result(0);  // (N, H)
  ir::Op* scan = graph.AppendOp(graph.body(), OpKind::Scan, {h_init, x},
                                {{"carries", int64_t{1}}, {"reverse", reverse}},
                                {TensorType({batch, kHidden}), TensorType({steps, batch, kHidden})},
                                {"scan_h_n", "scan_output"});
  ir::Block& body = *scan->body();
  ir::Value* h = graph.AddBlockArgument(body, "h", TensorType({batch, kHidden}));
  ir::Value* x_t = graph.AddBlockArgument(body, "x_t", TensorType({batch, kInput}));
  auto step = [&](OpKind kind, std::vector<ir::Value*> operands, ir::AttributeMap attributes = {}) {
    return Append(graph, body, kind, std::move(operands), std::move(attributes))->result(0);
  };
  ir::Value* input_part =
      step(OpKind::Add, {step(OpKind::Matmul, {x_t, w}, {{"transpose_b", true}}), b});
  ir::Value* recurrent_part =
      step(OpKind::Add, {step(OpKind::Matmul, {h, u}, {{"transpose_b", true}}), c});
  ir::Value* h_next = step(OpKind::Tanh, {step(OpKind::Add, {input_part, recurrent_part})});
  graph.AppendOp(body, OpKind::Yield, {h_next, h_next}, {}, {});

  graph.AddOutput("layer_output", layer->result(0));
  graph.AddOutput("layer_h_n", layer->result(1));
  graph.AddOutput("scan_output", scan->result(1));
  graph.AddOutput("scan_h_n", scan->result(0));

  const Tensor initial = SmallRandom({1, kBatch, kHidden}, 5);
  absl::StatusOr<TensorMap> outputs = CompileAndRun(
      graph, weights, {{"x", RandomTensor({kSteps, kBatch, kInput}, 6)}, {"h0", initial}});
  ASSERT_TRUE(outputs.ok()) << outputs.status();
  // The two differ only in where f32 rounding happens: the layer adds each
  // bias before rounding its matrix product, the scan after.
  {
    SCOPED_TRACE("output");
    ExpectAllClose(outputs->at("scan_output"), outputs->at("layer_output"), 1e-5, 1e-6);
  }
  {
    SCOPED_TRACE("h_n");
    ExpectAllClose(Reshape(outputs->at("scan_h_n"), {1, kBatch, kHidden}), outputs->at("layer_h_n"),
                   1e-5, 1e-6);
  }
  // The final state is the last step read: t = T-1 forward, t = 0 in reverse.
  const Tensor& sequence = outputs->at("layer_output");
  const int64_t last_read = reverse ? 0 : kSteps - 1;
  const std::vector<float> last_step(sequence.data() + last_read * kBatch * kHidden,
                                     sequence.data() + (last_read + 1) * kBatch * kHidden);
  EXPECT_EQ(outputs->at("layer_h_n").values(), last_step);
}

TEST(InterpreterScan, TanhRnnAsScanMatchesRnnLayer) { ExpectScanMatchesRnnLayer(false); }

TEST(InterpreterScan, ReverseTanhRnnAsScanMatchesReverseRnnLayer) {
  ExpectScanMatchesRnnLayer(true);
}

}  // namespace
}  // namespace rnnc
