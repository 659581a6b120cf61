// Ahead-of-time compilation of a model into a shared library and its C
// header (runtime/aot/rnnc_model_abi.h), or into the pieces: an object
// file, LLVM IR, the header. What `rnnc compile` and generator programs
// call, Halide-style:
//
//   Model model("classifier", 42);
//   examples::BuildGruClassifier(model);
//   absl::Status status = model.CompileToSharedLibrary("libclassifier.so", "classifier.h");
//
// Model::CompileToSharedLibrary is declared in frontend/Model.h and defined
// here, in the rnnc_aot library, so that the frontend itself does not
// depend on the backends; a generator links rnnc_aot (rnnc_add_model does).
#ifndef RNNC_AOT_COMPILE_TO_LIBRARY_H
#define RNNC_AOT_COMPILE_TO_LIBRARY_H

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "aot/LibraryOptions.h"
#include "ir/Graph.h"
#include "runtime/Tensor.h"

namespace rnnc::aot {

// Writes the library and the header. Errors name the graph, the weights or
// the linker's output.
absl::Status CompileToSharedLibrary(const ir::Graph& graph, const TensorMap& weights,
                                    const std::string& library_path, const std::string& header_path,
                                    const LibraryOptions& options = {});

// The pieces, each as bytes or text.
absl::StatusOr<std::string> CompileToObject(const ir::Graph& graph, const TensorMap& weights,
                                            const LibraryOptions& options = {});
absl::StatusOr<std::string> CompileToLlvmIr(const ir::Graph& graph, const TensorMap& weights,
                                            const LibraryOptions& options = {});
absl::StatusOr<std::string> CompileToHeader(const ir::Graph& graph,
                                            const LibraryOptions& options = {});

// `path` (a file to write, e.g. "libclassifier.so") written with `contents`.
absl::Status WriteFile(const std::string& path, const std::string& contents);

}  // namespace rnnc::aot

#endif  // RNNC_AOT_COMPILE_TO_LIBRARY_H
