// params-as-inputs, text in and text out: every param becomes an input of
// its name and type after the existing inputs, uses inside scan bodies
// included, and nothing else changes.
#include "gtest/gtest.h"
#include "ir/Parser.h"
#include "ir/Printer.h"
#include "ir/Verifier.h"
#include "training/ParamsAsInputs.h"

namespace rnnc::training {
namespace {

TEST(ParamsAsInputs, ParamsBecomeInputsInOrderAndScanBodiesFollow) {
  const char* input = R"(graph g {
  input %x: f32[T, N, 2]
  param %w: f32[3, 2]
  param %u: f32[3, 3]
  %zeros: f32[N, 3] = full() {value = 0.0}
  %h_T: f32[N, 3], %hs: f32[T, N, 3] = scan(%zeros, %x) {carries = 1, reverse = false} {
    ^(%h: f32[N, 3], %x_t: f32[N, 2]):
    %a: f32[N, 3] = matmul(%x_t, %w) {transpose_b = true}
    %b: f32[N, 3] = matmul(%h, %u) {transpose_b = true}
    %s: f32[N, 3] = add(%a, %b)
    %h_next: f32[N, 3] = tanh(%s)
    yield(%h_next, %h_next)
  }
  output %h_T
}
)";
  const char* expected = R"(graph g {
  input %x: f32[T, N, 2]
  input %w: f32[3, 2]
  input %u: f32[3, 3]
  %zeros: f32[N, 3] = full() {value = 0.0}
  %h_T: f32[N, 3], %hs: f32[T, N, 3] = scan(%zeros, %x) {carries = 1, reverse = false} {
    ^(%h: f32[N, 3], %x_t: f32[N, 2]):
    %a: f32[N, 3] = matmul(%x_t, %w) {transpose_b = true}
    %b: f32[N, 3] = matmul(%h, %u) {transpose_b = true}
    %s: f32[N, 3] = add(%a, %b)
    %h_next: f32[N, 3] = tanh(%s)
    yield(%h_next, %h_next)
  }
  output %h_T
}
)";
  absl::StatusOr<ir::Graph> graph = ir::ParseGraph(input);
  ASSERT_TRUE(graph.ok()) << graph.status();
  const ir::Graph result = ParamsAsInputs(*graph);
  EXPECT_TRUE(ir::Verify(result).ok());
  EXPECT_TRUE(result.params().empty());
  EXPECT_EQ(ir::PrintGraph(result), expected);
}

}  // namespace
}  // namespace rnnc::training
