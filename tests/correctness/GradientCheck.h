// Finite-difference checks of differentiate, shared by the op and the scan
// gradient tests.
//
// A forward graph with an output `y` gets the loss L = Σ y · R, for a fixed
// random R (an input, so every element of y matters), and differentiate
// gives its gradient graph, which the interpreter runs. Each element θ of
// every param and input is then moved by ±h and ±h/2 and L recomputed by
// running the forward graph, summing y · R on the host in double; the
// central differences, Richardson-extrapolated,
//   D(h) = (L(θ+h) - L(θ-h)) / 2h,   D = (4·D(h/2) - D(h)) / 3,
// have a truncation error of O(h⁴). The interpreter stores every value in
// f32, which puts noise of about 6e-8·Σ|y·R| into L, so h cannot be tiny:
// with h = 0.03 the noise in D is about 1e-5 and the truncation error far
// below that. Hence the tolerance: |analytic - D| <= 1e-3 + 1e-3·|D|.
#ifndef RNNC_TESTS_CORRECTNESS_GRADIENT_CHECK_H
#define RNNC_TESTS_CORRECTNESS_GRADIENT_CHECK_H

#include <map>
#include <set>
#include <string>
#include <vector>

#include "ir/Graph.h"
#include "runtime/Tensor.h"
#include "training/Differentiate.h"

namespace rnnc {

// Values are random, N(0, 0.5²).
struct GradientCheck {
  ir::Graph forward;  // with an output named "y"
  // Concrete shapes of inputs whose types have symbolic dims.
  std::map<std::string, std::vector<int64_t>> input_shapes;
  // Params and inputs whose values must be positive (a variance): |v| + 0.5.
  std::set<std::string> positive;
  // Every value moved at least 0.2 away from 0, so that a kink (relu, step)
  // stays out of reach of the ±h steps.
  bool away_from_zero = false;
  training::DifferentiateOptions options;
  uint32_t seed = 1;
};

// The worst error over all elements, for the record.
struct GradientErrors {
  double worst_absolute = 0;
  double worst_relative = 0;  // |analytic - D| / max(|D|, 1e-3)
  int64_t elements = 0;
};

// Runs the check with gtest expectations; returns the errors seen.
GradientErrors ExpectGradientsMatchFiniteDifferences(const GradientCheck& check);

// The same forward graph parsed from IR text.
GradientErrors ExpectGradientsMatchFiniteDifferences(
    const std::string& forward_text, std::map<std::string, std::vector<int64_t>> input_shapes = {},
    bool away_from_zero = false, std::set<std::string> positive = {});

// `forward` with an input loss.r of y's type and the output
// loss = Σ y · loss.r, over every axis.
ir::Graph WithLoss(const ir::Graph& forward);
// The outputs of `graph` (WithLoss(check.forward), differentiated, perhaps
// rewritten) on the check's random data.
TensorMap RunOnCheckData(const GradientCheck& check, const ir::Graph& graph);
// The gradient graph of `check` and its outputs on the check's data; for
// tests that compare gradients with each other rather than with differences.
TensorMap RunGradientGraph(const GradientCheck& check);

}  // namespace rnnc

#endif  // RNNC_TESTS_CORRECTNESS_GRADIENT_CHECK_H
