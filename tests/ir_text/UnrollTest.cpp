// unroll: scans with a small static T become copies of their body, text against text.
#include "tests/ir_text/PassTextTest.h"

namespace rnnc::passes {
namespace {

// Steps run t = 1 then t = 0; outputs are stacked in position order.
TEST(UnrollTest, ReverseScanOfTwoSteps) {
  ExpectPassOutput("unroll", R"(
graph g {
  input %x: f32[2, N, 4]
  input %h0: f32[N, 4]
  %h_T: f32[N, 4], %hs: f32[2, N, 4] = scan(%h0, %x) {carries = 1, reverse = true} {
    ^(%h: f32[N, 4], %x_t: f32[N, 4]):
    %h_next: f32[N, 4] = add(%h, %x_t)
    yield(%h_next, %h_next)
  }
  output %hs
  output %h_T
}
)",
                   R"(
graph g {
  input %x: f32[2, N, 4]
  input %h0: f32[N, 4]
  %x_t_1: f32[N, 4] = select(%x) {axis = 0, index = 1}
  %h_next_1: f32[N, 4] = add(%h0, %x_t_1)
  %0: f32[1, N, 4] = full() {value = 0.0}
  %1: f32[1, N, 4] = add(%0, %h_next_1)
  %x_t_2: f32[N, 4] = select(%x) {axis = 0, index = 0}
  %h_T: f32[N, 4] = add(%h_next_1, %x_t_2)
  %2: f32[1, N, 4] = full() {value = 0.0}
  %3: f32[1, N, 4] = add(%2, %h_T)
  %hs: f32[2, N, 4] = concat(%3, %1) {axis = 0}
  output %hs
  output %h_T
}
)");
}

// T is not known, so the scan stays.
TEST(UnrollTest, SymbolicLengthStays) {
  ExpectPassOutput("unroll", R"(
graph g {
  input %x: f32[T, N, 4]
  input %h0: f32[N, 4]
  %h_T: f32[N, 4], %hs: f32[T, N, 4] = scan(%h0, %x) {carries = 1, reverse = false} {
    ^(%h: f32[N, 4], %x_t: f32[N, 4]):
    %h_next: f32[N, 4] = add(%h, %x_t)
    yield(%h_next, %h_next)
  }
  output %hs
}
)",
                   R"(
graph g {
  input %x: f32[T, N, 4]
  input %h0: f32[N, 4]
  %h_T: f32[N, 4], %hs: f32[T, N, 4] = scan(%h0, %x) {carries = 1, reverse = false} {
    ^(%h: f32[N, 4], %x_t: f32[N, 4]):
    %h_next: f32[N, 4] = add(%h, %x_t)
    yield(%h_next, %h_next)
  }
  output %hs
}
)");
}

}  // namespace
}  // namespace rnnc::passes
