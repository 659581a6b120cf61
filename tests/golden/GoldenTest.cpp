// The interpreter against PyTorch: every golden case in tests/golden/data
// (rnn, lstm and gru stacks in all directions, merges and depths, computed by
// PyTorch in float64) runs through the reference interpreter and must give
// PyTorch's output, h_n and c_n.
#include <cctype>
#include <filesystem>
#include <string>
#include <vector>

#include "backends/interp/Interpreter.h"
#include "gtest/gtest.h"
#include "tests/TestTensors.h"
#include "tests/golden/GoldenCase.h"

namespace rnnc::golden {
namespace {

// gen.py writes 58 cases; a missing or emptied data directory must fail
// rather than leave nothing to run.
constexpr size_t kMinimumCases = 40;

// Relative error |got - want| / |want| is what f32 arithmetic bounds, but it
// is undefined at exact zeros (relu outputs, for one), hence the tiny
// absolute term.
constexpr double kRelativeTolerance = 1e-5;
constexpr double kAbsoluteTolerance = 1e-6;

TEST(GoldenCases, DataDirectoryHoldsTheCases) {
  EXPECT_GE(ListGoldenCases(GoldenDataDirectory()).size(), kMinimumCases)
      << "in " << GoldenDataDirectory() << "; run tests/golden/gen.py to write them";
}

class GoldenTest : public testing::TestWithParam<std::string> {};

TEST_P(GoldenTest, InterpreterMatchesPyTorch) {
  absl::StatusOr<GoldenCase> golden = LoadGoldenCase(GetParam());
  ASSERT_TRUE(golden.ok()) << golden.status();
  absl::StatusOr<std::unique_ptr<Executable>> executable =
      interp::CompileForInterpreter(golden->graph, golden->weights);
  ASSERT_TRUE(executable.ok()) << executable.status();
  absl::StatusOr<TensorMap> outputs = (*executable)->Run(golden->inputs);
  ASSERT_TRUE(outputs.ok()) << outputs.status();
  for (const auto& [name, want] : golden->expected) {
    SCOPED_TRACE(name);
    ASSERT_EQ(outputs->count(name), 1u);
    ExpectAllClose(outputs->at(name), want, kRelativeTolerance, kAbsoluteTolerance);
  }
}


INSTANTIATE_TEST_SUITE_P(PyTorch, GoldenTest,
                         testing::ValuesIn(ListGoldenCases(GoldenDataDirectory())), GoldenTestName);

}  // namespace
}  // namespace rnnc::golden
