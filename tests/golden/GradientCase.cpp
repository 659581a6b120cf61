// Running a PyTorch gradient case on a backend (GradientCase.h).
#include "tests/golden/GradientCase.h"

#include <algorithm>
#include <cmath>
#include <iostream>

#include "gtest/gtest.h"
#include "ir/ShapeInference.h"
#include "runtime/Safetensors.h"
#include "tests/TestTensors.h"
#include "tests/golden/GoldenCase.h"
#include "training/Differentiate.h"

namespace rnnc::golden {

namespace {

constexpr double kRelativeTolerance = 1e-4;
constexpr double kAbsoluteTolerance = 1e-6;

std::string GradientDataDirectory() { return GoldenDataDirectory() + "/gradients"; }

ir::Value* Append(ir::Graph& graph, ir::OpKind kind, std::vector<ir::Value*> operands,
                  ir::AttributeMap attributes = {}) {
  std::vector<ir::TensorType> types;
  for (const ir::Value* v : operands) types.push_back(v->type());
  absl::StatusOr<std::vector<ir::TensorType>> results =
      ir::InferResultTypes(kind, types, attributes);
  EXPECT_TRUE(results.ok()) << results.status();
  return graph.AppendOp(graph.body(), kind, std::move(operands), std::move(attributes),
                        results.value())
      ->result(0);
}

// The case's graph with inputs r.<result> and the scalar output "loss".
ir::Graph WithLoss(const ir::Graph& forward) {
  ir::Graph graph = forward;
  ir::Value* loss = nullptr;
  const std::vector<ir::GraphOutput> results = graph.outputs();
  for (const ir::GraphOutput& output : results) {
    ir::Value* result = output.value;
    ir::Value* r = graph.AddInput("r." + output.name, result->type());
    std::vector<int64_t> axes(result->type().rank());
    for (size_t i = 0; i < axes.size(); ++i) axes[i] = static_cast<int64_t>(i);
    ir::Value* term = Append(graph, ir::OpKind::ReduceSum,
                             {Append(graph, ir::OpKind::Mul, {result, r})}, {{"axes", axes}});
    loss = loss == nullptr ? term : Append(graph, ir::OpKind::Add, {loss, term});
  }
  graph.AddOutput("loss", loss);
  return graph;
}

}  // namespace

std::vector<std::string> GradientCases() { return ListGoldenCases(GradientDataDirectory()); }

void ExpectGradientCaseMatchesPyTorch(const std::string& path,
                                      const CompileGradientGraph& compile) {
  absl::StatusOr<GoldenCase> golden = LoadGoldenCase(path);
  ASSERT_TRUE(golden.ok()) << golden.status();
  absl::StatusOr<SafetensorsFile> file = ReadSafetensors(path);
  ASSERT_TRUE(file.ok()) << file.status();

  training::DifferentiateOptions options;
  options.input_gradients = true;
  absl::StatusOr<ir::Graph> gradients = training::Differentiate(WithLoss(golden->graph), options);
  ASSERT_TRUE(gradients.ok()) << gradients.status();
  TensorMap inputs = golden->inputs;
  for (const auto& [name, tensor] : file->tensors) {
    if (name.starts_with("r.")) inputs[name] = tensor;
  }
  absl::StatusOr<std::unique_ptr<Executable>> executable = compile(*gradients, golden->weights);
  ASSERT_TRUE(executable.ok()) << executable.status();
  absl::StatusOr<TensorMap> outputs = (*executable)->Run(inputs);
  ASSERT_TRUE(outputs.ok()) << outputs.status();

  int64_t checked = 0;
  double worst = 0;  // |got - want| / (|want| + 1e-6), for the record
  for (const auto& [name, want] : file->tensors) {
    if (!name.starts_with("grad.")) continue;
    SCOPED_TRACE(name);
    ASSERT_EQ(outputs->count(name), 1u);
    const Tensor& got = outputs->at(name);
    ExpectAllClose(got, want, kRelativeTolerance, kAbsoluteTolerance);
    for (int64_t e = 0; e < std::min(got.num_elements(), want.num_elements()); ++e) {
      worst = std::max(worst, std::abs(got.data()[e] - want.data()[e]) /
                                  (std::abs(want.data()[e]) + kAbsoluteTolerance));
    }
    ++checked;
  }
  std::cout << "[ gradient ] " << checked << " gradients, worst relative error " << worst << "\n";
  // Every weight, x, and the initial states when the case has them.
  EXPECT_EQ(checked, static_cast<int64_t>(golden->weights.size() + golden->inputs.size()));
}

}  // namespace rnnc::golden
