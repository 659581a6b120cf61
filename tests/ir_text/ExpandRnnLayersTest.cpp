// expand-rnn-layers: layer ops in, scans of cell ops out, text against
// text. Numerics for every golden case are in tests/golden/PassGoldenTest.cpp.
#include "tests/ir_text/PassTextTest.h"

namespace rnnc::passes {
namespace {

// h0 gives the initial carry by select; h_n is the final carry with a new
// axis 0; the per-step output takes the layer output's name.
TEST(ExpandRnnLayersTest, RnnWithInitialState) {
  ExpectPassOutput("expand-rnn-layers", R"(
graph g {
  input %x: f32[T, N, 3]
  input %h0: f32[1, N, 2]
  param %w: f32[2, 3]
  param %u: f32[2, 2]
  param %b: f32[2]
  param %c: f32[2]
  %y: f32[T, N, 2], %h_n: f32[1, N, 2] = rnn(%x, %w, %u, %b, %c, %h0) {activation = "tanh", direction = "forward", hidden_size = 2, num_layers = 1}
  output %y
  output %h_n
}
)",
                   R"(
graph g {
  input %x: f32[T, N, 3]
  input %h0: f32[1, N, 2]
  param %w: f32[2, 3]
  param %u: f32[2, 2]
  param %b: f32[2]
  param %c: f32[2]
  %y.l0.w_0: f32[2, 3] = slice(%w) {axis = 0, end = 2, start = 0}
  %y.l0.u_0: f32[2, 2] = slice(%u) {axis = 0, end = 2, start = 0}
  %y.l0.b_0: f32[2] = slice(%b) {axis = 0, end = 2, start = 0}
  %y.l0.c_0: f32[2] = slice(%c) {axis = 0, end = 2, start = 0}
  %y.l0.h0: f32[N, 2] = select(%h0) {axis = 0, index = 0}
  %y.l0.h_T: f32[N, 2], %y: f32[T, N, 2] = scan(%y.l0.h0, %x) {carries = 1, reverse = false} {
    ^(%y.l0.h: f32[N, 2], %y.l0.x: f32[N, 3]):
    %0: f32[N, 2] = matmul(%y.l0.x, %y.l0.w_0) {transpose_b = true}
    %1: f32[N, 2] = add(%0, %y.l0.b_0)
    %2: f32[N, 2] = matmul(%y.l0.h, %y.l0.u_0) {transpose_b = true}
    %3: f32[N, 2] = add(%2, %y.l0.c_0)
    %4: f32[N, 2] = add(%1, %3)
    %y.l0.h_next: f32[N, 2] = tanh(%4)
    yield(%y.l0.h_next, %y.l0.h_next)
  }
  %5: f32[1, N, 2] = full() {value = 0.0}
  %h_n: f32[1, N, 2] = add(%5, %y.l0.h_T)
  output %y
  output %h_n
}
)");
}

// Reverse is a scan with reverse = true; reset before multiplies r * h
// before U_n; absent h0 is zeros.
TEST(ExpandRnnLayersTest, ReverseGruResetBefore) {
  ExpectPassOutput("expand-rnn-layers", R"(
graph g {
  input %x: f32[T, N, 3]
  param %w: f32[6, 3]
  param %u: f32[6, 2]
  param %b: f32[6]
  param %c: f32[6]
  %y: f32[T, N, 2], %h_n: f32[1, N, 2] = gru(%x, %w, %u, %b, %c) {direction = "reverse", hidden_size = 2, num_layers = 1, reset = "before"}
  output %y
  output %h_n
}
)",
                   R"(
graph g {
  input %x: f32[T, N, 3]
  param %w: f32[6, 3]
  param %u: f32[6, 2]
  param %b: f32[6]
  param %c: f32[6]
  %y.one: f32[] = full() {value = 1.0}
  %y.l0.w_0: f32[2, 3] = slice(%w) {axis = 0, end = 2, start = 0}
  %y.l0.u_0: f32[2, 2] = slice(%u) {axis = 0, end = 2, start = 0}
  %y.l0.b_0: f32[2] = slice(%b) {axis = 0, end = 2, start = 0}
  %y.l0.c_0: f32[2] = slice(%c) {axis = 0, end = 2, start = 0}
  %y.l0.w_1: f32[2, 3] = slice(%w) {axis = 0, end = 4, start = 2}
  %y.l0.u_1: f32[2, 2] = slice(%u) {axis = 0, end = 4, start = 2}
  %y.l0.b_1: f32[2] = slice(%b) {axis = 0, end = 4, start = 2}
  %y.l0.c_1: f32[2] = slice(%c) {axis = 0, end = 4, start = 2}
  %y.l0.w_2: f32[2, 3] = slice(%w) {axis = 0, end = 6, start = 4}
  %y.l0.u_2: f32[2, 2] = slice(%u) {axis = 0, end = 6, start = 4}
  %y.l0.b_2: f32[2] = slice(%b) {axis = 0, end = 6, start = 4}
  %y.l0.c_2: f32[2] = slice(%c) {axis = 0, end = 6, start = 4}
  %y.zeros: f32[N, 2] = full() {value = 0.0}
  %y.l0.h_T: f32[N, 2], %y: f32[T, N, 2] = scan(%y.zeros, %x) {carries = 1, reverse = true} {
    ^(%y.l0.h: f32[N, 2], %y.l0.x: f32[N, 3]):
    %0: f32[N, 2] = matmul(%y.l0.x, %y.l0.w_0) {transpose_b = true}
    %1: f32[N, 2] = add(%0, %y.l0.b_0)
    %2: f32[N, 2] = matmul(%y.l0.h, %y.l0.u_0) {transpose_b = true}
    %3: f32[N, 2] = add(%2, %y.l0.c_0)
    %4: f32[N, 2] = add(%1, %3)
    %y.l0.r: f32[N, 2] = sigmoid(%4)
    %5: f32[N, 2] = matmul(%y.l0.x, %y.l0.w_1) {transpose_b = true}
    %6: f32[N, 2] = add(%5, %y.l0.b_1)
    %7: f32[N, 2] = matmul(%y.l0.h, %y.l0.u_1) {transpose_b = true}
    %8: f32[N, 2] = add(%7, %y.l0.c_1)
    %9: f32[N, 2] = add(%6, %8)
    %y.l0.z: f32[N, 2] = sigmoid(%9)
    %10: f32[N, 2] = matmul(%y.l0.x, %y.l0.w_2) {transpose_b = true}
    %11: f32[N, 2] = add(%10, %y.l0.b_2)
    %12: f32[N, 2] = mul(%y.l0.r, %y.l0.h)
    %13: f32[N, 2] = matmul(%12, %y.l0.u_2) {transpose_b = true}
    %14: f32[N, 2] = add(%13, %y.l0.c_2)
    %15: f32[N, 2] = add(%11, %14)
    %y.l0.n: f32[N, 2] = tanh(%15)
    %16: f32[N, 2] = sub(%y.one, %y.l0.z)
    %17: f32[N, 2] = mul(%16, %y.l0.n)
    %18: f32[N, 2] = mul(%y.l0.z, %y.l0.h)
    %y.l0.h_next: f32[N, 2] = add(%18, %17)
    yield(%y.l0.h_next, %y.l0.h_next)
  }
  %19: f32[1, N, 2] = full() {value = 0.0}
  %h_n: f32[1, N, 2] = add(%19, %y.l0.h_T)
  output %y
  output %h_n
}
)");
}

}  // namespace
}  // namespace rnnc::passes
