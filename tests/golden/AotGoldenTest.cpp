// Compiled model libraries against PyTorch and the interpreter: every golden
// case is compiled ahead of time into a shared library (inline GEMMs, the
// weights embedded), loaded with dlopen through LoadCompiledModel, run, and
// must give PyTorch's output, h_n and c_n, and the interpreter's, within
// 1e-5 relative + 1e-6 absolute.
#include <string>

#include "gtest/gtest.h"
#include "runtime/CompiledModel.h"
#include "tests/CompiledLibraries.h"
#include "tests/golden/GoldenCase.h"

namespace rnnc::golden {
namespace {

class AotGoldenTest : public testing::TestWithParam<std::string> {};

TEST_P(AotGoldenTest, MatchesPyTorchAndTheInterpreter) {
  absl::StatusOr<GoldenCase> golden = LoadGoldenCase(GetParam());
  ASSERT_TRUE(golden.ok()) << golden.status();
  absl::StatusOr<std::string> library =
      CompileTestLibrary(golden->graph, golden->weights, "golden_" + golden->name);
  ASSERT_TRUE(library.ok()) << library.status();
  absl::StatusOr<std::unique_ptr<Executable>> compiled = LoadCompiledModel(*library);
  ASSERT_TRUE(compiled.ok()) << compiled.status();
  absl::StatusOr<TensorMap> outputs = (*compiled)->Run(golden->inputs);
  ASSERT_TRUE(outputs.ok()) << outputs.status();
  ExpectMatchesPyTorchAndTheInterpreter(*golden, *outputs);
}

INSTANTIATE_TEST_SUITE_P(PyTorch, AotGoldenTest,
                         testing::ValuesIn(ListGoldenCases(GoldenDataDirectory())), GoldenTestName);

}  // namespace
}  // namespace rnnc::golden
