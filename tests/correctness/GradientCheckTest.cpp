// differentiate against finite differences, one op at a time: every cell
// op's gradient rule, dense, batch_norm and the reductions, on small random
// graphs (GradientCheck.h says how and with what tolerance). Each graph's
// inputs and params are all differentiated.
#include "gtest/gtest.h"
#include "tests/correctness/GradientCheck.h"

namespace rnnc {
namespace {

TEST(GradientCheck, MatmulOfMatrices) {
  ExpectGradientsMatchFiniteDifferences(R"(graph g {
  input %x: f32[3, 4]
  param %w: f32[4, 5]
  %y: f32[3, 5] = matmul(%x, %w)
  output %y
}
)");
}

// Leading axes: the weight's gradient sums over (2, 3) rows by a scan.
TEST(GradientCheck, MatmulTransposedOverLeadingAxes) {
  ExpectGradientsMatchFiniteDifferences(R"(graph g {
  input %x: f32[2, 3, 4]
  param %w: f32[5, 4]
  %y: f32[2, 3, 5] = matmul(%x, %w) {transpose_b = true}
  output %y
}
)");
}

TEST(GradientCheck, MatmulOfAVectorAndOfRank4) {
  ExpectGradientsMatchFiniteDifferences(R"(graph g {
  input %v: f32[4]
  input %x: f32[2, 2, 1, 4]
  param %w: f32[4, 3]
  %a: f32[3] = matmul(%v, %w)
  %b: f32[2, 2, 1, 3] = matmul(%x, %w)
  %y: f32[2, 2, 1, 3] = add(%a, %b)
  output %y
}
)");
}

// Broadcasting both ways: new leading axes and stretched size-1 axes.
TEST(GradientCheck, ArithmeticWithBroadcasting) {
  ExpectGradientsMatchFiniteDifferences(R"(graph g {
  input %a: f32[2, 3, 4]
  param %b: f32[3, 1]
  param %c: f32[4]
  param %d: f32[1, 3, 4]
  %s: f32[2, 3, 4] = add(%a, %b)
  %t: f32[2, 3, 4] = sub(%c, %s)
  %u: f32[2, 3, 4] = mul(%t, %d)
  %e: f32[3, 1] = exp(%b)
  %y: f32[2, 3, 4] = div(%u, %e)
  output %y
}
)");
}

TEST(GradientCheck, ScalarOperands) {
  ExpectGradientsMatchFiniteDifferences(R"(graph g {
  input %a: f32[2, 3]
  param %k: f32[]
  %two: f32[] = full() {value = 2.0}
  %s: f32[2, 3] = mul(%a, %k)
  %es: f32[2, 3] = exp(%s)
  %t: f32[2, 3] = add(%two, %es)
  %y: f32[2, 3] = div(%k, %t)
  output %y
}
)", {}, /*away_from_zero=*/false, /*positive=*/{"k"});
}

TEST(GradientCheck, SmoothUnaryOps) {
  ExpectGradientsMatchFiniteDifferences(R"(graph g {
  input %x: f32[2, 3]
  %n: f32[2, 3] = neg(%x)
  %s: f32[2, 3] = sigmoid(%n)
  %l: f32[2, 3] = log(%s)
  %t: f32[2, 3] = tanh(%x)
  %e: f32[2, 3] = exp(%t)
  %r: f32[2, 3] = sqrt(%s)
  %le: f32[2, 3] = add(%l, %e)
  %y: f32[2, 3] = add(%le, %r)
  output %y
}
)");
}

// Away from 0, where relu and step have no kink within ±h; step's gradient
// is zero, which the differences confirm.
TEST(GradientCheck, ReluAndStep) {
  ExpectGradientsMatchFiniteDifferences(R"(graph g {
  input %x: f32[3, 4]
  param %w: f32[4]
  %r: f32[3, 4] = relu(%x)
  %s: f32[3, 4] = step(%x)
  %sw: f32[3, 4] = mul(%s, %w)
  %y: f32[3, 4] = add(%r, %sw)
  output %y
}
)", {}, /*away_from_zero=*/true);
}

TEST(GradientCheck, SoftmaxAlongEachAxis) {
  ExpectGradientsMatchFiniteDifferences(R"(graph g {
  input %x: f32[3, 4]
  %a: f32[3, 4] = softmax(%x) {axis = -1}
  %b: f32[3, 4] = softmax(%x) {axis = 0}
  %y: f32[3, 4] = mul(%a, %b)
  output %y
}
)");
}

TEST(GradientCheck, ReductionsKeptAndDropped) {
  ExpectGradientsMatchFiniteDifferences(R"(graph g {
  input %x: f32[T, 3, 4]
  %a: f32[T, 1, 4] = reduce_sum(%x) {axes = [1], keep_dims = true}
  %b: f32[3] = reduce_mean(%x) {axes = [-1, 0]}
  %c: f32[4] = reduce_mean(%x) {axes = [0, 1]}
  %ab: f32[T, 3, 4] = mul(%a, %x)
  %abc: f32[T, 4, 3] = transpose(%ab) {perm = [0, 2, 1]}
  %d: f32[T, 4, 3] = mul(%abc, %b)
  %cc: f32[T, 4, 1] = reduce_sum(%abc) {axes = [2], keep_dims = true}
  %e: f32[T, 4] = reduce_sum(%cc) {axes = [-1]}
  %ce: f32[T, 4] = mul(%e, %c)
  %cee: f32[T, 4, 1] = reduce_mean(%cc) {axes = [], keep_dims = true}
  %f: f32[T, 4, 3] = mul(%d, %cee)
  %g: f32[T, 4, 3] = add(%f, %cc)
  %h: f32[T, 4] = reduce_sum(%g) {axes = [2]}
  %y: f32[T, 4] = add(%h, %ce)
  output %y
}
)", {{"x", {2, 3, 4}}});
}

