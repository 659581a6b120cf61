// The LLVM backend against PyTorch and the interpreter: every golden case
// (rnn, lstm and gru stacks in all directions, merges and depths) is
// compiled by CompileForLlvm, whose "llvm" pipeline expands the layer op
// into scans of cell ops, and must give PyTorch's output, h_n and c_n, and
// the interpreter's, within 1e-5 relative + 1e-6 absolute.
#include <cctype>
#include <filesystem>
#include <string>

#include "backends/interp/Interpreter.h"
#include "backends/llvm/LlvmBackend.h"
#include "gtest/gtest.h"
#include "tests/TestTensors.h"
#include "tests/golden/GoldenCase.h"

namespace rnnc::golden {
namespace {

constexpr double kRelativeTolerance = 1e-5;
constexpr double kAbsoluteTolerance = 1e-6;

class LlvmGoldenTest : public testing::TestWithParam<std::string> {};

TEST_P(LlvmGoldenTest, MatchesPyTorchAndTheInterpreter) {
  absl::StatusOr<GoldenCase> golden = LoadGoldenCase(GetParam());
  ASSERT_TRUE(golden.ok()) << golden.status();
  auto llvm = llvm_backend::CompileForLlvm(golden->graph, golden->weights);
  ASSERT_TRUE(llvm.ok()) << llvm.status();
  absl::StatusOr<TensorMap> outputs = (*llvm)->Run(golden->inputs);
  ASSERT_TRUE(outputs.ok()) << outputs.status();
  auto interp = interp::CompileForInterpreter(golden->graph, golden->weights);
  ASSERT_TRUE(interp.ok()) << interp.status();
  absl::StatusOr<TensorMap> reference = (*interp)->Run(golden->inputs);
  ASSERT_TRUE(reference.ok()) << reference.status();
  for (const auto& [name, want] : golden->expected) {
    SCOPED_TRACE(name);
    ASSERT_EQ(outputs->count(name), 1u);
    ExpectAllClose(outputs->at(name), want, kRelativeTolerance, kAbsoluteTolerance);
    ExpectAllClose(outputs->at(name), reference->at(name), kRelativeTolerance,
                   kAbsoluteTolerance);
  }
}


INSTANTIATE_TEST_SUITE_P(PyTorch, LlvmGoldenTest,
                         testing::ValuesIn(ListGoldenCases(GoldenDataDirectory())), GoldenTestName);

}  // namespace
}  // namespace rnnc::golden
