// differentiate against PyTorch's autograd: every case of
// tests/golden/data/gradients (GradientCase.h), its gradient graph run by
// the interpreter, must give PyTorch's ∂L/∂ every weight, x, h0 and c0.
#include <string>

#include "backends/interp/Interpreter.h"
#include "gtest/gtest.h"
#include "tests/golden/GoldenCase.h"
#include "tests/golden/GradientCase.h"

namespace rnnc::golden {
namespace {

// gen_gradients.py writes 22 cases.
constexpr size_t kMinimumCases = 20;

TEST(GradientGoldenCases, DataDirectoryHoldsTheCases) {
  EXPECT_GE(GradientCases().size(), kMinimumCases)
      << "in " << GoldenDataDirectory() << "/gradients; run tests/golden/gen_gradients.py";
}

class GradientGoldenTest : public testing::TestWithParam<std::string> {};

TEST_P(GradientGoldenTest, GradientsMatchPyTorch) {
  ExpectGradientCaseMatchesPyTorch(GetParam(), [](const ir::Graph& graph, TensorMap weights) {
    return interp::CompileForInterpreter(graph, std::move(weights));
  });
}

INSTANTIATE_TEST_SUITE_P(PyTorch, GradientGoldenTest, testing::ValuesIn(GradientCases()),
                         GoldenTestName);

}  // namespace
}  // namespace rnnc::golden
