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
  %1: f32[4] = add(%var, %0)
  %2: f32[4] = sqrt(%1)
  %3: f32[4] = div(%gamma, %2)
  %6: f32[3, 4] = transpose(%w) {perm = [1, 0]}
  %7: f32[3, 4] = mul(%6, %3)
  %w.folded: f32[4, 3] = transpose(%7) {perm = [1, 0]}
  %8: f32[4] = sub(%b, %mean)
  %9: f32[4] = mul(%8, %3)
  %10: f32[4] = add(%9, %beta)
  %z: f32[N, 4] = dense(%x, %w.folded, %10)
  output %z
}
)");
}

// A matmul folds as a dense without bias when it reads W (Out, In)
// transposed, and as matmul + shift when it reads W (In, Out): the input
// projection of a BN-GRU (nn::BatchNormGRU) becomes a plain one.
TEST(FoldBatchNormTest, AfterMatmulEitherLayout) {
  ExpectPassOutput("fold-batch-norm", R"(
graph g {
  input %x: f32[T, N, 3]
  param %w: f32[4, 3]
  param %v: f32[3, 4]
  param %gamma: f32[4]
  param %beta: f32[4]
  param %mean: f32[4]
  param %var: f32[4]
  %p: f32[T, N, 4] = matmul(%x, %w) {transpose_b = true}
  %q: f32[T, N, 4] = matmul(%x, %v)
  %y: f32[T, N, 4] = batch_norm(%p, %gamma, %beta, %mean, %var)
  %z: f32[T, N, 4] = batch_norm(%q, %gamma, %beta, %mean, %var)
  output %y
  output %z
}
)",
                   R"(
graph g {
  input %x: f32[T, N, 3]
  param %w: f32[4, 3]
  param %v: f32[3, 4]
  param %gamma: f32[4]
  param %beta: f32[4]
  param %mean: f32[4]
  param %var: f32[4]
  %0: f32[] = full() {value = 1e-05}
  %1: f32[4] = add(%var, %0)
  %2: f32[4] = sqrt(%1)
  %3: f32[4] = div(%gamma, %2)
  %4: f32[4] = mul(%mean, %3)
  %5: f32[4] = sub(%beta, %4)
  %6: f32[3, 4] = transpose(%w) {perm = [1, 0]}
  %7: f32[3, 4] = mul(%6, %3)
  %w.folded: f32[4, 3] = transpose(%7) {perm = [1, 0]}
  %y: f32[T, N, 4] = dense(%x, %w.folded, %5)
  %8: f32[] = full() {value = 1e-05}
  %9: f32[4] = add(%var, %8)
  %10: f32[4] = sqrt(%9)
  %11: f32[4] = div(%gamma, %10)
  %12: f32[4] = mul(%mean, %11)
  %13: f32[4] = sub(%beta, %12)
  %v.folded: f32[3, 4] = mul(%v, %11)
  %14: f32[T, N, 4] = matmul(%x, %v.folded)
  %z: f32[T, N, 4] = add(%14, %13)
  output %y
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
  %1: f32[3] = add(%var, %0)
  %2: f32[3] = sqrt(%1)
  %3: f32[3] = div(%gamma, %2)
  %4: f32[3] = mul(%mean, %3)
  %5: f32[3] = sub(%beta, %4)
  %w.folded: f32[4, 3] = mul(%w, %3)
  %6: f32[4] = matmul(%5, %w) {transpose_b = true}
  %z: f32[N, 4] = dense(%x, %w.folded, %6)
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
  %1: f32[3] = add(%var, %0)
  %2: f32[3] = sqrt(%1)
  %3: f32[3] = div(%gamma, %2)
  %4: f32[3] = mul(%mean, %3)
  %5: f32[3] = sub(%beta, %4)
  %w.folded: f32[6, 3] = mul(%w, %3)
  %6: f32[6] = matmul(%5, %w) {transpose_b = true}
  %7: f32[6] = add(%6, %b)
  %y: f32[T, N, 2], %h_n: f32[1, N, 2] = gru(%x, %w.folded, %u, %7, %c) {direction = "forward", hidden_size = 2, num_layers = 1, reset = "after"}
  output %y
}
)");
}

}  // namespace
}  // namespace rnnc::passes
