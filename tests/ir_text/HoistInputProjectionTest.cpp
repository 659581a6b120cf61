// hoist-input-projection: x_t·Wᵀ + b leaves the scan, text against text.
#include "tests/ir_text/PassTextTest.h"

namespace rnnc::passes {
namespace {

// The product and its bias become one (T, N, 4) sequence; the recurrent h·Uᵀ
// stays; dce later drops %x_t.
TEST(HoistInputProjectionTest, MatmulAndBiasLeaveAReverseScan) {
  ExpectPassOutput("hoist-input-projection", R"(
graph g {
  input %x: f32[T, N, 3]
  input %h0: f32[N, 4]
  param %w: f32[4, 3]
  param %u: f32[4, 4]
  param %b: f32[4]
  %h_T: f32[N, 4], %hs: f32[T, N, 4] = scan(%h0, %x) {carries = 1, reverse = true} {
    ^(%h: f32[N, 4], %x_t: f32[N, 3]):
    %xw: f32[N, 4] = matmul(%x_t, %w) {transpose_b = true}
    %xwb: f32[N, 4] = add(%xw, %b)
    %hu: f32[N, 4] = matmul(%h, %u) {transpose_b = true}
    %s: f32[N, 4] = add(%xwb, %hu)
    %h_next: f32[N, 4] = tanh(%s)
    yield(%h_next, %h_next)
  }
  output %hs
  output %h_T
}
)",
                   R"(
graph g {
  input %x: f32[T, N, 3]
  input %h0: f32[N, 4]
  param %w: f32[4, 3]
  param %u: f32[4, 4]
  param %b: f32[4]
  %x_t.projected: f32[T, N, 4] = matmul(%x, %w) {transpose_b = true}
  %0: f32[T, N, 4] = add(%x_t.projected, %b)
  %h_T: f32[N, 4], %hs: f32[T, N, 4] = scan(%h0, %x, %0) {carries = 1, reverse = true} {
    ^(%h: f32[N, 4], %x_t: f32[N, 3], %xwb: f32[N, 4]):
    %hu: f32[N, 4] = matmul(%h, %u) {transpose_b = true}
    %s: f32[N, 4] = add(%xwb, %hu)
    %h_next: f32[N, 4] = tanh(%s)
    yield(%h_next, %h_next)
  }
  output %hs
  output %h_T
}
)");
}

}  // namespace
}  // namespace rnnc::passes
