// The AOT pipeline: options resolved, the LLVM backend's object, the
// header, the link.
#include "aot/CompileToLibrary.h"

#include <fstream>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "aot/Linker.h"
#include "aot/ModelHeader.h"
#include "backends/llvm/AotObject.h"
#include "frontend/Model.h"

namespace rnnc::aot {

namespace {

bool IsCIdentifier(const std::string& name) {
  if (name.empty() || absl::ascii_isdigit(name[0])) return false;
  for (char c : name) {
    if (!absl::ascii_isalnum(c) && c != '_') return false;
  }
  return true;
}

// The options with the name defaulted to the graph's, which must be a C
// identifier: the library's functions are named after it.
absl::StatusOr<LibraryOptions> Resolved(const ir::Graph& graph, LibraryOptions options) {
  if (options.name.empty()) options.name = graph.name();
  if (!IsCIdentifier(options.name)) {
    return absl::InvalidArgumentError(absl::StrCat(
        "model name '", options.name,
        "' is not a C identifier (letters, digits and '_', not starting with a digit), and the "
        "library's functions are named after it; pass another name (--name)"));
  }
  return options;
}

absl::StatusOr<llvm_backend::AotOptions> BackendOptions(const ir::Graph& graph,
                                                        const LibraryOptions& options) {
  absl::StatusOr<LibraryOptions> resolved = Resolved(graph, options);
  if (!resolved.ok()) return resolved.status();
  return llvm_backend::AotOptions{.name = resolved->name,
                                  .embed_weights = options.embed_weights,
                                  .call_gemm_library = options.onednn_gemm,
                                  .target_cpu = options.target_cpu};
}

}  // namespace

absl::Status WriteFile(const std::string& path, const std::string& contents) {
  std::ofstream file(path, std::ios::binary);
  file.write(contents.data(), static_cast<std::streamsize>(contents.size()));
  file.close();
  if (!file) return absl::PermissionDeniedError(absl::StrCat(path, ": cannot write the file"));
  return absl::OkStatus();
}

absl::StatusOr<std::string> CompileToObject(const ir::Graph& graph, const TensorMap& weights,
                                            const LibraryOptions& options) {
  absl::StatusOr<llvm_backend::AotOptions> backend = BackendOptions(graph, options);
  if (!backend.ok()) return backend.status();
  return llvm_backend::EmitAotObject(graph, weights, *backend);
}

absl::StatusOr<std::string> CompileToLlvmIr(const ir::Graph& graph, const TensorMap& weights,
                                            const LibraryOptions& options) {
  absl::StatusOr<llvm_backend::AotOptions> backend = BackendOptions(graph, options);
  if (!backend.ok()) return backend.status();
  return llvm_backend::EmitAotLlvmIr(graph, weights, *backend);
}

absl::StatusOr<std::string> CompileToHeader(const ir::Graph& graph, const LibraryOptions& options) {
  absl::StatusOr<LibraryOptions> resolved = Resolved(graph, options);
  if (!resolved.ok()) return resolved.status();
  return GenerateModelHeader(graph, *resolved);
}

absl::Status CompileToSharedLibrary(const ir::Graph& graph, const TensorMap& weights,
                                    const std::string& library_path, const std::string& header_path,
                                    const LibraryOptions& options) {
  absl::StatusOr<std::string> object = CompileToObject(graph, weights, options);
  if (!object.ok()) return object.status();
  if (absl::Status linked = LinkSharedLibrary(*object, library_path, options.onednn_gemm);
      !linked.ok()) {
    return linked;
  }
  absl::StatusOr<std::string> header = CompileToHeader(graph, options);
  if (!header.ok()) return header.status();
  return WriteFile(header_path, *header);
}

}  // namespace rnnc::aot

namespace rnnc {

absl::Status Model::CompileToSharedLibrary(const std::string& library_path,
                                           const std::string& header_path) const {
  return CompileToSharedLibrary(library_path, header_path, aot::LibraryOptions());
}

absl::Status Model::CompileToSharedLibrary(const std::string& library_path,
                                           const std::string& header_path,
                                           const aot::LibraryOptions& options) const {
  absl::StatusOr<ir::Graph> graph = Build();
  if (!graph.ok()) return graph.status();
  return aot::CompileToSharedLibrary(*graph, weights_, library_path, header_path, options);
}

}  // namespace rnnc
