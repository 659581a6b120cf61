// differentiate on inputs it refuses, asserting on the message: a missing or
// non-scalar loss, a negative truncation window, a graph that does not
// verify, and the one gradient it cannot build (select of an inner index of
// a symbolic axis).
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ir/Parser.h"
#include "training/Differentiate.h"

namespace rnnc::training {
namespace {

using ::testing::HasSubstr;

std::string DifferentiateError(const std::string& text, DifferentiateOptions options = {}) {
  absl::StatusOr<ir::Graph> graph = ir::ParseGraph(text);
  EXPECT_TRUE(graph.ok()) << graph.status();
  if (!graph.ok()) return "";
  absl::StatusOr<ir::Graph> gradients = Differentiate(*graph, options);
  EXPECT_FALSE(gradients.ok());
  return gradients.ok() ? "" : std::string(gradients.status().message());
}

constexpr const char* kVectorLoss = R"(graph g {
  input %x: f32[N, 3]
  param %w: f32[3]
  %loss: f32[N, 3] = mul(%x, %w)
  output %loss
}
)";

TEST(GradientErrors, LossMustBeAScalarOutput) {
  EXPECT_THAT(DifferentiateError(kVectorLoss),
              HasSubstr("differentiate: loss output 'loss' (%loss) has type f32[N, 3], expected "
                        "a scalar f32[]"));
  DifferentiateOptions options;
  options.loss = "cost";
  EXPECT_THAT(DifferentiateError(kVectorLoss, options),
              HasSubstr("differentiate: the graph has no output named 'cost' to use as the loss"));
}

TEST(GradientErrors, NegativeTruncationWindow) {
  DifferentiateOptions options;
  options.truncate_bptt = -2;
  EXPECT_THAT(DifferentiateError(kVectorLoss, options),
              HasSubstr("truncate_bptt = -2, expected 0 (full) or a window length >= 1"));
}

TEST(GradientErrors, ForwardGraphMustVerify) {
  EXPECT_THAT(DifferentiateError(R"(graph g {
  input %x: f32[N, 3]
  param %w: f32[4]
  %p: f32[N, 3] = mul(%x, %w)
  %loss: f32[] = reduce_sum(%p) {axes = [0, 1]}
  output %loss
}
)"),
              HasSubstr("op %p = mul: operand 1 (%w) has type f32[4], which does not broadcast"));
}

TEST(GradientErrors, SelectOfAnInnerIndexOfASymbolicAxis) {
  EXPECT_THAT(DifferentiateError(R"(graph g {
  input %x: f32[T, 3]
  param %w: f32[3]
  %p: f32[T, 3] = mul(%x, %w)
  %s: f32[3] = select(%p) {axis = 0, index = 1}
  %loss: f32[] = reduce_sum(%s) {axes = [0]}
  output %loss
}
)"),
              HasSubstr("op %s = select: no gradient: index 1 of symbolic dim 0 of %p, f32[T, 3]; "
                        "only 0 and -1 are supported there"));
}

}  // namespace
}  // namespace rnnc::training
