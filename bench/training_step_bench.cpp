// One training step of the target model on every rnnc backend that runs
// gradient graphs: GRU(28→128, reset after, PyTorch's) → Dense(128→10) →
// softmax cross-entropy over 10 classes, T = 28, N = 64 (Fashion-MNIST read
// row by row). A step is one run of the gradient graph: the forward pass,
// the loss and every weight's gradient, the weights passed as inputs as a
// training loop passes them (compiled once, run with new weights each step).
// bench/peers/torch_training_step.py times PyTorch's forward + loss +
// backward of the same model; bench/compare_training.py joins the two.
// Benchmarks are named
//
//   <backend>/train/gru_after/T:<T>/N:<N>/I:<I>/H:<H>/C:<classes>/threads:<k>
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

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "backends/interp/Interpreter.h"
#include "backends/llvm/LlvmBackend.h"
#include "benchmark/benchmark.h"
#include "frontend/DSL.h"
#include "frontend/Losses.h"
#include "training/Differentiate.h"
#include "training/ParamsAsInputs.h"

namespace rnnc {
namespace {

constexpr int64_t kSteps = 28, kBatch = 64, kInput = 28, kHidden = 128, kClasses = 10;

// The gradient graph (weights as inputs) and one step's inputs: the
// PyTorch-initialised weights, x, and one-hot labels.
struct TrainingStep {
  ir::Graph gradients;
  TensorMap inputs;
};

absl::StatusOr<TrainingStep> MakeTrainingStep() {
  Model model("fashion_mnist_gru", 1);
  Var x = model.Input("x", {dims::T, dims::N, kInput});
  Var last = nn::GRU(model, "gru", nn::GRUOptions(kInput, kHidden).return_sequences(false))(x);
  Var logits = nn::Dense(model, "fc", nn::DenseOptions(kHidden, kClasses))(last);  // (N, 10)
  Var labels = model.Input("labels", {dims::N, kClasses});
  model.Output("loss", losses::SoftmaxCrossEntropy(logits, labels));
  absl::StatusOr<ir::Graph> forward = model.Build();
  if (!forward.ok()) return forward.status();
  absl::StatusOr<ir::Graph> gradients = training::Differentiate(*forward, {});
  if (!gradients.ok()) return gradients.status();

  TensorMap inputs = model.weights();
  Tensor pixels({kSteps, kBatch, kInput});
  for (int64_t i = 0; i < pixels.num_elements(); ++i) pixels.data()[i] = (i % 17) / 17.0f;
  Tensor one_hot({kBatch, kClasses});
  for (int64_t n = 0; n < kBatch; ++n) one_hot.data()[n * kClasses + (n * 7) % kClasses] = 1;
  inputs["x"] = std::move(pixels);
  inputs["labels"] = std::move(one_hot);
  return TrainingStep{training::ParamsAsInputs(*gradients), std::move(inputs)};
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

void RunStep(benchmark::State& state, const Backend& backend, int threads) {
  omp_set_num_threads(threads);
  absl::StatusOr<TrainingStep> step = MakeTrainingStep();
  using Clock = std::chrono::steady_clock;
  const Clock::time_point compile_start = Clock::now();
  absl::StatusOr<std::unique_ptr<Executable>> executable =
      step.ok() ? backend.compile(step->gradients, {}) : step.status();
  const Clock::duration compile_time = Clock::now() - compile_start;
  // The first run allocates what a backend allocates per (T, N); not timed.
  absl::Status status =
      executable.ok() ? (*executable)->Run(step->inputs).status() : executable.status();
  if (!status.ok()) {
    state.SkipWithError(std::string(status.message()).c_str());
    return;
  }
  Clock::duration fastest = Clock::duration::max();
  for (auto _ : state) {
    const Clock::time_point begin = Clock::now();
    absl::StatusOr<TensorMap> outputs = (*executable)->Run(step->inputs);
    fastest = std::min(fastest, Clock::now() - begin);
    if (!outputs.ok()) {
      state.SkipWithError(std::string(outputs.status().message()).c_str());
      return;
    }
    benchmark::DoNotOptimize(outputs);
  }
  state.counters["min_ms"] = std::chrono::duration<double, std::milli>(fastest).count();
  state.counters["compile_ms"] = std::chrono::duration<double, std::milli>(compile_time).count();
}

void RegisterSteps() {
  for (const Backend& backend : kBackends) {
    for (int threads : {1, 2}) {
      const std::string name =
          absl::StrCat(backend.name, "/train/gru_after/T:", kSteps, "/N:", kBatch, "/I:", kInput,
                       "/H:", kHidden, "/C:", kClasses, "/threads:", threads);
      benchmark::RegisterBenchmark(name.c_str(), [&backend, threads](benchmark::State& state) {
        RunStep(state, backend, threads);
      })
          ->Unit(benchmark::kMillisecond)
          ->UseRealTime();
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
