// Loading a model library that `rnnc compile` wrote: dlopen, the ABI
// version check, the functions of runtime/aot/rnnc_model_abi.h, and an
// Executable over them, so that `rnnc run libmodel.so` and the tests use a
// compiled library like any backend.
#ifndef RNNC_RUNTIME_COMPILED_MODEL_H
#define RNNC_RUNTIME_COMPILED_MODEL_H

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "runtime/Executable.h"

namespace rnnc {

// Loads `library_path` and creates a context. `weights_path` empty: the
// embedded weights. A library of another ABI version is refused with the
// versions of both sides; Run binds the dims from the inputs' shapes and
// checks them as ir::BindDims does before it calls the library. Run is not
// reentrant: the executable holds one context.
absl::StatusOr<std::unique_ptr<Executable>> LoadCompiledModel(const std::string& library_path,
                                                              const std::string& weights_path = "");

}  // namespace rnnc

#endif  // RNNC_RUNTIME_COMPILED_MODEL_H
