// cse: equal ops computed once, text against text.
#include "tests/ir_text/PassTextTest.h"

namespace rnnc::passes {
namespace {

// Equal slices before, inside and after the scan become one; fulls of
// different types stay apart.
TEST(EliminateCommonSubexpressionsTest, InsideAndAroundAScan) {
  ExpectPassOutput("cse", R"(
graph g {
  input %x: f32[T, N, 3]
  input %h0: f32[N, 2]
  param %w: f32[2, 3]
  %w_0: f32[2, 3] = slice(%w) {axis = 0, end = 2, start = 0}
  %w_1: f32[2, 3] = slice(%w) {axis = 0, end = 2, start = 0}
  %z1: f32[N, 2] = full() {value = 0.0}
  %z2: f32[1, N, 2] = full() {value = 0.0}
  %h_T: f32[N, 2], %hs: f32[T, N, 2] = scan(%h0, %x) {carries = 1, reverse = false} {
    ^(%h: f32[N, 2], %x_t: f32[N, 3]):
    %a: f32[N, 2] = matmul(%x_t, %w_0) {transpose_b = true}
    %b: f32[N, 2] = matmul(%x_t, %w_1) {transpose_b = true}
    %w_2: f32[2, 3] = slice(%w) {axis = 0, end = 2, start = 0}
    %c: f32[N, 2] = add(%a, %b)
    %h_next: f32[N, 2] = add(%c, %h)
    yield(%h_next, %h_next)
  }
  %y: f32[N, 2] = add(%h_T, %z1)
  %y2: f32[1, N, 2] = add(%z2, %h_T)
  %w_3: f32[2, 3] = slice(%w) {axis = 0, end = 2, start = 0}
  output %hs
  output %y
  output %y2
}
)",
                   R"(
graph g {
  input %x: f32[T, N, 3]
  input %h0: f32[N, 2]
  param %w: f32[2, 3]
  %w_0: f32[2, 3] = slice(%w) {axis = 0, end = 2, start = 0}
  %z1: f32[N, 2] = full() {value = 0.0}
  %z2: f32[1, N, 2] = full() {value = 0.0}
  %h_T: f32[N, 2], %hs: f32[T, N, 2] = scan(%h0, %x) {carries = 1, reverse = false} {
    ^(%h: f32[N, 2], %x_t: f32[N, 3]):
    %a: f32[N, 2] = matmul(%x_t, %w_0) {transpose_b = true}
    %c: f32[N, 2] = add(%a, %a)
    %h_next: f32[N, 2] = add(%c, %h)
    yield(%h_next, %h_next)
  }
  %y: f32[N, 2] = add(%h_T, %z1)
  %y2: f32[1, N, 2] = add(%z2, %h_T)
  output %hs
  output %y
  output %y2
}
)");
}

}  // namespace
}  // namespace rnnc::passes
