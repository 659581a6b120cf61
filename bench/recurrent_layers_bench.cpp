// Single recurrent layers on every rnnc backend, over the grid the project
// compares with PyTorch and ONNX Runtime (bench/compare.py). A benchmark is
// named
//
//   <backend>/<cell>/<direction>/T:<T>/N:<N>/I:<I>/H:<H>/threads:<k>
//
// and reports the wall-clock time of one inference in ms, and GFLOPS: the
// layer's 2·T·N·G·H·(I+H) FLOPs (G = 4 lstm, 3 gru, 1 rnn; twice that
// bidirectional) divided by the wall-clock time per run that the benchmark
// itself measured around its timed loop, in units of 1e9/s. It is a plain
// counter, not one of Google Benchmark's rates, which divide by CPU time
// unless told otherwise and count every OpenMP thread's time. min_ms is the
// fastest single run: on a shared machine, other processes only ever add to
// a run's time, so it is the steadiest figure for comparing two backends.
//
// Backends: `onednn` is Executable::Run of CompileForOnednn end to end
// (binding dims, the interpreter around the kernel, writing into the
// caller's output tensors kept from the previous run); `onednn_direct` is the same oneDNN primitive executed directly
// on buffers prepared beforehand, the floor of what the backend can do;
// `llvm` is Executable::Run of CompileForLlvm end to end; `aot` is the same
// lowering compiled ahead of time into a shared library (every matmul
// inline, no oneDNN) and run through LoadCompiledModel, and `aot_onednn`
// that library with large matmuls on oneDNN's sgemm, as the JIT does. A
// backend joins the grid with one row in kBackends.
#include <omp.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <filesystem>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "aot/CompileToLibrary.h"
#include "backends/llvm/LlvmBackend.h"
#include "backends/onednn/DirectPrimitive.h"
#include "backends/onednn/OnednnBackend.h"
#include "benchmark/benchmark.h"
#include "frontend/DSL.h"
#include "oneapi/dnnl/dnnl.h"
#include "runtime/CompiledModel.h"

namespace rnnc {
namespace {

// One layer: its cell (rnn_tanh, lstm, gru_after, gru_before), direction
// (forward or bidirectional), and sizes.
struct Problem {
  std::string cell;
  std::string direction;
  int64_t steps, batch, input_size, hidden_size;

