#include "tools/Driver.h"

#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/strip.h"
#include "aot/CompileToLibrary.h"
#include "backends/interp/Interpreter.h"
#include "backends/llvm/LlvmBackend.h"
#include "backends/onednn/OnednnBackend.h"
#include "ir/Parser.h"
#include "ir/Verifier.h"
#include "runtime/CompiledModel.h"
#include "runtime/Safetensors.h"

namespace rnnc::tools {

absl::StatusOr<ir::Graph> LoadGraph(const std::string& path) {
  std::stringstream text;
  if (path == "-") {
    text << std::cin.rdbuf();
  } else {
    std::ifstream file(path);
    if (!file) return absl::NotFoundError(absl::StrCat(path, ": cannot open the IR file"));
    text << file.rdbuf();
  }
  absl::StatusOr<ir::Graph> graph = ir::ParseGraph(text.str(), path == "-" ? "<stdin>" : path);
  if (!graph.ok()) return graph.status();
  if (absl::Status verified = ir::Verify(*graph); !verified.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", verified.message()));
  }
  return graph;
}

absl::StatusOr<TensorMap> LoadTensorsFile(const std::string& path) {
  absl::StatusOr<SafetensorsFile> file = ReadSafetensors(path);
  if (!file.ok()) return file.status();
  return std::move(file->tensors);
}

absl::StatusOr<TensorMap> LoadWeightsFile(const std::string& path) {
  if (path.empty()) return TensorMap();
  return LoadTensorsFile(path);
}

std::vector<std::string> BackendNames() { return {"interp", "onednn", "llvm"}; }

absl::StatusOr<std::unique_ptr<Executable>> Compile(const std::string& backend,
                                                    const ir::Graph& graph, TensorMap weights) {
  if (backend == "interp") return interp::CompileForInterpreter(graph, std::move(weights));
  if (backend == "onednn") return onednn::CompileForOnednn(graph, std::move(weights));
  if (backend == "llvm") return llvm_backend::CompileForLlvm(graph, std::move(weights));
  return absl::InvalidArgumentError(absl::StrFormat(
      "unknown backend '%s'; available: %s", backend, absl::StrJoin(BackendNames(), ", ")));
}

bool IsCompiledLibrary(const std::string& path) { return absl::EndsWith(path, ".so"); }

namespace {

// The IR file compiled by the request's backend, or the compiled library
// loaded.
absl::StatusOr<std::unique_ptr<Executable>> LoadExecutable(const RunRequest& request) {
  if (IsCompiledLibrary(request.graph_path)) {
    return LoadCompiledModel(request.graph_path, request.weights_path);
  }
  absl::StatusOr<ir::Graph> graph = LoadGraph(request.graph_path);
  if (!graph.ok()) return graph.status();
  absl::StatusOr<TensorMap> weights = LoadWeightsFile(request.weights_path);
  if (!weights.ok()) return weights.status();
  return Compile(request.backend, *graph, *std::move(weights));
}

}  // namespace

absl::StatusOr<TensorMap> RunModel(const RunRequest& request) {
  if (request.inputs_path.empty()) {
    return absl::InvalidArgumentError("no inputs: pass --inputs FILE.safetensors");
  }
  absl::StatusOr<TensorMap> inputs = LoadTensorsFile(request.inputs_path);
  if (!inputs.ok()) return inputs.status();
  absl::StatusOr<std::unique_ptr<Executable>> executable = LoadExecutable(request);
  if (!executable.ok()) return executable.status();
  absl::StatusOr<TensorMap> outputs = (*executable)->Run(*inputs);
  if (!outputs.ok()) return outputs.status();
  if (!request.outputs_path.empty()) {
    if (absl::Status written = WriteSafetensors(request.outputs_path, *outputs); !written.ok()) {
      return written;
    }
  }
  return outputs;
}

std::string DefaultHeaderPath(const std::string& library_path) {
  const std::filesystem::path path(library_path);
  const std::string stem = path.stem().string();
  return (path.parent_path() / (std::string(absl::StripPrefix(stem, "lib")) + ".h")).string();
}

absl::Status CompileModel(const CompileRequest& request) {
  if (request.output_path.empty()) {
    return absl::InvalidArgumentError("no output: pass -o FILE (e.g. -o libmodel.so)");
  }
  absl::StatusOr<ir::Graph> graph = LoadGraph(request.graph_path);
  if (!graph.ok()) return graph.status();
  if (!request.options.embed_weights && !request.weights_path.empty()) {
    return absl::InvalidArgumentError(
        "--external-weights embeds no weights: drop --weights (the library's create reads "
        "them at run time)");
  }
  absl::StatusOr<TensorMap> weights = LoadWeightsFile(request.weights_path);
  if (!weights.ok()) return weights.status();
  const std::string& out = request.output_path;
  absl::StatusOr<std::string> piece;
  if (request.emit == "library") {
    return aot::CompileToSharedLibrary(
        *graph, *weights, out,
        request.header_path.empty() ? DefaultHeaderPath(out) : request.header_path,
        request.options);
  } else if (request.emit == "obj") {
    piece = aot::CompileToObject(*graph, *weights, request.options);
  } else if (request.emit == "llvm") {
    piece = aot::CompileToLlvmIr(*graph, *weights, request.options);
  } else if (request.emit == "header") {
    piece = aot::CompileToHeader(*graph, request.options);
  } else {
    return absl::InvalidArgumentError(
        absl::StrCat("--emit=", request.emit,
                     " is not known to `compile`; expected library, obj, llvm or header"));
  }
  if (!piece.ok()) return piece.status();
  return aot::WriteFile(out, *piece);
}

std::string DescribeTensors(const TensorMap& tensors, int max_values) {
  std::string text;
  for (const auto& [name, tensor] : tensors) {
    const int64_t shown = std::min<int64_t>(max_values, tensor.num_elements());
    std::vector<std::string> values;
    for (int64_t i = 0; i < shown; ++i) values.push_back(absl::StrFormat("%.6g", tensor.data()[i]));
    absl::StrAppend(&text, name, " ", tensor.ShapeString(), ": ", absl::StrJoin(values, " "),
                    tensor.num_elements() > shown ? " ..." : "", "\n");
  }
  return text;
}

}  // namespace rnnc::tools
