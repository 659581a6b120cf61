// What the "llvm" pipeline leaves of a gradient graph, structurally: that
// the rewrites which make training fast keep finding their patterns in
// what differentiate builds. For a GRU (both resets) and an LSTM classifier:
// the backward scan carries only the state gradients (every weight and bias
// gradient sum left the loop: hoist-weight-gradients), each weight gradient
// is a contraction scan (one GEMM in the LLVM backend), and no GEMM over the
// saved carries recomputes the forward's recurrent products
// (reuse-scan-products).
#include <string>

#include "frontend/DSL.h"
#include "frontend/Losses.h"
#include "gtest/gtest.h"
#include "passes/Accumulation.h"
#include "passes/PassManager.h"
#include "passes/PatternMatch.h"
#include "training/Differentiate.h"

namespace rnnc {
namespace {

struct Case {
  std::string name;
  ir::OpKind kind;
  nn::Reset reset;
  int64_t state_carries;  // h, or h and c
  int64_t gates;
};

class GradientPipelineTest : public testing::TestWithParam<Case> {};

TEST_P(GradientPipelineTest, WeightGradientsLeaveTheTimeLoop) {
  const Case& c = GetParam();
  Model m("classifier");
  Var x = m.Input("x", {dims::T, dims::N, 6});
  nn::RecurrentOptions options(6, 8);
  options.return_sequences(false).reset(c.reset);
  Var last = c.kind == ir::OpKind::Lstm ? nn::LSTM(m, "rnn", options)(x)
                                        : nn::GRU(m, "rnn", options)(x);
  Var logits = nn::Dense(m, "fc", nn::DenseOptions(8, 3))(last);
  m.Output("loss", losses::SoftmaxCrossEntropy(logits, m.Input("y", logits.type())));
  absl::StatusOr<ir::Graph> forward = m.Build();
  ASSERT_TRUE(forward.ok()) << forward.status();
  absl::StatusOr<ir::Graph> gradients = training::Differentiate(*forward, {});
  ASSERT_TRUE(gradients.ok()) << gradients.status();
  absl::StatusOr<ir::Graph> lowered =
      passes::RunPasses(*gradients, passes::PipelineFor("llvm"), {});
  ASSERT_TRUE(lowered.ok()) << lowered.status();

  int64_t contractions = 0;
  int64_t loops = 0;
  for (const ir::Op* scan : passes::CollectOps(lowered->body(), ir::OpKind::Scan)) {
    if (passes::MatchContraction(*scan)) {
      ++contractions;
      continue;
    }
    ++loops;
    // The forward carries the state; the backward its gradient, nothing else.
    EXPECT_EQ(scan->int_attribute("carries"), c.state_carries) << scan->result(0)->name();
  }
  EXPECT_EQ(loops, 2);
  // One per gate and weight (weight_ih, weight_hh), as expand-rnn-layers
  // slices them.
  EXPECT_EQ(contractions, 2 * c.gates);
  // Only the input projection x·W_ihᵀ is a GEMM over a whole sequence.
  int64_t sequence_gemms = 0;
  for (const auto& op : lowered->body().ops()) {
    sequence_gemms += op->kind() == ir::OpKind::Matmul && op->result(0)->type().rank() == 3;
  }
  EXPECT_EQ(sequence_gemms, 1);
}

INSTANTIATE_TEST_SUITE_P(
    Cells, GradientPipelineTest,
    testing::Values(Case{"gru_after", ir::OpKind::Gru, nn::Reset::kAfter, 1, 3},
                    Case{"gru_before", ir::OpKind::Gru, nn::Reset::kBefore, 1, 3},
                    Case{"lstm", ir::OpKind::Lstm, nn::Reset::kAfter, 2, 4}),
    [](const testing::TestParamInfo<Case>& info) { return info.param.name; });

}  // namespace
}  // namespace rnnc
