// Model libraries for tests: compiled into the test's temporary directory,
// and opened to call their C functions directly, as a C program would.
#ifndef RNNC_TESTS_COMPILED_LIBRARIES_H
#define RNNC_TESTS_COMPILED_LIBRARIES_H

#include <string>

#include "absl/status/statusor.h"
#include "aot/LibraryOptions.h"
#include "ir/Graph.h"
#include "runtime/Tensor.h"
#include "runtime/aot/rnnc_model_abi.h"

namespace rnnc {

// A directory of this test process's own under testing::TempDir(), removed
// at exit: ctest runs test processes in parallel (and other checkouts on the
// machine may too), and one must not read a file another is rewriting.
std::string ProcessTempDir();

// <ProcessTempDir>/lib<name>.so and <name>.h, compiled with `options` (its name
// set to `name`); the library's path.
absl::StatusOr<std::string> CompileTestLibrary(const ir::Graph& graph, const TensorMap& weights,
                                               const std::string& name,
                                               aot::LibraryOptions options = {});

// The functions of rnnc_model_abi.h, looked up in a library by its model's
// name. The library stays loaded for the rest of the test program.
struct ModelLibrary {
#define RNNC_TEST_FUNCTION(function, result, parameters, signature) \
  rnnc_model_##function##_fn function = nullptr;
  RNNC_MODEL_FUNCTIONS(RNNC_TEST_FUNCTION)
#undef RNNC_TEST_FUNCTION
};
absl::StatusOr<ModelLibrary> OpenModelLibrary(const std::string& path, const std::string& name);

// The exit code and output (stdout and stderr) of a shell command.
struct CommandResult {
  int exit_code;
  std::string output;
};
CommandResult RunCommand(const std::string& command);

}  // namespace rnnc

#endif  // RNNC_TESTS_COMPILED_LIBRARIES_H
