// Losses and metrics of frontend/Losses.h on the interpreter, against values
// PyTorch 1.13 computed in float64 from the same numbers (the snippet is
// beside each test), including the extremes that the stable forms exist
// for; and their gradients against finite differences.
#include <string>

#include "backends/interp/Interpreter.h"
#include "frontend/DSL.h"
#include "frontend/Losses.h"
#include "gtest/gtest.h"
#include "tests/TestTensors.h"
#include "tests/correctness/GradientCheck.h"

namespace rnnc {
namespace {

using losses::Reduction;

// p holds exact 0 and 1, where an unclamped log is -inf; z holds logits far
// beyond exp's range.
const Tensor kProbabilities({2, 3}, {0.9f, 0.2f, 0.6f, 0.0f, 1.0f, 0.45f});
const Tensor kTargets({2, 3}, {1, 0, 0, 0, 1, 1});
const Tensor kLogits({2, 3}, {2.5f, -1.0f, 0.3f, -120.0f, 80.0f, 0.0f});
// Three examples of three classes; the second's logits are far too large
// for a naive softmax, the third's tie at classes 0 and 1. Labels 1, 2, 0.
const Tensor kClassLogits({3, 3}, {1, 2, 0.5f, 300, -50, 299, 0.1f, 0.1f, -3});
const Tensor kOneHot({3, 3}, {0, 1, 0, 0, 0, 1, 1, 0, 0});

// Runs `build`'s scalar outputs on the tensors above.
TensorMap RunLosses(const std::function<void(Model&, Var p, Var y, Var z, Var c, Var k)>& build) {
  Model m("losses");
  Var p = m.Input("p", {2, 3});
  Var y = m.Input("y", {2, 3});
  Var z = m.Input("z", {2, 3});
  Var c = m.Input("c", {3, 3});
  Var k = m.Input("k", {3, 3});
  build(m, p, y, z, c, k);
  absl::StatusOr<ir::Graph> graph = m.Build();
  EXPECT_TRUE(graph.ok()) << graph.status();
  if (!graph.ok()) return {};
  absl::StatusOr<std::unique_ptr<Executable>> executable =
      interp::CompileForInterpreter(*graph, {});
  EXPECT_TRUE(executable.ok()) << executable.status();
  absl::StatusOr<TensorMap> outputs = (*executable)->Run(
      {{"p", kProbabilities}, {"y", kTargets}, {"z", kLogits}, {"c", kClassLogits}, {"k", kOneHot}});
  EXPECT_TRUE(outputs.ok()) << outputs.status();
  return outputs.ok() ? *outputs : TensorMap();
}

void ExpectScalar(const TensorMap& outputs, const std::string& name, double want) {
  ASSERT_TRUE(outputs.count(name)) << name;
  ExpectAllClose(outputs.at(name), Tensor({}, {static_cast<float>(want)}), 1e-6, 1e-7);
}

// F.binary_cross_entropy(p, y), F.binary_cross_entropy_with_logits(z, y),
// F.mse_loss(p, z), each with reduction 'mean' and 'sum'.
TEST(Losses, ElementwiseLossesAsPyTorch) {
  const TensorMap out = RunLosses([](Model& m, Var p, Var y, Var z, Var, Var) {
    m.Output("bce", losses::BinaryCrossEntropy(p, y));
    m.Output("bce_sum", losses::BinaryCrossEntropy(p, y, Reduction::kSum));
    m.Output("bce_logits", losses::BinaryCrossEntropyWithLogits(z, y));
    m.Output("bce_logits_sum", losses::BinaryCrossEntropyWithLogits(z, y, Reduction::kSum));
    m.Output("mse", losses::MeanSquaredError(p, z));
    m.Output("mse_sum", losses::MeanSquaredError(p, z, Reduction::kSum));
  });
  ExpectScalar(out, "bce", 0.34055041584399376);
  ExpectScalar(out, "bce_sum", 2.0433024950639624);
  ExpectScalar(out, "bce_logits", 0.3232756411398741);
  ExpectScalar(out, "bce_logits_sum", 1.9396538468392446);
  ExpectScalar(out, "mse", 3440.8820833333334);
  ExpectScalar(out, "mse_sum", 20645.2925);
}

// F.cross_entropy(c, labels) with labels [1, 2, 0], 'mean' and 'sum'.
TEST(Losses, SoftmaxCrossEntropyAsPyTorch) {
  const TensorMap out = RunLosses([](Model& m, Var, Var, Var, Var c, Var k) {
    m.Output("ce", losses::SoftmaxCrossEntropy(c, k));
    m.Output("ce_sum", losses::SoftmaxCrossEntropy(c, k, Reduction::kSum));
  });
  ExpectScalar(out, "ce", 0.8310174402272166);
  ExpectScalar(out, "ce_sum", 2.4930523206816497);
}

// ((p > 0.5) == y).mean() and (c.argmax(-1) == labels).mean(): 4 of 6
// elements, 2 of 3 examples (the tie counts for class 0, as argmax's first).
TEST(Losses, Accuracies) {
  const TensorMap out = RunLosses([](Model& m, Var p, Var y, Var, Var c, Var k) {
    m.Output("binary", losses::BinaryAccuracy(p, y));
    m.Output("categorical", losses::CategoricalAccuracy(c, k));
  });
  ExpectScalar(out, "binary", 4.0 / 6);
  ExpectScalar(out, "categorical", 2.0 / 3);
}

// The losses' gradients with respect to predictions (and targets), against
// finite differences, on random values: probabilities kept inside (0, 1)
// by a sigmoid.
TEST(Losses, GradientsMatchFiniteDifferences) {
  Model m("loss_gradients");
  Var a = m.Input("a", {4, 3});
  Var t = m.Input("t", {4, 3});
  Var p = Sigmoid(a);
  Var total = losses::BinaryCrossEntropy(p, Sigmoid(t)) +
              losses::BinaryCrossEntropyWithLogits(a, t, Reduction::kSum) +
              losses::MeanSquaredError(p, t) + losses::SoftmaxCrossEntropy(a, Softmax(t));
  m.Output("y", total);
  absl::StatusOr<ir::Graph> graph = m.Build();
  ASSERT_TRUE(graph.ok()) << graph.status();
  GradientCheck check;
  check.forward = *std::move(graph);
  ExpectGradientsMatchFiniteDifferences(check);
}

}  // namespace
}  // namespace rnnc
