#include "tools/ModelBenchmark.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <random>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/strings/strip.h"
#include "ir/BindDims.h"
#include "ir/FlopCount.h"

namespace rnnc::tools {

namespace {

absl::StatusOr<TensorMap> RandomInputs(const ir::Graph& graph, const ir::BoundDims& bound) {
  std::mt19937 rng(1);
  std::normal_distribution<float> normal;
  TensorMap inputs;
  for (const ir::Value* input : graph.inputs()) {
    absl::StatusOr<std::vector<int64_t>> shape = input->type().Resolve(bound);
    if (!shape.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("input '", input->name(), "': ", shape.status().message(),
                       "; bind it with --dims, e.g. --dims=T=100,N=16"));
    }
    Tensor tensor(*shape);
    for (float& v : tensor.values()) v = normal(rng);
    inputs[input->name()] = std::move(tensor);
  }
  return inputs;
}

// Weights for a benchmark without a weights file: uniform in ±1/√fan_in,
// PyTorch's initialisation of recurrent and linear layers, with fan_in the
// last dim (a vector's own length).
TensorMap RandomWeights(const ir::Graph& graph) {
  std::mt19937 rng(2);
  TensorMap weights;
  for (const ir::Value* param : graph.params()) {
    const std::vector<int64_t> shape = param->type().Resolve({}).value_or(std::vector<int64_t>{});
    Tensor tensor(shape);
    const int64_t fan_in = shape.empty() ? 1 : std::max<int64_t>(shape.back(), 1);
    const float bound = 1.0f / std::sqrt(static_cast<float>(fan_in));
    std::uniform_real_distribution<float> uniform(-bound, bound);
    for (float& v : tensor.values()) v = uniform(rng);
    weights[param->name()] = std::move(tensor);
  }
  return weights;
}

double Percentile(const std::vector<double>& sorted, double p) {
  const size_t i = static_cast<size_t>(p * static_cast<double>(sorted.size() - 1) + 0.5);
  return sorted[std::min(i, sorted.size() - 1)];
}

}  // namespace

absl::StatusOr<ir::BoundDims> ParseDims(const std::string& text) {
  ir::BoundDims bound;
  for (absl::string_view part : absl::StrSplit(text, ',', absl::SkipWhitespace())) {
    std::vector<std::string> pieces = absl::StrSplit(part, '=');
    int64_t size = 0;
    if (pieces.size() != 2 || !absl::SimpleAtoi(pieces[1], &size) || size < 1) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "--dims: '%s' is not SYMBOL=SIZE with a positive size, e.g. T=100", std::string(part)));
    }
    bound[std::string(absl::StripAsciiWhitespace(pieces[0]))] = size;
  }
  return bound;
}

absl::StatusOr<BenchReport> BenchModel(const BenchRequest& request) {
  absl::StatusOr<ir::Graph> graph = LoadGraph(request.model.graph_path);
  if (!graph.ok()) return graph.status();
  absl::StatusOr<TensorMap> weights = request.model.weights_path.empty()
                                          ? RandomWeights(*graph)
                                          : LoadWeightsFile(request.model.weights_path);
  if (!weights.ok()) return weights.status();

  absl::StatusOr<TensorMap> inputs;
  if (!request.model.inputs_path.empty()) {
    inputs = LoadTensorsFile(request.model.inputs_path);
  } else {
    absl::StatusOr<ir::BoundDims> dims = ParseDims(request.dims);
    if (!dims.ok()) return dims.status();
    inputs = RandomInputs(*graph, *dims);
  }
  if (!inputs.ok()) return inputs.status();
  std::map<std::string, std::vector<int64_t>> shapes;
  for (const auto& [name, tensor] : *inputs) shapes[name] = tensor.shape();
  absl::StatusOr<ir::BoundDims> bound = ir::BindDims(*graph, shapes);
  if (!bound.ok()) return bound.status();

  absl::StatusOr<std::unique_ptr<Executable>> executable =
      Compile(request.model.backend, *graph, *std::move(weights));
  if (!executable.ok()) return executable.status();

  BenchReport report;
  report.backend = request.model.backend;
  report.bound = *bound;
  absl::StatusOr<int64_t> flops = ir::CountFlops(*graph, *bound);
  if (!flops.ok()) return flops.status();
  report.flops = *flops;

  // The first run pays for one-time work (primitive creation, allocation);
  // it is not a sample. Later runs write into its outputs, as a serving
  // loop would.
  TensorMap outputs;
  if (absl::Status warmup = (*executable)->Run(*inputs, outputs); !warmup.ok()) return warmup;
  std::vector<double> samples_ms;
  using Clock = std::chrono::steady_clock;
  const Clock::time_point start = Clock::now();
  while (static_cast<int64_t>(samples_ms.size()) < request.min_runs ||
         std::chrono::duration<double>(Clock::now() - start).count() < request.min_seconds) {
    const Clock::time_point before = Clock::now();
    if (absl::Status run = (*executable)->Run(*inputs, outputs); !run.ok()) return run;
    samples_ms.push_back(std::chrono::duration<double, std::milli>(Clock::now() - before).count());
  }
  std::sort(samples_ms.begin(), samples_ms.end());
  report.runs = static_cast<int64_t>(samples_ms.size());
  report.min_ms = samples_ms.front();
  report.p50_ms = Percentile(samples_ms, 0.5);
  report.p90_ms = Percentile(samples_ms, 0.9);
  report.p99_ms = Percentile(samples_ms, 0.99);
  double sum = 0;
  for (double ms : samples_ms) sum += ms;
  report.mean_ms = sum / static_cast<double>(samples_ms.size());
  return report;
}

std::string FormatBenchReport(const BenchReport& report) {
  std::vector<std::string> dims;
  std::map<std::string, int64_t> ordered(report.bound.begin(), report.bound.end());
  for (const auto& [symbol, size] : ordered) dims.push_back(absl::StrCat(symbol, "=", size));
  std::string text = absl::StrFormat("backend %s, %s, %d runs\n", report.backend,
                                     absl::StrJoin(dims, " "), report.runs);
  absl::StrAppendFormat(&text, "latency ms: min %.3f  p50 %.3f  p90 %.3f  p99 %.3f  mean %.3f\n",
                        report.min_ms, report.p50_ms, report.p90_ms, report.p99_ms, report.mean_ms);
  const double runs_per_second = 1000.0 / report.p50_ms;
  auto batch = report.bound.find("N");
  if (batch != report.bound.end()) {
    absl::StrAppendFormat(&text, "throughput: %.1f sequences/s (N=%d per run, at p50)\n",
                          runs_per_second * static_cast<double>(batch->second), batch->second);
  } else {
    absl::StrAppendFormat(&text, "throughput: %.1f runs/s (at p50)\n", runs_per_second);
  }
  absl::StrAppendFormat(&text, "compute: %.3f GFLOP per run, %.2f GFLOP/s (at p50)\n",
                        static_cast<double>(report.flops) / 1e9,
                        static_cast<double>(report.flops) / 1e6 / report.p50_ms);
  return text;
}

}  // namespace rnnc::tools
