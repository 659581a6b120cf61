// The oneDNN backend against PyTorch and the interpreter: every golden case
// (rnn, lstm and gru stacks in all directions, merges and depths, with and
// without initial states) runs through CompileForOnednn and must give
// PyTorch's output, h_n and c_n, and the interpreter's, to the same
// tolerance the interpreter's own golden test uses.
#include <algorithm>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <filesystem>
#include <string>

#include "backends/interp/Interpreter.h"
#include "backends/onednn/OnednnBackend.h"
#include "gtest/gtest.h"
#include "tests/TestTensors.h"
#include "tests/golden/GoldenCase.h"

namespace rnnc::golden {
namespace {

constexpr double kRelativeTolerance = 1e-5;
constexpr double kAbsoluteTolerance = 1e-6;

absl::StatusOr<TensorMap> CompileAndRun(const GoldenCase& golden, bool onednn) {
  absl::StatusOr<std::unique_ptr<Executable>> executable =
      onednn ? onednn::CompileForOnednn(golden.graph, golden.weights)
             : interp::CompileForInterpreter(golden.graph, golden.weights);
  if (!executable.ok()) return executable.status();
  return (*executable)->Run(golden.inputs);
}

// How much of the tolerance the worst element of `got` uses:
// max |got - want| / (rtol·|want| + atol), at most 1 when ExpectAllClose
// passes. Printed once for the suite, so that a drift shows before it fails.
double ToleranceUsed(const Tensor& got, const Tensor& want) {
  double worst = 0;
  if (got.shape() != want.shape()) return worst;
  for (int64_t i = 0; i < got.num_elements(); ++i) {
    const double error = std::abs(static_cast<double>(got.data()[i]) - want.data()[i]);
    worst = std::max(worst, error / (kRelativeTolerance * std::abs(want.data()[i]) +
                                     kAbsoluteTolerance));
  }
  return worst;
}

class OnednnGoldenTest : public testing::TestWithParam<std::string> {
 protected:
  static void TearDownTestSuite() {
    std::printf("worst tolerance used: %.3f against PyTorch (%s), %.3f against the interpreter\n",
                worst_pytorch_, worst_case_.c_str(), worst_interpreter_);
  }
  static void Track(const std::string& name, const Tensor& got, const Tensor& pytorch,
                    const Tensor& interpreter) {
    if (double used = ToleranceUsed(got, pytorch); used > worst_pytorch_) {
      worst_pytorch_ = used;
      worst_case_ = name;
    }
    worst_interpreter_ = std::max(worst_interpreter_, ToleranceUsed(got, interpreter));
  }

 private:
  static inline double worst_pytorch_ = 0;
  static inline double worst_interpreter_ = 0;
  static inline std::string worst_case_;
};

TEST_P(OnednnGoldenTest, MatchesPyTorchAndTheInterpreter) {
  absl::StatusOr<GoldenCase> golden = LoadGoldenCase(GetParam());
  ASSERT_TRUE(golden.ok()) << golden.status();
  absl::StatusOr<TensorMap> onednn = CompileAndRun(*golden, /*onednn=*/true);
  ASSERT_TRUE(onednn.ok()) << onednn.status();
  absl::StatusOr<TensorMap> interpreter = CompileAndRun(*golden, /*onednn=*/false);
  ASSERT_TRUE(interpreter.ok()) << interpreter.status();
  ASSERT_EQ(onednn->size(), golden->expected.size());
  for (const auto& [name, want] : golden->expected) {
    SCOPED_TRACE(name);
    ASSERT_EQ(onednn->count(name), 1u);
    Track(std::filesystem::path(GetParam()).stem().string() + " " + name, onednn->at(name), want,
          interpreter->at(name));
    {
      SCOPED_TRACE("against PyTorch");
      ExpectAllClose(onednn->at(name), want, kRelativeTolerance, kAbsoluteTolerance);
    }
    {
      SCOPED_TRACE("against the interpreter");
      ExpectAllClose(onednn->at(name), interpreter->at(name), kRelativeTolerance,
                     kAbsoluteTolerance);
    }
  }
}


INSTANTIATE_TEST_SUITE_P(PyTorch, OnednnGoldenTest,
                         testing::ValuesIn(ListGoldenCases(GoldenDataDirectory())), GoldenTestName);

}  // namespace
}  // namespace rnnc::golden
