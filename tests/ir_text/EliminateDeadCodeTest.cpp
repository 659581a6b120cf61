// dce: what no output needs is removed, text against text.
#include "tests/ir_text/PassTextTest.h"

namespace rnnc::passes {
namespace {

// A dead chain, a scan output nobody reads, a sequence and a carry the body no
// longer needs.
TEST(EliminateDeadCodeTest, DeadOpsAndScanParts) {
  ExpectPassOutput("dce", R"(
graph g {
  input %x: f32[T, N, 2]
  input %u: f32[T, N, 2]
  input %h0: f32[N, 2]
  input %k0: f32[N, 2]
  %dead: f32[N, 2] = tanh(%h0)
  %dead2: f32[N, 2] = relu(%dead)
  %h_T: f32[N, 2], %k_T: f32[N, 2], %hs: f32[T, N, 2], %unused: f32[T, N, 2] = scan(%h0, %k0, %x, %u) {carries = 2, reverse = false} {
    ^(%h: f32[N, 2], %k: f32[N, 2], %x_t: f32[N, 2], %u_t: f32[N, 2]):
    %h_next: f32[N, 2] = add(%h, %x_t)
    %k_next: f32[N, 2] = tanh(%x_t)
    %waste: f32[N, 2] = sigmoid(%h_next)
    yield(%h_next, %k_next, %h_next, %waste)
  }
  output %hs
}
)",
                   R"(
graph g {
  input %x: f32[T, N, 2]
  input %u: f32[T, N, 2]
  input %h0: f32[N, 2]
  input %k0: f32[N, 2]
  %h_T: f32[N, 2], %hs: f32[T, N, 2] = scan(%h0, %x) {carries = 1, reverse = false} {
    ^(%h: f32[N, 2], %x_t: f32[N, 2]):
    %h_next: f32[N, 2] = add(%h, %x_t)
    yield(%h_next, %h_next)
  }
  output %hs
}
)");
}

// A sequence the yield passes straight through survives the rebuild of the
// scan that drops the sequence before it.
TEST(EliminateDeadCodeTest, YieldedSliceKeepsItsSequence) {
  ExpectPassOutput("dce", R"(
graph g {
  input %x: f32[T, N, 3]
  input %y: f32[T, 2]
  input %h0: f32[N, 4]
  input %a: f32[T, N, 4]
  %h_T: f32[N, 4], %ys: f32[T, 2] = scan(%h0, %x, %y, %a) {carries = 1, reverse = false} {
    ^(%h: f32[N, 4], %x_t: f32[N, 3], %y_t: f32[2], %a_t: f32[N, 4]):
    %h_next: f32[N, 4] = add(%h, %a_t)
    yield(%h_next, %y_t)
  }
  output %h_T
  output %ys
}
)", R"(
graph g {
  input %x: f32[T, N, 3]
  input %y: f32[T, 2]
  input %h0: f32[N, 4]
  input %a: f32[T, N, 4]
  %h_T: f32[N, 4], %ys: f32[T, 2] = scan(%h0, %y, %a) {carries = 1, reverse = false} {
    ^(%h: f32[N, 4], %y_t: f32[2], %a_t: f32[N, 4]):
    %h_next: f32[N, 4] = add(%h, %a_t)
    yield(%h_next, %y_t)
  }
  output %h_T
  output %ys
}
)");
}

}  // namespace
}  // namespace rnnc::passes
