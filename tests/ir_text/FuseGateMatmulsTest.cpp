// fuse-gate-matmuls: matmuls of one left operand in a scan body, text against text.
#include "tests/ir_text/PassTextTest.h"

namespace rnnc::passes {
namespace {

// Two gate GEMMs on h with their bias adds (one written bias-first) become one
// GEMM, one add and a split; the lone x_t GEMM stays.
TEST(FuseGateMatmulsTest, SharedHiddenStateWithBiases) {
  ExpectPassOutput("fuse-gate-matmuls", R"(
graph lstm_like {
  input %x: f32[T, N, 3]
  input %h0: f32[N, 2]
  param %u: f32[4, 2]
  param %c: f32[4]
  param %w: f32[2, 3]
  %u_0: f32[2, 2] = slice(%u) {axis = 0, end = 2, start = 0}
  %u_1: f32[2, 2] = slice(%u) {axis = 0, end = 4, start = 2}
  %c_0: f32[2] = slice(%c) {axis = 0, end = 2, start = 0}
  %c_1: f32[2] = slice(%c) {axis = 0, end = 4, start = 2}
  %h_T: f32[N, 2], %hs: f32[T, N, 2] = scan(%h0, %x) {carries = 1, reverse = false} {
    ^(%h: f32[N, 2], %x_t: f32[N, 3]):
    %a: f32[N, 2] = matmul(%h, %u_0) {transpose_b = true}
    %a_b: f32[N, 2] = add(%a, %c_0)
    %b: f32[N, 2] = matmul(%h, %u_1) {transpose_b = true}
    %b_b: f32[N, 2] = add(%c_1, %b)
    %i: f32[N, 2] = matmul(%x_t, %w) {transpose_b = true}
    %s: f32[N, 2] = mul(%a_b, %b_b)
    %h_next: f32[N, 2] = add(%s, %i)
    yield(%h_next, %h_next)
  }
  output %hs
}
)",
                   R"(
graph lstm_like {
  input %x: f32[T, N, 3]
  input %h0: f32[N, 2]
  param %u: f32[4, 2]
  param %c: f32[4]
  param %w: f32[2, 3]
  %u_0: f32[2, 2] = slice(%u) {axis = 0, end = 2, start = 0}
  %u_1: f32[2, 2] = slice(%u) {axis = 0, end = 4, start = 2}
  %c_0: f32[2] = slice(%c) {axis = 0, end = 2, start = 0}
  %c_1: f32[2] = slice(%c) {axis = 0, end = 4, start = 2}
  %u_0.fused: f32[4, 2] = concat(%u_0, %u_1) {axis = 0}
  %c_0.fused: f32[4] = concat(%c_0, %c_1) {axis = 0}
  %h_T: f32[N, 2], %hs: f32[T, N, 2] = scan(%h0, %x) {carries = 1, reverse = false} {
    ^(%h: f32[N, 2], %x_t: f32[N, 3]):
    %h.fused: f32[N, 4] = matmul(%h, %u_0.fused) {transpose_b = true}
    %0: f32[N, 4] = add(%h.fused, %c_0.fused)
    %1: f32[N, 2], %2: f32[N, 2] = split(%0) {axis = -1, sizes = [2, 2]}
    %i: f32[N, 2] = matmul(%x_t, %w) {transpose_b = true}
    %s: f32[N, 2] = mul(%1, %2)
    %h_next: f32[N, 2] = add(%s, %i)
    yield(%h_next, %h_next)
  }
  output %hs
}
)");
}

// When only some of the matmuls have a bias add, they fuse without the
// biases: the adds stay, reading the split's pieces.
TEST(FuseGateMatmulsTest, BiasOnOnlySomeGates) {
  ExpectPassOutput("fuse-gate-matmuls", R"(
graph partly_biased {
  input %x: f32[T, N, 3]
  param %w: f32[2, 3]
  param %v: f32[4, 3]
  param %c: f32[2]
  %ys: f32[T, N, 2], %zs: f32[T, N, 4] = scan(%x) {carries = 0, reverse = false} {
    ^(%x_t: f32[N, 3]):
    %y: f32[N, 2] = matmul(%x_t, %w) {transpose_b = true}
    %y_b: f32[N, 2] = add(%y, %c)
    %z: f32[N, 4] = matmul(%x_t, %v) {transpose_b = true}
    yield(%y_b, %z)
  }
  output %ys
  output %zs
}
)",
                   R"(
graph partly_biased {
  input %x: f32[T, N, 3]
  param %w: f32[2, 3]
  param %v: f32[4, 3]
  param %c: f32[2]
  %w.fused: f32[6, 3] = concat(%w, %v) {axis = 0}
  %ys: f32[T, N, 2], %zs: f32[T, N, 4] = scan(%x) {carries = 0, reverse = false} {
    ^(%x_t: f32[N, 3]):
    %x_t.fused: f32[N, 6] = matmul(%x_t, %w.fused) {transpose_b = true}
    %0: f32[N, 2], %1: f32[N, 4] = split(%x_t.fused) {axis = -1, sizes = [2, 4]}
    %y_b: f32[N, 2] = add(%0, %c)
    yield(%y_b, %1)
  }
  output %ys
  output %zs
}
)");
}

// The classic LSTM form: gates on [h, x_t] share the concat, and have no
// biases.
TEST(FuseGateMatmulsTest, ConcatenatedHiddenAndInput) {
  ExpectPassOutput("fuse-gate-matmuls", R"(
graph classic {
  input %x: f32[T, N, 3]
  input %h0: f32[N, 2]
  param %w_f: f32[2, 5]
  param %w_i: f32[2, 5]
  %h_T: f32[N, 2], %hs: f32[T, N, 2] = scan(%h0, %x) {carries = 1, reverse = false} {
    ^(%h: f32[N, 2], %x_t: f32[N, 3]):
    %hx: f32[N, 5] = concat(%h, %x_t) {axis = -1}
    %f: f32[N, 2] = matmul(%hx, %w_f) {transpose_b = true}
    %i: f32[N, 2] = matmul(%hx, %w_i) {transpose_b = true}
    %h_next: f32[N, 2] = mul(%f, %i)
    yield(%h_next, %h_next)
  }
  output %hs
}
)",
                   R"(
graph classic {
  input %x: f32[T, N, 3]
  input %h0: f32[N, 2]
  param %w_f: f32[2, 5]
  param %w_i: f32[2, 5]
  %w_f.fused: f32[4, 5] = concat(%w_f, %w_i) {axis = 0}
  %h_T: f32[N, 2], %hs: f32[T, N, 2] = scan(%h0, %x) {carries = 1, reverse = false} {
    ^(%h: f32[N, 2], %x_t: f32[N, 3]):
    %hx: f32[N, 5] = concat(%h, %x_t) {axis = -1}
    %hx.fused: f32[N, 4] = matmul(%hx, %w_f.fused) {transpose_b = true}
    %0: f32[N, 2], %1: f32[N, 2] = split(%hx.fused) {axis = -1, sizes = [2, 2]}
    %h_next: f32[N, 2] = mul(%0, %1)
    yield(%h_next, %h_next)
  }
  output %hs
}
)");
}

}  // namespace
}  // namespace rnnc::passes
