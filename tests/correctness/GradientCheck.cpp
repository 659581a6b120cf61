// Finite-difference checks of differentiate (see GradientCheck.h).
#include "tests/correctness/GradientCheck.h"

#include <cmath>
#include <numeric>

#include "absl/strings/str_cat.h"
#include "backends/interp/Interpreter.h"
#include "gtest/gtest.h"
#include "ir/Parser.h"
#include "ir/Printer.h"
#include "ir/ShapeInference.h"
#include "tests/TestTensors.h"

namespace rnnc {
namespace {

constexpr double kStep = 0.03;
constexpr double kTolerance = 1e-3;

ir::Value* FindOutput(const ir::Graph& graph, const std::string& name) {
  for (const ir::GraphOutput& output : graph.outputs()) {
    if (output.name == name) return output.value;
  }
  return nullptr;
}

absl::StatusOr<TensorMap> Run(const ir::Graph& graph, const TensorMap& weights,
                              const TensorMap& inputs) {
  absl::StatusOr<std::unique_ptr<Executable>> executable =
      interp::CompileForInterpreter(graph, weights);
  if (!executable.ok()) return executable.status();
  return (*executable)->Run(inputs);
}

// Random data for every param and input of `check.forward`, and R.
struct Data {
  TensorMap weights;
  TensorMap inputs;  // with loss.r
};

Data MakeData(const GradientCheck& check) {
  Data data;
  uint32_t seed = check.seed;
  auto make = [&](const ir::Value* value, std::vector<int64_t> shape) {
    Tensor tensor = RandomTensor(std::move(shape), seed++ * 7919);
    for (float& v : tensor.values()) {
      // N(0, 0.5²): weights of N(0, 1) drive stacked tanh layers into
      // saturation, where the high derivatives make differences inexact.
      v *= 0.5f;
      if (check.away_from_zero) v += v < 0 ? -0.2f : 0.2f;
      if (check.positive.count(value->name())) v = std::abs(v) + 0.5f;
    }
    return tensor;
  };
  for (const ir::Value* param : check.forward.params()) {
    data.weights[param->name()] = make(param, param->type().Resolve({}).value());
  }
  for (const ir::Value* input : check.forward.inputs()) {
    auto it = check.input_shapes.find(input->name());
    data.inputs[input->name()] =
        make(input, it != check.input_shapes.end() ? it->second : input->type().Resolve({}).value());
  }
  absl::StatusOr<TensorMap> outputs = Run(check.forward, data.weights, data.inputs);
  EXPECT_TRUE(outputs.ok()) << outputs.status();
  if (outputs.ok()) data.inputs["loss.r"] = RandomTensor(outputs->at("y").shape(), seed * 7919);
  return data;
}

// Σ y · R in double.
double Loss(const ir::Graph& forward, const TensorMap& weights, const TensorMap& inputs) {
  TensorMap forward_inputs = inputs;
  forward_inputs.erase("loss.r");
  absl::StatusOr<TensorMap> outputs = Run(forward, weights, forward_inputs);
  EXPECT_TRUE(outputs.ok()) << outputs.status();
  if (!outputs.ok()) return NAN;
  const Tensor& y = outputs->at("y");
  const Tensor& r = inputs.at("loss.r");
  double sum = 0;
  for (int64_t e = 0; e < y.num_elements(); ++e) sum += double{y.data()[e]} * r.data()[e];
  return sum;
}

}  // namespace

ir::Graph WithLoss(const ir::Graph& forward) {
  ir::Graph graph = forward;
  ir::Value* y = FindOutput(graph, "y");
  ir::Value* r = graph.AddInput("loss.r", y->type());
  auto append = [&](ir::OpKind kind, ir::Value* operand, ir::Value* other,
                    ir::AttributeMap attributes, const std::string& name) {
    std::vector<ir::Value*> operands = {operand};
    if (other != nullptr) operands.push_back(other);
    std::vector<ir::TensorType> types;
    for (const ir::Value* v : operands) types.push_back(v->type());
    absl::StatusOr<std::vector<ir::TensorType>> results =
        ir::InferResultTypes(kind, types, attributes);
    EXPECT_TRUE(results.ok()) << results.status();
    return graph.AppendOp(graph.body(), kind, operands, attributes, results.value(), {name})
        ->result(0);
  };
  std::vector<int64_t> axes(y->type().rank());
  std::iota(axes.begin(), axes.end(), 0);
  ir::Value* terms = append(ir::OpKind::Mul, y, r, {}, "loss.terms");
  graph.AddOutput("loss", append(ir::OpKind::ReduceSum, terms, nullptr, {{"axes", axes}}, "loss"));
  return graph;
}

TensorMap RunOnCheckData(const GradientCheck& check, const ir::Graph& graph) {
  const Data data = MakeData(check);
  absl::StatusOr<TensorMap> outputs = Run(graph, data.weights, data.inputs);
  EXPECT_TRUE(outputs.ok()) << outputs.status() << "\n" << ir::PrintGraph(graph);
  return outputs.ok() ? *outputs : TensorMap();
}

TensorMap RunGradientGraph(const GradientCheck& check) {
  absl::StatusOr<ir::Graph> gradients = training::Differentiate(WithLoss(check.forward), check.options);
  EXPECT_TRUE(gradients.ok()) << gradients.status();
  return gradients.ok() ? RunOnCheckData(check, *gradients) : TensorMap();
}

GradientErrors ExpectGradientsMatchFiniteDifferences(const GradientCheck& check) {
  GradientErrors errors;
  GradientCheck with_inputs = check;
  with_inputs.options.input_gradients = true;
  const TensorMap gradients = RunGradientGraph(with_inputs);
  if (gradients.empty()) return errors;
  const Data data = MakeData(check);

  // Moves element e of `tensor` (in `weights` or `inputs`) and returns D.
  auto difference = [&](bool is_weight, const std::string& name, int64_t e) {
    TensorMap weights = data.weights;
    TensorMap inputs = data.inputs;
    float& element = (is_weight ? weights : inputs).at(name).data()[e];
    const float original = element;
    auto central = [&](double h) {
      // The step actually taken, after rounding θ ± h to f32.
      element = static_cast<float>(original + h);
      const double up = element;
      const double loss_up = Loss(check.forward, weights, inputs);
      element = static_cast<float>(original - h);
      const double down = element;
      const double loss_down = Loss(check.forward, weights, inputs);
      return (loss_up - loss_down) / (up - down);
    };
    const double coarse = central(kStep);
    const double fine = central(kStep / 2);
    return (4 * fine - coarse) / 3;
  };
  auto check_all = [&](bool is_weight, const TensorMap& tensors) {
    for (const auto& [name, tensor] : tensors) {
      if (name == "loss.r") continue;
      const Tensor& analytic = gradients.at("grad." + name);
      ASSERT_EQ(analytic.shape(), tensor.shape()) << name;
      for (int64_t e = 0; e < tensor.num_elements(); ++e) {
        const double numeric = difference(is_weight, name, e);
        const double error = std::abs(analytic.data()[e] - numeric);
        errors.worst_absolute = std::max(errors.worst_absolute, error);
        errors.worst_relative =
            std::max(errors.worst_relative, error / std::max(std::abs(numeric), 1e-3));
        ++errors.elements;
        EXPECT_LE(error, kTolerance + kTolerance * std::abs(numeric))
            << "grad." << name << "[" << e << "]: differentiate " << analytic.data()[e]
            << ", finite differences " << numeric;
      }
    }
  };
  check_all(/*is_weight=*/true, data.weights);
  check_all(/*is_weight=*/false, data.inputs);
  std::cout << "[ gradient ] " << errors.elements << " elements, worst |error| "
            << errors.worst_absolute << ", worst relative " << errors.worst_relative << "\n";
  return errors;
}

GradientErrors ExpectGradientsMatchFiniteDifferences(
    const std::string& forward_text, std::map<std::string, std::vector<int64_t>> input_shapes,
    bool away_from_zero, std::set<std::string> positive) {
  absl::StatusOr<ir::Graph> forward = ir::ParseGraph(forward_text);
  EXPECT_TRUE(forward.ok()) << forward.status();
  if (!forward.ok()) return {};
  GradientCheck check;
  check.forward = *std::move(forward);
  check.input_shapes = std::move(input_shapes);
  check.positive = std::move(positive);
  check.away_from_zero = away_from_zero;
  return ExpectGradientsMatchFiniteDifferences(check);
}

}  // namespace rnnc