  double Flops() const {
    const int64_t gates = cell == "lstm" ? 4 : cell == "rnn_tanh" ? 1 : 3;
    return 2.0 * steps * batch * gates * hidden_size * (input_size + hidden_size) *
           (direction == "bidirectional" ? 2 : 1);
  }
};

// The problem as a model: the graph of its one layer op, seeded weights and
// a random input x (T, N, I).
struct PreparedModel {
  ir::Graph graph;
  TensorMap weights;
  Tensor x;
};

absl::StatusOr<PreparedModel> MakeModel(const Problem& problem) {
  Model model("bench", 1);
  Var x = model.Input("x", {dims::T, dims::N, problem.input_size});
  nn::RecurrentOptions options(problem.input_size, problem.hidden_size);
  options.bidirectional(problem.direction == "bidirectional");
  options.reset(problem.cell == "gru_before" ? nn::Reset::kBefore : nn::Reset::kAfter);
  Var y;
  if (problem.cell == "lstm") {
    y = nn::LSTM(model, "layer", options)(x);
  } else if (problem.cell == "rnn_tanh") {
    y = nn::RNN(model, "layer", options)(x);
  } else {
    y = nn::GRU(model, "layer", options)(x);
  }
  model.Output("y", y);
  absl::StatusOr<ir::Graph> graph = model.Build();
  if (!graph.ok()) return graph.status();
  Tensor input({problem.steps, problem.batch, problem.input_size});
  for (int64_t i = 0; i < input.num_elements(); ++i) input.data()[i] = (i % 17) / 17.0f - 0.5f;
  return PreparedModel{*std::move(graph), model.weights(), std::move(input)};
}

// Something that runs a prepared model once per call.
using Runner = std::function<absl::Status()>;
using RunnerFactory = std::function<absl::StatusOr<Runner>(const PreparedModel&)>;

// Executable::Run end to end, for any backend's compile function.
using Compile =
    std::function<absl::StatusOr<std::unique_ptr<Executable>>(const ir::Graph&, TensorMap)>;
absl::StatusOr<Runner> ExecutableRunner(const Compile& compile, const PreparedModel& model) {
  absl::StatusOr<std::unique_ptr<Executable>> compiled = compile(model.graph, model.weights);
  if (!compiled.ok()) return compiled.status();
  std::shared_ptr<Executable> executable = *std::move(compiled);
  auto inputs = std::make_shared<TensorMap>(TensorMap{{"x", model.x}});
  // Kept across runs, so that each run writes into the previous one's
  // buffers, as the direct primitive does.
  auto outputs = std::make_shared<TensorMap>();
  return Runner([executable, inputs, outputs]() -> absl::Status {
    absl::Status status = executable->Run(*inputs, *outputs);
    benchmark::DoNotOptimize(outputs.get());
    return status;
  });
}

absl::StatusOr<Runner> OnednnRunner(const PreparedModel& model) {
  return ExecutableRunner(onednn::CompileForOnednn, model);
}

absl::StatusOr<Runner> OnednnDirectRunner(const PreparedModel& model) {
  absl::StatusOr<std::unique_ptr<onednn::DirectPrimitive>> created =
      onednn::DirectPrimitive::Create(model.graph, model.weights, model.x);
  if (!created.ok()) return created.status();
  std::shared_ptr<onednn::DirectPrimitive> primitive = *std::move(created);
  return Runner([primitive] { return primitive->Execute(); });
}

absl::StatusOr<Runner> LlvmRunner(const PreparedModel& model) {
  return ExecutableRunner(
      [](const ir::Graph& graph, TensorMap weights) {
        return llvm_backend::CompileForLlvm(graph, std::move(weights));
      },
      model);
}

// The model compiled into a library in the temporary directory and loaded.
absl::StatusOr<std::unique_ptr<Executable>> CompileAndLoadLibrary(const ir::Graph& graph,
                                                                  const TensorMap& weights,
                                                                  bool onednn_gemm) {
  aot::LibraryOptions options;
  options.onednn_gemm = onednn_gemm;
  const std::string base = absl::StrCat(std::filesystem::temp_directory_path().string(),
                                        "/rnnc_bench_", getpid(), onednn_gemm ? "_onednn" : "");
  const std::string library = base + ".so";
  if (absl::Status status =
          aot::CompileToSharedLibrary(graph, weights, library, base + ".h", options);
      !status.ok()) {
    return status;
  }
  // A library stays mapped after its file is gone; the next problem's
  // library reuses the name, which dlopen must not take for this one.
  absl::StatusOr<std::unique_ptr<Executable>> loaded = LoadCompiledModel(library);
  std::filesystem::remove(library);
  std::filesystem::remove(base + ".h");
  return loaded;
}

absl::StatusOr<Runner> AotRunner(const PreparedModel& model) {
  return ExecutableRunner(
      [](const ir::Graph& graph, TensorMap weights) {
        return CompileAndLoadLibrary(graph, weights, /*onednn_gemm=*/false);
      },
      model);
}

absl::StatusOr<Runner> AotOnednnRunner(const PreparedModel& model) {
  return ExecutableRunner(
      [](const ir::Graph& graph, TensorMap weights) {
        return CompileAndLoadLibrary(graph, weights, /*onednn_gemm=*/true);
      },
      model);
}

struct Backend {
  const char* name;
  RunnerFactory make;
};

const Backend kBackends[] = {
    {"onednn", OnednnRunner}, {"onednn_direct", OnednnDirectRunner}, {"llvm", LlvmRunner},
    {"aot", AotRunner},       {"aot_onednn", AotOnednnRunner},
};

void RunProblem(benchmark::State& state, const Backend& backend, const Problem& problem,
                int threads) {
  omp_set_num_threads(threads);
  absl::StatusOr<PreparedModel> model = MakeModel(problem);
  absl::StatusOr<Runner> runner = model.ok() ? backend.make(*model) : model.status();
  // The first run builds what a backend builds per (T, N); it is not timed.
  absl::Status status = runner.ok() ? (*runner)() : runner.status();
  if (!status.ok()) {
    state.SkipWithError(std::string(status.message()).c_str());
    return;
  }
  using Clock = std::chrono::steady_clock;
  const Clock::time_point start = Clock::now();
  Clock::duration fastest = Clock::duration::max();
  for (auto _ : state) {
    const Clock::time_point begin = Clock::now();
    if (absl::Status run = (*runner)(); !run.ok()) {
      state.SkipWithError(std::string(run.message()).c_str());
      return;
    }
    fastest = std::min(fastest, Clock::now() - begin);
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  state.counters["GFLOPS"] = problem.Flops() * static_cast<double>(state.iterations()) / seconds / 1e9;
  state.counters["min_ms"] = std::chrono::duration<double, std::milli>(fastest).count();
}

// startup/aot/...: dlopen + create + the first run of a fresh copy of the
// compiled library (a new file each time, so that the dynamic loader maps
// and relocates it anew; the page cache is warm), the latency a program
// that links a model pays before its first answer. startup/llvm/...: the
// JIT's CompileForLlvm + first run, what it pays instead. Counters: the
// library's size in bytes and how many of them are weights, and the time
// the AOT compile (passes, LLVM, link) took once.
void RunStartup(benchmark::State& state, const Problem& problem, bool aot) {
  omp_set_num_threads(1);
  absl::StatusOr<PreparedModel> model = MakeModel(problem);
  if (!model.ok()) {
    state.SkipWithError(std::string(model.status().message()).c_str());
    return;
  }
  const TensorMap inputs = {{"x", model->x}};
  namespace fs = std::filesystem;
  const std::string base =
      absl::StrCat(fs::temp_directory_path().string(), "/rnnc_startup_", getpid());
  using Clock = std::chrono::steady_clock;
  if (aot) {
    const Clock::time_point start = Clock::now();
    if (absl::Status status =
            aot::CompileToSharedLibrary(model->graph, model->weights, base + ".so", base + ".h");
        !status.ok()) {
      state.SkipWithError(std::string(status.message()).c_str());
      return;
    }
    state.counters["compile_ms"] =
        std::chrono::duration<double, std::milli>(Clock::now() - start).count();
    state.counters["file_bytes"] = static_cast<double>(fs::file_size(base + ".so"));
    int64_t weight_floats = 0;
    for (const auto& [name, tensor] : model->weights) weight_floats += tensor.num_elements();
    state.counters["weights_bytes"] = static_cast<double>(weight_floats * sizeof(float));
  }
  int64_t copy = 0;
  for (auto _ : state) {
    const std::string fresh = absl::StrCat(base, "_", copy++, ".so");
    if (aot) fs::copy_file(base + ".so", fresh, fs::copy_options::overwrite_existing);
    const Clock::time_point begin = Clock::now();
    absl::StatusOr<std::unique_ptr<Executable>> executable =
        aot ? LoadCompiledModel(fresh) : llvm_backend::CompileForLlvm(model->graph, model->weights);
    absl::StatusOr<TensorMap> outputs =
        executable.ok() ? (*executable)->Run(inputs) : executable.status();
    const Clock::duration elapsed = Clock::now() - begin;
    if (!outputs.ok()) {
      state.SkipWithError(std::string(outputs.status().message()).c_str());
      return;
    }
    state.SetIterationTime(std::chrono::duration<double>(elapsed).count());
    executable->reset();
    if (aot) fs::remove(fresh);
  }
  if (aot) {
    fs::remove(base + ".so");
    fs::remove(base + ".h");
  }
}

// compile/llvm/lstm/layers:<L>/I:256/H:256: CompileForLlvm of an L-layer
// LSTM alone (issue #5 asks under 100 ms for two layers), with the mean
// milliseconds of each stage of LlvmCompileStats as counters.
void RunCompile(benchmark::State& state, int layers) {
  Model model("bench", 1);
  Var x = model.Input("x", {dims::T, dims::N, 256});
  model.Output("y", nn::LSTM(model, "layer", nn::LSTMOptions(256, 256).num_layers(layers))(x));
  absl::StatusOr<ir::Graph> graph = model.Build();
  if (!graph.ok()) {
    state.SkipWithError(std::string(graph.status().message()).c_str());
    return;
  }
  llvm_backend::LlvmCompileStats total;
  for (auto _ : state) {
    llvm_backend::LlvmCompileStats stats;
    absl::StatusOr<std::unique_ptr<Executable>> executable =
        llvm_backend::CompileForLlvm(*graph, model.weights(), {.stats = &stats});
    if (!executable.ok()) {
      state.SkipWithError(std::string(executable.status().message()).c_str());
      return;
    }
    total.passes_ms += stats.passes_ms;
    total.lower_ms += stats.lower_ms;
    total.optimize_ms += stats.optimize_ms;
    total.machine_code_ms += stats.machine_code_ms;
  }
  const double runs = static_cast<double>(state.iterations());
  state.counters["passes_ms"] = total.passes_ms / runs;
  state.counters["lower_ms"] = total.lower_ms / runs;
  state.counters["optimize_ms"] = total.optimize_ms / runs;
  state.counters["machine_code_ms"] = total.machine_code_ms / runs;
}

std::vector<Problem> Grid() {
  const std::vector<std::vector<int64_t>> sizes = {
      {100, 1, 256, 256}, {100, 1, 512, 512}, {100, 16, 256, 256}, {100, 64, 512, 512},
      {50, 32, 128, 128}};
  std::vector<Problem> grid;
  for (const char* cell : {"lstm", "gru_after", "gru_before", "rnn_tanh"}) {
    for (const std::vector<int64_t>& s : sizes) grid.push_back({cell, "forward", s[0], s[1], s[2], s[3]});
  }
  grid.push_back({"gru_after", "bidirectional", 100, 16, 256, 256});
  return grid;
}

void RegisterStartup() {
  for (int layers : {1, 2}) {
    benchmark::RegisterBenchmark(
        absl::StrCat("compile/llvm/lstm/layers:", layers, "/I:256/H:256").c_str(),
        [layers](benchmark::State& state) { RunCompile(state, layers); })
        ->Unit(benchmark::kMillisecond);
  }
  for (const Problem& problem : Grid()) {
    for (bool aot : {true, false}) {
      const std::string name =
          absl::StrCat("startup/", aot ? "aot" : "llvm", "/", problem.cell, "/", problem.direction,
                       "/T:", problem.steps, "/N:", problem.batch, "/I:", problem.input_size,
                       "/H:", problem.hidden_size);
      benchmark::RegisterBenchmark(
          name.c_str(),
          [problem, aot](benchmark::State& state) { RunStartup(state, problem, aot); })
          ->Unit(benchmark::kMillisecond)
          ->UseManualTime();
    }
  }
}

// Problem by problem, every backend in turn: the rows compared with each
// other (a backend and the raw primitive, say) are measured minutes apart
// otherwise, and a machine's state drifts by more than the 5% in question.
void RegisterGrid() {
  for (const Problem& problem : Grid()) {
    for (int threads : {1, 2}) {
      for (const Backend& backend : kBackends) {
        const std::string name =
            absl::StrCat(backend.name, "/", problem.cell, "/", problem.direction, "/T:",
                         problem.steps, "/N:", problem.batch, "/I:", problem.input_size, "/H:",
                         problem.hidden_size, "/threads:", threads);
        benchmark::RegisterBenchmark(name.c_str(), [&backend, problem, threads](
                                                       benchmark::State& state) {
          RunProblem(state, backend, problem, threads);
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
  const dnnl_version_t* version = dnnl_version();
  benchmark::AddCustomContext(
      "onednn", absl::StrCat(version->major, ".", version->minor, ".", version->patch,
                             version->cpu_runtime == DNNL_RUNTIME_OMP ? " (OpenMP)" : ""));
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  rnnc::RegisterGrid();
  rnnc::RegisterStartup();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
