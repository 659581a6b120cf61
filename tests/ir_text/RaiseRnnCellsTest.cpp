// raise-rnn-cells: known cells in scans become layer ops, text against text.
#include "tests/ir_text/PassTextTest.h"

namespace rnnc::passes {
namespace {

// As FrontendTest's BuildGruCell writes it, operands of adds and muls in
// shuffled order.
TEST(RaiseRnnCellsTest, DslGruResetAfter) {
  ExpectPassOutput("raise-rnn-cells", R"(
graph dsl_gru {
  input %x: f32[T, N, 3]
  param %weight_ih_l0: f32[6, 3]
  param %weight_hh_l0: f32[6, 2]
  param %bias_ih_l0: f32[6]
  param %bias_hh_l0: f32[6]
  %zeros: f32[N, 2] = full() {value = 0.0}
  %h_T: f32[N, 2], %hs: f32[T, N, 2] = scan(%zeros, %x) {carries = 1, reverse = false} {
    ^(%h: f32[N, 2], %x_t: f32[N, 3]):
    %xw: f32[N, 6] = matmul(%x_t, %weight_ih_l0) {transpose_b = true}
    %xwb: f32[N, 6] = add(%xw, %bias_ih_l0)
    %x_r: f32[N, 2], %x_z: f32[N, 2], %x_n: f32[N, 2] = split(%xwb) {axis = -1, sizes = [2, 2, 2]}
    %hu: f32[N, 6] = matmul(%h, %weight_hh_l0) {transpose_b = true}
    %huc: f32[N, 6] = add(%hu, %bias_hh_l0)
    %h_r: f32[N, 2], %h_z: f32[N, 2], %h_n: f32[N, 2] = split(%huc) {axis = -1, sizes = [2, 2, 2]}
    %r_pre: f32[N, 2] = add(%x_r, %h_r)
    %r: f32[N, 2] = sigmoid(%r_pre)
    %z_pre: f32[N, 2] = add(%h_z, %x_z)
    %z: f32[N, 2] = sigmoid(%z_pre)
    %rh: f32[N, 2] = mul(%h_n, %r)
    %n_pre: f32[N, 2] = add(%x_n, %rh)
    %n: f32[N, 2] = tanh(%n_pre)
    %one: f32[] = full() {value = 1.0}
    %zh: f32[N, 2] = mul(%z, %h)
    %1z: f32[N, 2] = sub(%one, %z)
    %1zn: f32[N, 2] = mul(%1z, %n)
    %h_next: f32[N, 2] = add(%zh, %1zn)
    yield(%h_next, %h_next)
  }
  output %hs
  output %h_T
}
)",
                   R"(
graph dsl_gru {
  input %x: f32[T, N, 3]
  param %weight_ih_l0: f32[6, 3]
  param %weight_hh_l0: f32[6, 2]
  param %bias_ih_l0: f32[6]
  param %bias_hh_l0: f32[6]
  %hs: f32[T, N, 2], %hs.h_n: f32[1, N, 2] = gru(%x, %weight_ih_l0, %weight_hh_l0, %bias_ih_l0, %bias_hh_l0) {direction = "forward", hidden_size = 2, num_layers = 1, reset = "after"}
  %h_T: f32[N, 2] = select(%hs.h_n) {axis = 0, index = 0}
  output %hs
  output %h_T
}
)");
}

// What expand-rnn-layers writes comes back as the layer op (canonicalize then
// folds the h_n rebuilding).
TEST(RaiseRnnCellsTest, ExpandedRnnRoundTrips) {
  ExpectPassOutput("raise-rnn-cells", R"(
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
)",
                   R"(
graph g {
  input %x: f32[T, N, 3]
  input %h0: f32[1, N, 2]
  param %w: f32[2, 3]
  param %u: f32[2, 2]
  param %b: f32[2]
  param %c: f32[2]
  %y.l0.h0: f32[N, 2] = select(%h0) {axis = 0, index = 0}
  %6: f32[1, N, 2] = full() {value = 0.0}
  %7: f32[1, N, 2] = add(%6, %y.l0.h0)
  %y: f32[T, N, 2], %y.h_n: f32[1, N, 2] = rnn(%x, %w, %u, %b, %c, %7) {activation = "tanh", direction = "forward", hidden_size = 2, num_layers = 1}
  %y.l0.h_T: f32[N, 2] = select(%y.h_n) {axis = 0, index = 0}
  %5: f32[1, N, 2] = full() {value = 0.0}
  %h_n: f32[1, N, 2] = add(%5, %y.l0.h_T)
  output %y
  output %h_n
}
)");
}

// Reverse and reset before are recognised from the scan and the n gate.
TEST(RaiseRnnCellsTest, ExpandedReverseGruResetBeforeRoundTrips) {
  ExpectPassOutput("raise-rnn-cells", R"(
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
)",
                   R"(
graph g {
  input %x: f32[T, N, 3]
  param %w: f32[6, 3]
  param %u: f32[6, 2]
  param %b: f32[6]
  param %c: f32[6]
  %y: f32[T, N, 2], %y.h_n: f32[1, N, 2] = gru(%x, %w, %u, %b, %c) {direction = "reverse", hidden_size = 2, num_layers = 1, reset = "before"}
  %y.l0.h_T: f32[N, 2] = select(%y.h_n) {axis = 0, index = 0}
  %19: f32[1, N, 2] = full() {value = 0.0}
  %h_n: f32[1, N, 2] = add(%19, %y.l0.h_T)
  output %y
  output %h_n
}
)");
}

// A cell with one bias per gate is no PyTorch layer: left alone.
TEST(RaiseRnnCellsTest, OneBiasIsNotACell) {
  ExpectPassOutput("raise-rnn-cells", R"(
graph not_a_cell {
  input %x: f32[T, N, 3]
  input %h0: f32[N, 2]
  param %w: f32[2, 3]
  param %u: f32[2, 2]
  param %b: f32[2]
  %h_T: f32[N, 2], %hs: f32[T, N, 2] = scan(%h0, %x) {carries = 1, reverse = false} {
    ^(%h: f32[N, 2], %x_t: f32[N, 3]):
    %xw: f32[N, 2] = matmul(%x_t, %w) {transpose_b = true}
    %xwb: f32[N, 2] = add(%xw, %b)
    %hu: f32[N, 2] = matmul(%h, %u) {transpose_b = true}
    %s: f32[N, 2] = add(%xwb, %hu)
    %h_next: f32[N, 2] = tanh(%s)
    yield(%h_next, %h_next)
  }
  output %hs
}
)",
                   R"(
graph not_a_cell {
  input %x: f32[T, N, 3]
  input %h0: f32[N, 2]
  param %w: f32[2, 3]
  param %u: f32[2, 2]
  param %b: f32[2]
  %h_T: f32[N, 2], %hs: f32[T, N, 2] = scan(%h0, %x) {carries = 1, reverse = false} {
    ^(%h: f32[N, 2], %x_t: f32[N, 3]):
    %xw: f32[N, 2] = matmul(%x_t, %w) {transpose_b = true}
    %xwb: f32[N, 2] = add(%xw, %b)
    %hu: f32[N, 2] = matmul(%h, %u) {transpose_b = true}
    %s: f32[N, 2] = add(%xwb, %hu)
    %h_next: f32[N, 2] = tanh(%s)
    yield(%h_next, %h_next)
  }
  output %hs
}
)");
}

}  // namespace
}  // namespace rnnc::passes
