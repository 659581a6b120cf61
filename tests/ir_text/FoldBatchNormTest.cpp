// fold-batch-norm: batch norms folded into weights, text against text.
#include "tests/ir_text/PassTextTest.h"

namespace rnnc::passes {
namespace {

// W * s[:, None] by transposing around the broadcast; b' = (b - mean) * s +
// beta.
TEST(FoldBatchNormTest, AfterDense) {
  ExpectPassOutput("fold-batch-norm", R"(
graph g {
  input %x: f32[N, 3]
  param %w: f32[4, 3]
  param %b: f32[4]
  param %gamma: f32[4]
  param %beta: f32[4]
  param %mean: f32[4]
  param %var: f32[4]
  %y: f32[N, 4] = dense(%x, %w, %b)
  %z: f32[N, 4] = batch_norm(%y, %gamma, %beta, %mean, %var) {epsilon = 0.001}
  output %z
}
)",
                   R"(
graph g {
  input %x: f32[N, 3]
  param %w: f32[4, 3]
  param %b: f32[4]
  param %gamma: f32[4]
  param %beta: f32[4]
  param %mean: f32[4]
  param %var: f32[4]
  %0: f32[] = full() {value = 0.001}
  %1: f32[] = full() {value = 0.5}
  %2: f32[4] = add(%var, %0)
  %3: f32[4] = log(%2)
  %4: f32[4] = mul(%3, %1)
  %5: f32[4] = exp(%4)
  %6: f32[4] = div(%gamma, %5)
  %9: f32[3, 4] = transpose(%w) {perm = [1, 0]}
  %10: f32[3, 4] = mul(%9, %6)
  %w.folded: f32[4, 3] = transpose(%10) {perm = [1, 0]}
  %11: f32[4] = sub(%b, %mean)
  %12: f32[4] = mul(%11, %6)
  %13: f32[4] = add(%12, %beta)
  %z: f32[N, 4] = dense(%x, %w.folded, %13)
  output %z
}
)");
}

// W * s[None, :]; the shift becomes the bias t·Wᵀ.
TEST(FoldBatchNormTest, BeforeDenseWithoutBias) {
  ExpectPassOutput("fold-batch-norm", R"(
graph g {
  input %x: f32[N, 3]
  param %w: f32[4, 3]
  param %gamma: f32[3]
  param %beta: f32[3]
  param %mean: f32[3]
  param %var: f32[3]
  %y: f32[N, 3] = batch_norm(%x, %gamma, %beta, %mean, %var)
  %z: f32[N, 4] = dense(%y, %w)
  output %z
}
)",
                   R"(
graph g {
  input %x: f32[N, 3]
  param %w: f32[4, 3]
  param %gamma: f32[3]
  param %beta: f32[3]
  param %mean: f32[3]
  param %var: f32[3]
  %0: f32[] = full() {value = 1e-05}
  %1: f32[] = full() {value = 0.5}
  %2: f32[3] = add(%var, %0)
  %3: f32[3] = log(%2)
  %4: f32[3] = mul(%3, %1)
  %5: f32[3] = exp(%4)
  %6: f32[3] = div(%gamma, %5)
  %7: f32[3] = mul(%mean, %6)
  %8: f32[3] = sub(%beta, %7)
  %w.folded: f32[4, 3] = mul(%w, %6)
  %9: f32[4] = matmul(%8, %w) {transpose_b = true}
  %z: f32[N, 4] = dense(%x, %w.folded, %9)
  output %z
}
)");
}

// Into weight_ih and bias_ih of layer 0.
TEST(FoldBatchNormTest, BeforeGru) {
  ExpectPassOutput("fold-batch-norm", R"(
graph g {
  input %x: f32[T, N, 3]
  param %gamma: f32[3]
  param %beta: f32[3]
  param %mean: f32[3]
  param %var: f32[3]
  param %w: f32[6, 3]
  param %u: f32[6, 2]
  param %b: f32[6]
  param %c: f32[6]
  %xn: f32[T, N, 3] = batch_norm(%x, %gamma, %beta, %mean, %var)
  %y: f32[T, N, 2], %h_n: f32[1, N, 2] = gru(%xn, %w, %u, %b, %c) {direction = "forward", hidden_size = 2, num_layers = 1, reset = "after"}
  output %y
}
)",
                   R"(
graph g {
  input %x: f32[T, N, 3]
  param %gamma: f32[3]
  param %beta: f32[3]
  param %mean: f32[3]
  param %var: f32[3]
  param %w: f32[6, 3]
  param %u: f32[6, 2]
  param %b: f32[6]
  param %c: f32[6]
  %0: f32[] = full() {value = 1e-05}
  %1: f32[] = full() {value = 0.5}
  %2: f32[3] = add(%var, %0)
  %3: f32[3] = log(%2)
  %4: f32[3] = mul(%3, %1)
  %5: f32[3] = exp(%4)
  %6: f32[3] = div(%gamma, %5)
  %7: f32[3] = mul(%mean, %6)
  %8: f32[3] = sub(%beta, %7)
  %w.folded: f32[6, 3] = mul(%w, %6)
  %9: f32[6] = matmul(%8, %w) {transpose_b = true}
  %10: f32[6] = add(%9, %b)
  %y: f32[T, N, 2], %h_n: f32[1, N, 2] = gru(%x, %w.folded, %u, %10, %c) {direction = "forward", hidden_size = 2, num_layers = 1, reset = "after"}
  output %y
}
)");
}

}  // namespace
}  // namespace rnnc::passes
