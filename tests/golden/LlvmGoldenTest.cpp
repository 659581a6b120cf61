// The LLVM backend against PyTorch and the interpreter: every golden case
// (rnn, lstm and gru stacks in all directions, merges and depths) is
// compiled by CompileForLlvm, whose "llvm" pipeline expands the layer op
// into scans of cell ops, and must give PyTorch's output, h_n and c_n, and
// the interpreter's, within 1e-5 relative + 1e-6 absolute.
#include <cctype>
#include <filesystem>
#include <string>

#include "backends/llvm/LlvmBackend.h"
#include "gtest/gtest.h"
#include "tests/golden/GoldenCase.h"

namespace rnnc::golden {
namespace {

class LlvmGoldenTest : public testing::TestWithParam<std::string> {};

TEST_P(LlvmGoldenTest, MatchesPyTorchAndTheInterpreter) {
  absl::StatusOr<GoldenCase> golden = LoadGoldenCase(GetParam());
  ASSERT_TRUE(golden.ok()) << golden.status();
  auto llvm = llvm_backend::CompileForLlvm(golden->graph, golden->weights);
  ASSERT_TRUE(llvm.ok()) << llvm.status();
  absl::StatusOr<TensorMap> outputs = (*llvm)->Run(golden->inputs);
  ASSERT_TRUE(outputs.ok()) << outputs.status();
  ExpectMatchesPyTorchAndTheInterpreter(*golden, *outputs);
}

INSTANTIATE_TEST_SUITE_P(PyTorch, LlvmGoldenTest,
                         testing::ValuesIn(ListGoldenCases(GoldenDataDirectory())), GoldenTestName);

}  // namespace
}  // namespace rnnc::golden
