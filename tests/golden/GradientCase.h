// The PyTorch gradient cases of tests/golden/data/gradients, shared by every
// backend's gradient golden test: each case (written by gen_gradients.py:
// rnn, lstm, gru reset after and before, stacked, bidirectional, with and
// without initial states, in float64) is a layer op whose loss
//   L = Σ output·r.output + Σ h_n·r.h_n (+ Σ c_n·r.c_n)
// is differentiated; the gradient graph, compiled by the backend under test,
// must give PyTorch's ∂L/∂ every weight, x, h0 and c0 within 1e-4 relative.
#ifndef RNNC_TESTS_GOLDEN_GRADIENTCASE_H
#define RNNC_TESTS_GOLDEN_GRADIENTCASE_H

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ir/Graph.h"
#include "runtime/Executable.h"
#include "runtime/Tensor.h"

namespace rnnc::golden {

// A backend's compile function, as CompileForInterpreter and CompileForLlvm
// are called.
using CompileGradientGraph = std::function<absl::StatusOr<std::unique_ptr<Executable>>(
    const ir::Graph& graph, TensorMap weights)>;

// The paths of the gradient cases, sorted.
std::vector<std::string> GradientCases();

// Differentiates the case at `path` (input gradients included), compiles the
// gradient graph with `compile`, runs it and expects every grad.* output to
// match PyTorch's (gtest expectations); prints the worst relative error.
void ExpectGradientCaseMatchesPyTorch(const std::string& path,
                                      const CompileGradientGraph& compile);

}  // namespace rnnc::golden

#endif  // RNNC_TESTS_GOLDEN_GRADIENTCASE_H
