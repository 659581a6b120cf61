// One training step of two models on every rnnc backend that runs gradient
// graphs:
//
//   gru_after: GRU(28→128, reset after, PyTorch's) → Dense(128→10) →
//     softmax cross-entropy over 10 classes, T = 28, N = 64 (Fashion-MNIST
//     read row by row);
//   keras_seed: the stacked-GRU classifier of examples/Models.h (GRU 50→128
//     returning sequences, GRU 128→64, Dense 64→1, sigmoid) → binary
//     cross-entropy, N = 32, at T = 10 and T = 100.
//
// A step is one run of the gradient graph: the forward pass, the loss and
// every weight's gradient, the weights passed as inputs as a training loop
// passes them (compiled once, run with new weights each step), into outputs
// kept from one step to the next as the Trainer keeps them.
// bench/peers/torch_training_step.py times PyTorch's forward + loss +
// backward of the same models; bench/compare_training.py joins the two.
// Benchmarks are named
//
//   <backend>/train/gru_after/T:<T>/N:<N>/I:<I>/H:<H>/C:<classes>/threads:<k>
//   <backend>/train/keras_seed/T:<T>/N:<N>/I:<I>/H1:<H1>/H2:<H2>/threads:<k>
//
// and report min_ms, the fastest single step (other processes on a shared
// machine only ever add time), beside Google Benchmark's mean real time, and
// compile_ms, what making the executable took (passes and JIT for llvm),
// paid once per training run.
#include <omp.h>

#include <algorithm>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "backends/interp/Interpreter.h"
#include "backends/llvm/LlvmBackend.h"
#include "benchmark/benchmark.h"
#include "examples/Models.h"
#include "frontend/DSL.h"
#include "frontend/Losses.h"
#include "training/Differentiate.h"
#include "training/ParamsAsInputs.h"

