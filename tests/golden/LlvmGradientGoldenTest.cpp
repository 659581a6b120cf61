// The LLVM backend runs training's gradient graphs: every PyTorch gradient
// case (GradientCase.h: rnn, lstm, both GRUs, stacked, bidirectional, with
// initial states) differentiated, compiled by CompileForLlvm (whose "llvm"
// pipeline fuses gate matmuls and hoists input projections in the forward
// and the backward scans) and run, must give PyTorch's ∂L/∂ every weight,
// x, h0 and c0 within the interpreter's tolerance, 1e-4 relative.
#include <string>

#include "backends/llvm/LlvmBackend.h"
#include "gtest/gtest.h"
#include "tests/golden/GoldenCase.h"
#include "tests/golden/GradientCase.h"

namespace rnnc::golden {
namespace {

class LlvmGradientGoldenTest : public testing::TestWithParam<std::string> {};

TEST_P(LlvmGradientGoldenTest, GradientsMatchPyTorch) {
  ExpectGradientCaseMatchesPyTorch(GetParam(), [](const ir::Graph& graph, TensorMap weights) {
    return llvm_backend::CompileForLlvm(graph, std::move(weights));
  });
}

INSTANTIATE_TEST_SUITE_P(PyTorch, LlvmGradientGoldenTest, testing::ValuesIn(GradientCases()),
                         GoldenTestName);

}  // namespace
}  // namespace rnnc::golden