// where the max is differentiable.
TEST(GradientCheck, ReduceMax) {
  ExpectGradientsMatchFiniteDifferences(R"(graph g {
  input %x: f32[2, 4, 3]
  %scale: f32[] = full() {value = 0.05}
  %zero: f32[1] = full() {value = 0.0}
  %one: f32[1] = full() {value = 1.0}
  %two: f32[1] = full() {value = 2.0}
  %offsets: f32[3] = concat(%zero, %one, %two) {axis = 0}
  %scaled: f32[2, 4, 3] = mul(%x, %scale)
  %a: f32[2, 4, 3] = add(%scaled, %offsets)
  %m: f32[2, 4, 1] = reduce_max(%a) {axes = [-1], keep_dims = true}
  %t: f32[2, 3, 4] = transpose(%a) {perm = [0, 2, 1]}
  %n: f32[2, 1, 4] = reduce_max(%t) {axes = [1], keep_dims = true}
  %y: f32[2, 4, 4] = mul(%m, %n)
  output %y
}
)");
}

TEST(GradientCheck, ConcatSplitSliceTranspose) {
  ExpectGradientsMatchFiniteDifferences(R"(graph g {
  input %a: f32[2, 3]
  input %b: f32[2, 2]
  param %c: f32[2, 1]
  %j: f32[2, 6] = concat(%a, %b, %c) {axis = 1}
  %p: f32[2, 1], %q: f32[2, 4], %r: f32[2, 1] = split(%j) {axis = -1, sizes = [1, 4, 1]}
  %s: f32[2, 2] = slice(%q) {axis = 1, end = -1, start = 1}
  %t: f32[2, 2] = transpose(%s) {perm = [1, 0]}
  %u: f32[2, 2] = mul(%t, %r)
  %y: f32[2, 2] = add(%u, %p)
  output %y
}
)");
}

// Reshape back is the gradient, with a symbolic T kept, static axes split
// and merged.
TEST(GradientCheck, Reshape) {
  ExpectGradientsMatchFiniteDifferences(R"(graph g {
  input %x: f32[T, 2, 3]
  param %w: f32[3, 2]
  %r: f32[T, 3, 2] = reshape(%x) {shape = [0, 3, 2]}
  %p: f32[T, 3, 2] = mul(%r, %w)
  %s: f32[T, 3, 2] = sigmoid(%p)
  %f: f32[6] = reshape(%w) {shape = [6]}
  %m: f32[T, 6] = reshape(%s) {shape = [0, 6]}
  %y: f32[T, 6] = mul(%m, %f)
  output %y
}
)", {{"x", {3, 2, 3}}});
}

// A static axis, and the first and last step of a symbolic T, on axis 0 and
// on an inner axis.
TEST(GradientCheck, Select) {
  ExpectGradientsMatchFiniteDifferences(R"(graph g {
  input %x: f32[T, 3, 4]
  input %z: f32[2, T, 3]
  %a: f32[T, 4] = select(%x) {axis = 1, index = -2}
  %last: f32[3, 4] = select(%x) {axis = 0, index = -1}
  %first: f32[2, 3] = select(%z) {axis = 1, index = 0}
  %inner_last: f32[2, 3] = select(%z) {axis = -2, index = -1}
  %b: f32[4] = select(%a) {axis = 0, index = 0}
  %c: f32[3, 4] = mul(%last, %b)
  %d: f32[2, 3] = mul(%first, %inner_last)
  %e: f32[3, 2] = transpose(%d) {perm = [1, 0]}
  %f: f32[3, 1] = reduce_sum(%e) {axes = [1], keep_dims = true}
  %y: f32[3, 4] = mul(%c, %f)
  output %y
}
)", {{"x", {4, 3, 4}}, {"z", {2, 4, 3}}});
}

TEST(GradientCheck, DenseOverASequence) {
  ExpectGradientsMatchFiniteDifferences(R"(graph g {
  input %x: f32[T, N, 3]
  param %fc.weight: f32[2, 3]
  param %fc.bias: f32[2]
  param %nobias.weight: f32[2, 3]
  %a: f32[T, N, 2] = dense(%x, %fc.weight, %fc.bias)
  %b: f32[T, N, 2] = dense(%x, %nobias.weight)
  %y: f32[T, N, 2] = mul(%a, %b)
  output %y
}
)", {{"x", {2, 3, 3}}});
}

TEST(GradientCheck, BatchNormInferenceForm) {
  ExpectGradientsMatchFiniteDifferences(R"(graph g {
  input %x: f32[N, 3]
  param %bn.weight: f32[3]
  param %bn.bias: f32[3]
  param %bn.running_mean: f32[3]
  param %bn.running_var: f32[3]
  %y: f32[N, 3] = batch_norm(%x, %bn.weight, %bn.bias, %bn.running_mean, %bn.running_var) {epsilon = 0.001}
  output %y
}
)", {{"x", {4, 3}}}, /*away_from_zero=*/false, /*positive=*/{"bn.running_var"});
}

}  // namespace
}  // namespace rnnc
