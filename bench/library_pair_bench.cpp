// Builds of one model compiled by `rnnc compile` (say, before and after a
// change to the code generator), timed in alternation in one process. On a
// shared host whose speed moves by up to 1.5× within minutes (docs/SPEED.md,
// "The cores move"), two grid runs taken apart say nothing about a change
// of a few percent; repetitions of the two libraries interleaved at random
// do. Each library becomes the benchmark "library/<path>", one run of the
// model on the inputs per iteration:
//
//   build/bench/library_pair_bench --inputs=x.safetensors old.so new.so
//       --benchmark_repetitions=30 --benchmark_enable_random_interleaving=true
//
// The libraries run on RNNC_NUM_THREADS threads (runtime/aot/ThreadTeam.h).
#include <cstdio>
#include <memory>
#include <string>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/status/statusor.h"
#include "benchmark/benchmark.h"
#include "runtime/CompiledModel.h"
#include "runtime/Safetensors.h"

ABSL_FLAG(std::string, inputs, "", "safetensors file of the models' inputs, by name");

namespace rnnc {
namespace {

void RunLibrary(benchmark::State& state, Executable& model, const TensorMap& inputs) {
  TensorMap outputs;
  for (auto _ : state) {
    if (absl::Status status = model.Run(inputs, outputs); !status.ok()) {
      state.SkipWithError(std::string(status.message()).c_str());
      return;
    }
    benchmark::DoNotOptimize(outputs);
  }
}

}  // namespace
}  // namespace rnnc

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  const std::vector<char*> libraries = absl::ParseCommandLine(argc, argv);
  if (libraries.size() < 2 || absl::GetFlag(FLAGS_inputs).empty()) {
    std::fprintf(stderr, "usage: %s --inputs=X.safetensors LIBRARY.so... [benchmark flags]\n",
                 argv[0]);
    return 2;
  }
  absl::StatusOr<rnnc::SafetensorsFile> inputs = rnnc::ReadSafetensors(absl::GetFlag(FLAGS_inputs));
  if (!inputs.ok()) {
    std::fprintf(stderr, "%s\n", std::string(inputs.status().message()).c_str());
    return 1;
  }
  std::vector<std::unique_ptr<rnnc::Executable>> models;
  for (size_t i = 1; i < libraries.size(); ++i) {
    absl::StatusOr<std::unique_ptr<rnnc::Executable>> model = rnnc::LoadCompiledModel(libraries[i]);
    if (!model.ok()) {
      std::fprintf(stderr, "%s: %s\n", libraries[i], std::string(model.status().message()).c_str());
      return 1;
    }
    rnnc::Executable& loaded = **model;
    models.push_back(*std::move(model));
    benchmark::RegisterBenchmark((std::string("library/") + libraries[i]).c_str(),
                                 [&loaded, &inputs](benchmark::State& state) {
                                   rnnc::RunLibrary(state, loaded, inputs->tensors);
                                 })
        ->Unit(benchmark::kMillisecond)
        ->UseRealTime();
  }
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
