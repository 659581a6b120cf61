// canonicalize: identities that leave values unchanged, text against text.
#include "tests/ir_text/PassTextTest.h"

namespace rnnc::passes {
namespace {

// x + 0, x * 1, x / 1, one-operand concat, a split re-joined, slices re-joined
// into the whole weight, transposes that cancel. The add that broadcasts to a
// new shape stays.
TEST(CanonicalizeTest, Identities) {
  ExpectPassOutput("canonicalize", R"(
graph g {
  input %x: f32[N, 4]
  input %m: f32[4, N]
  param %w: f32[6, 4]
  %zero: f32[] = full() {value = 0.0}
  %one: f32[] = full() {value = 1.0}
  %a: f32[N, 4] = add(%zero, %x)
  %b: f32[N, 4] = mul(%a, %one)
  %c: f32[N, 4] = div(%b, %one)
  %d: f32[N, 4] = concat(%c) {axis = 1}
  %p: f32[N, 1], %q: f32[N, 3] = split(%d) {axis = -1, sizes = [1, 3]}
  %e: f32[N, 4] = concat(%p, %q) {axis = 1}
  %w_0: f32[2, 4] = slice(%w) {axis = 0, end = 2, start = 0}
  %w_1: f32[3, 4] = slice(%w) {axis = 0, end = 5, start = 2}
  %w_2: f32[1, 4] = slice(%w) {axis = 0, end = 6, start = 5}
  %w_01: f32[5, 4] = concat(%w_0, %w_1) {axis = 0}
  %w_all: f32[6, 4] = concat(%w_01, %w_2) {axis = 0}
  %f: f32[N, 6] = matmul(%e, %w_all) {transpose_b = true}
  %mt: f32[N, 4] = transpose(%m) {perm = [1, 0]}
  %mtt: f32[4, N] = transpose(%mt) {perm = [1, 0]}
  %g: f32[N, 4] = add(%x, %zero)
  %zero2: f32[2, 1, 1] = full() {value = 0.0}
  %broadcast: f32[2, N, 4] = add(%x, %zero2)
  output %f
  output %mtt
  output %g
  output %broadcast
}
)",
                   R"(
graph g {
  input %x: f32[N, 4]
  input %m: f32[4, N]
  param %w: f32[6, 4]
  %f: f32[N, 6] = matmul(%x, %w) {transpose_b = true}
  %zero2: f32[2, 1, 1] = full() {value = 0.0}
  %broadcast: f32[2, N, 4] = add(%x, %zero2)
  output %f
  output %mtt = %m
  output %g = %x
  output %broadcast
}
)");
}

}  // namespace
}  // namespace rnnc::passes