namespace rnnc {
namespace {

// The gradient graph (weights as inputs) and one step's inputs: the
// PyTorch-initialised weights, x, and the labels.
struct TrainingStep {
  ir::Graph gradients;
  TensorMap inputs;
};

// `model` with the loss "loss" added, differentiated, its weights and the
// inputs `x` and `labels` as one step's inputs.
absl::StatusOr<TrainingStep> Differentiated(Model& model, Tensor x, Tensor labels) {
  absl::StatusOr<ir::Graph> forward = model.Build();
  if (!forward.ok()) return forward.status();
  absl::StatusOr<ir::Graph> gradients = training::Differentiate(*forward, {});
  if (!gradients.ok()) return gradients.status();
  TensorMap inputs = model.weights();
  inputs["x"] = std::move(x);
  inputs["labels"] = std::move(labels);
  return TrainingStep{training::ParamsAsInputs(*gradients), std::move(inputs)};
}

// x (T, N, I) of pixel-like values in [0, 1).
Tensor Pixels(int64_t steps, int64_t batch, int64_t input) {
  Tensor pixels({steps, batch, input});
  for (int64_t i = 0; i < pixels.num_elements(); ++i) pixels.data()[i] = (i % 17) / 17.0f;
  return pixels;
}

constexpr int64_t kFashionSteps = 28, kFashionBatch = 64, kFashionInput = 28, kFashionHidden = 128,
                  kClasses = 10;

absl::StatusOr<TrainingStep> MakeFashionMnistStep(int64_t steps) {
  Model model("fashion_mnist_gru", 1);
  Var x = model.Input("x", {dims::T, dims::N, kFashionInput});
  Var last = nn::GRU(model, "gru",
                     nn::GRUOptions(kFashionInput, kFashionHidden).return_sequences(false))(x);
  Var logits = nn::Dense(model, "fc", nn::DenseOptions(kFashionHidden, kClasses))(last);  // (N, 10)
  Var labels = model.Input("labels", {dims::N, kClasses});
  model.Output("loss", losses::SoftmaxCrossEntropy(logits, labels));
  Tensor one_hot({kFashionBatch, kClasses});
  for (int64_t n = 0; n < kFashionBatch; ++n) one_hot.data()[n * kClasses + (n * 7) % kClasses] = 1;
  return Differentiated(model, Pixels(steps, kFashionBatch, kFashionInput), std::move(one_hot));
}

constexpr int64_t kKerasBatch = 32, kKerasInput = 50, kKerasHidden1 = 128, kKerasHidden2 = 64;

absl::StatusOr<TrainingStep> MakeKerasSeedStep(int64_t steps) {
  Model model("classifier", 1);
  examples::BuildGruClassifier(model);  // x (T, N, 50) → y (N, 1), a probability
  Var probabilities(&model, model.graph().outputs()[0].value);
  Var labels = model.Input("labels", {dims::N, 1});
  model.Output("loss", losses::BinaryCrossEntropy(probabilities, labels));
  Tensor classes({kKerasBatch, 1});
  for (int64_t n = 0; n < kKerasBatch; ++n) classes.data()[n] = static_cast<float>(n % 2);
  return Differentiated(model, Pixels(steps, kKerasBatch, kKerasInput), std::move(classes));
}

struct StepModel {
  std::string name;  // the benchmark name's model part
  int64_t steps;
  absl::StatusOr<TrainingStep> (*make)(int64_t steps);
  // The interpreter takes about a second a step at T = 100: left out there.
  bool on_interpreter;
};

std::vector<StepModel> StepModels() {
  std::vector<StepModel> models = {
      {absl::StrCat("gru_after/T:", kFashionSteps, "/N:", kFashionBatch, "/I:", kFashionInput,
                    "/H:", kFashionHidden, "/C:", kClasses),
       kFashionSteps, MakeFashionMnistStep, true}};
  for (int64_t steps : {10, 100}) {
    models.push_back({absl::StrCat("keras_seed/T:", steps, "/N:", kKerasBatch, "/I:", kKerasInput,
                                   "/H1:", kKerasHidden1, "/H2:", kKerasHidden2),
                      steps, MakeKerasSeedStep, steps <= 10});
  }
  return models;
}

using Compile =
    std::function<absl::StatusOr<std::unique_ptr<Executable>>(const ir::Graph&, TensorMap)>;

struct Backend {
  const char* name;
  Compile compile;
};

const Backend kBackends[] = {
    {"interp", [](const ir::Graph& g, TensorMap w) { return interp::CompileForInterpreter(g, w); }},
    {"llvm", [](const ir::Graph& g, TensorMap w) { return llvm_backend::CompileForLlvm(g, w); }},
};

void RunStep(benchmark::State& state, const StepModel& model, const Backend& backend, int threads) {
  omp_set_num_threads(threads);
  absl::StatusOr<TrainingStep> step = model.make(model.steps);
  using Clock = std::chrono::steady_clock;
  const Clock::time_point compile_start = Clock::now();
  absl::StatusOr<std::unique_ptr<Executable>> executable =
      step.ok() ? backend.compile(step->gradients, {}) : step.status();
  const Clock::duration compile_time = Clock::now() - compile_start;
  // The first run allocates what a backend allocates per (T, N) and the
  // outputs; not timed.
  TensorMap outputs;
  absl::Status status =
      executable.ok() ? (*executable)->Run(step->inputs, outputs) : executable.status();
  if (!status.ok()) {
    state.SkipWithError(std::string(status.message()).c_str());
    return;
  }
  Clock::duration fastest = Clock::duration::max();
  for (auto _ : state) {
    const Clock::time_point begin = Clock::now();
    status = (*executable)->Run(step->inputs, outputs);
    fastest = std::min(fastest, Clock::now() - begin);
    if (!status.ok()) {
      state.SkipWithError(std::string(status.message()).c_str());
      return;
    }
    benchmark::DoNotOptimize(outputs);
  }
  state.counters["min_ms"] = std::chrono::duration<double, std::milli>(fastest).count();
  state.counters["compile_ms"] = std::chrono::duration<double, std::milli>(compile_time).count();
}

void RegisterSteps() {
  // Registered benchmarks keep references: the models live as long as the program.
  static const std::vector<StepModel> models = StepModels();
  for (const StepModel& model : models) {
    for (const Backend& backend : kBackends) {
      if (std::string(backend.name) == "interp" && !model.on_interpreter) continue;
      for (int threads : {1, 2}) {
        const std::string name =
            absl::StrCat(backend.name, "/train/", model.name, "/threads:", threads);
        benchmark::RegisterBenchmark(name.c_str(),
                                     [&model, &backend, threads](benchmark::State& state) {
                                       RunStep(state, model, backend, threads);
                                     })
            ->Unit(benchmark::kMillisecond)
            ->UseRealTime();
      }
    }
  }
}

}  // namespace
}  // namespace rnnc

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  rnnc::RegisterSteps();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
