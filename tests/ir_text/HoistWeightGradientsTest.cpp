// hoist-weight-gradients: running sums leave a backward scan, text against
// text.
#include "tests/ir_text/PassTextTest.h"

namespace rnnc::passes {
namespace {

// A weight's gradient (the transposed form differentiate writes for a
// matmul with transpose_b) becomes a contraction scan over the new per-step
// output %dg.steps and the sequence %x; a bias's becomes a reduce_sum over T
// and N. The dead transposes stay for dce.
TEST(HoistWeightGradientsTest, WeightAndBiasSumsLeaveTheScan) {
  ExpectPassOutput("hoist-weight-gradients", R"(
graph g {
  input %x: f32[T, N, 3]
  input %d: f32[T, N, 4]
  input %g0: f32[N, 4]
  %zeros: f32[4, 3] = full() {value = 0.0}
  %bias0: f32[4] = full() {value = 0.0}
  %g_T: f32[N, 4], %w_sum: f32[4, 3], %b_sum: f32[4] = scan(%g0, %zeros, %bias0, %x, %d) {carries = 3, reverse = true} {
    ^(%g: f32[N, 4], %w.grad_sum: f32[4, 3], %b.grad_sum: f32[4], %x_t: f32[N, 3], %d_t: f32[N, 4]):
    %dg: f32[N, 4] = mul(%g, %d_t)
    %x_tt: f32[3, N] = transpose(%x_t) {perm = [1, 0]}
    %p: f32[3, 4] = matmul(%x_tt, %dg)
    %pt: f32[4, 3] = transpose(%p) {perm = [1, 0]}
    %w_next: f32[4, 3] = add(%w.grad_sum, %pt)
    %row_sum: f32[4] = reduce_sum(%dg) {axes = [0], keep_dims = false}
    %b_next: f32[4] = add(%row_sum, %b.grad_sum)
    yield(%dg, %w_next, %b_next)
  }
  output %g_T
  output %w_sum
  output %b_sum
}
)",
                   R"(
graph g {
  input %x: f32[T, N, 3]
  input %d: f32[T, N, 4]
  input %g0: f32[N, 4]
  %zeros: f32[4, 3] = full() {value = 0.0}
  %bias0: f32[4] = full() {value = 0.0}
  %g_T: f32[N, 4], %dg.steps: f32[T, N, 4] = scan(%g0, %x, %d) {carries = 1, reverse = true} {
    ^(%g: f32[N, 4], %x_t: f32[N, 3], %d_t: f32[N, 4]):
    %dg: f32[N, 4] = mul(%g, %d_t)
    %x_tt: f32[3, N] = transpose(%x_t) {perm = [1, 0]}
    %p: f32[3, 4] = matmul(%x_tt, %dg)
    %pt: f32[4, 3] = transpose(%p) {perm = [1, 0]}
    %row_sum: f32[4] = reduce_sum(%dg) {axes = [0], keep_dims = false}
    yield(%dg, %dg)
  }
  %w_sum: f32[4, 3] = scan(%zeros, %dg.steps, %x) {carries = 1, reverse = false} {
    ^(%w_sum.acc: f32[4, 3], %dg.steps.step: f32[N, 4], %x.step: f32[N, 3]):
    %0: f32[4, N] = transpose(%dg.steps.step) {perm = [1, 0]}
    %1: f32[4, 3] = matmul(%0, %x.step)
    %2: f32[4, 3] = add(%w_sum.acc, %1)
    yield(%2)
  }
  %3: f32[4] = reduce_sum(%dg.steps) {axes = [0, 1], keep_dims = false}
  %b_sum: f32[4] = add(%bias0, %3)
  output %g_T
  output %w_sum
  output %b_sum
}
)");
}

// A sum that a step reads (here, the next carry depends on it) is not a
// running sum: nothing changes. Nor does the contraction scan this pass
// leaves behind.
TEST(HoistWeightGradientsTest, SumsThatAStepReadsStay) {
  const char* text = R"(
graph g {
  input %x: f32[T, N, 3]
  input %g0: f32[N, 3]
  %zeros: f32[3, 3] = full() {value = 0.0}
  %g_T: f32[N, 3], %w_sum: f32[3, 3] = scan(%g0, %zeros, %x) {carries = 2, reverse = true} {
    ^(%g: f32[N, 3], %w.grad_sum: f32[3, 3], %x_t: f32[N, 3]):
    %x_tt: f32[3, N] = transpose(%x_t) {perm = [1, 0]}
    %p: f32[3, 3] = matmul(%x_tt, %g)
    %w_next: f32[3, 3] = add(%w.grad_sum, %p)
    %g_next: f32[N, 3] = matmul(%g, %w.grad_sum)
    yield(%g_next, %w_next)
  }
  %c: f32[3, 3] = scan(%zeros, %x, %x) {carries = 1, reverse = false} {
    ^(%acc: f32[3, 3], %u_t: f32[N, 3], %v_t: f32[N, 3]):
    %u_tt: f32[3, N] = transpose(%u_t) {perm = [1, 0]}
    %q: f32[3, 3] = matmul(%u_tt, %v_t)
    %acc_next: f32[3, 3] = add(%acc, %q)
    yield(%acc_next)
  }
  output %g_T
  output %w_sum
  output %c
}
)";
  ExpectPassOutput("hoist-weight-gradients", text, text);
}

}  // namespace
}  // namespace rnnc::passes
