// `rnnc bench`: runs a model repeatedly on one backend and reports latency
// percentiles, throughput and GFLOP/s.
#ifndef RNNC_TOOLS_MODEL_BENCHMARK_H
#define RNNC_TOOLS_MODEL_BENCHMARK_H

#include <string>

#include "absl/status/statusor.h"
#include "ir/Type.h"
#include "tools/Driver.h"

namespace rnnc::tools {

struct BenchRequest {
  // The model, its weights and backend; weights_path empty: random weights
  // (uniform in ±1/√fan_in, as PyTorch initialises layers); inputs_path
  // empty: random inputs shaped by `dims`. outputs_path is not used.
  RunRequest model;
  std::string dims;          // "T=100,N=16": binds the symbols for random inputs
  double min_seconds = 1.0;  // keep running until both minimums are met
  int64_t min_runs = 10;
};

struct BenchReport {
  std::string backend;
  ir::BoundDims bound;
  int64_t runs = 0;
  double min_ms = 0, p50_ms = 0, p90_ms = 0, p99_ms = 0, mean_ms = 0;
  int64_t flops = 0;  // per run, ir::CountFlops
};

absl::StatusOr<BenchReport> BenchModel(const BenchRequest& request);

// "T=100, N=16" from the flag's text; an error names the bad part.
absl::StatusOr<ir::BoundDims> ParseDims(const std::string& text);

// The lines `rnnc bench` prints.
std::string FormatBenchReport(const BenchReport& report);

}  // namespace rnnc::tools

#endif  // RNNC_TOOLS_MODEL_BENCHMARK_H
