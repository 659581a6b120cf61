// What the `rnnc` commands do, as library functions that tests call too;
// tools/rnnc.cpp only parses flags and prints.
#ifndef RNNC_TOOLS_DRIVER_H
#define RNNC_TOOLS_DRIVER_H

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "aot/LibraryOptions.h"
#include "ir/Graph.h"
#include "runtime/Executable.h"
#include "runtime/Tensor.h"

namespace rnnc::tools {

// Reads, parses and verifies an IR text file ("-" reads standard input).
absl::StatusOr<ir::Graph> LoadGraph(const std::string& path);

// The tensors of a safetensors file.
absl::StatusOr<TensorMap> LoadTensorsFile(const std::string& path);
// LoadTensorsFile, or no tensors for an empty path (a graph without params).
absl::StatusOr<TensorMap> LoadWeightsFile(const std::string& path);

// The backends `--backend` names, e.g. "interp".
std::vector<std::string> BackendNames();
absl::StatusOr<std::unique_ptr<Executable>> Compile(const std::string& backend,
                                                    const ir::Graph& graph, TensorMap weights);

struct RunRequest {
  // IR text, or a library `rnnc compile` wrote (a path ending in .so), which
  // then runs as compiled; weights_path, if set, replaces its weights.
  std::string graph_path;
  std::string weights_path;  // may be empty for a graph without parameters
  std::string inputs_path;
  std::string outputs_path;  // empty: do not write
  std::string backend = "interp";
};
// Loads everything, runs the model once, writes the outputs if asked and
// returns them.
absl::StatusOr<TensorMap> RunModel(const RunRequest& request);

// True for a path that names a compiled model library.
bool IsCompiledLibrary(const std::string& path);

// `rnnc compile`: what to write.
struct CompileRequest {
  std::string graph_path;
  std::string weights_path;  // may be empty with --external-weights or no params
  std::string output_path;   // the library, or the piece `emit` names
  // emit "library": the header's path; empty: beside the library, named
  // after it (libclassifier.so -> classifier.h).
  std::string header_path;
  std::string emit = "library";  // library, obj, llvm or header
  aot::LibraryOptions options;
};
absl::Status CompileModel(const CompileRequest& request);
// The header path CompileModel uses when none is given.
std::string DefaultHeaderPath(const std::string& library_path);

// A few lines a person reads: each tensor's name, shape and leading values.
std::string DescribeTensors(const TensorMap& tensors, int max_values = 8);

}  // namespace rnnc::tools

#endif  // RNNC_TOOLS_DRIVER_H
