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

// T = 5 > 3 steps, k = 2: a scan over 2 chunks of 2 steps reads positions
// [0, 4); step 4 follows, unrolled, from the chunks' final carry.
TEST(UnrollTest, PartialForwardWithRemainder) {
  PassOptions options;
  options.unroll_factor = 2;
  options.full_unroll_max_steps = 3;
  ExpectPassOutput("unroll", R"(
graph g {
  input %x: f32[5, N, 4]
  input %h0: f32[N, 4]
  %h_T: f32[N, 4], %hs: f32[5, N, 4] = scan(%h0, %x) {carries = 1, reverse = false} {
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
  input %x: f32[5, N, 4]
  input %h0: f32[N, 4]
  %0: f32[4, N, 4] = slice(%x) {axis = 0, end = 4, start = 0}
  %x.chunks: f32[2, 2, N, 4] = reshape(%0) {shape = [2, 2, 0, 4]}
  %h_T_1: f32[N, 4], %hs.chunks: f32[2, 2, N, 4] = scan(%h0, %x.chunks) {carries = 1, reverse = false} {
    ^(%h_1: f32[N, 4], %x_t.chunk: f32[2, N, 4]):
    %x_t_1: f32[N, 4] = select(%x_t.chunk) {axis = 0, index = 0}
    %h_next_1: f32[N, 4] = add(%h_1, %x_t_1)
    %1: f32[1, N, 4] = full() {value = 0.0}
    %2: f32[1, N, 4] = add(%1, %h_next_1)
    %x_t_2: f32[N, 4] = select(%x_t.chunk) {axis = 0, index = 1}
    %h_next_2: f32[N, 4] = add(%h_next_1, %x_t_2)
    %3: f32[1, N, 4] = full() {value = 0.0}
    %4: f32[1, N, 4] = add(%3, %h_next_2)
    %5: f32[2, N, 4] = concat(%2, %4) {axis = 0}
    yield(%h_next_2, %5)
  }
  %x_t_3: f32[N, 4] = select(%x) {axis = 0, index = 4}
  %h_T: f32[N, 4] = add(%h_T_1, %x_t_3)
  %6: f32[1, N, 4] = full() {value = 0.0}
  %7: f32[1, N, 4] = add(%6, %h_T)
  %8: f32[4, N, 4] = reshape(%hs.chunks) {shape = [4, 0, 4]}
  %hs: f32[5, N, 4] = concat(%8, %7) {axis = 0}
  output %hs
  output %h_T
}
)",
                   options);
}

// A reverse scan runs from the end: the chunks cover positions [1, 5), each
// chunk's steps from the last down, and step 0 comes after them; the outputs
// are still stacked in position order.
TEST(UnrollTest, PartialReverseWithRemainder) {
  PassOptions options;
  options.unroll_factor = 2;
  options.full_unroll_max_steps = 3;
  ExpectPassOutput("unroll", R"(
graph g {
  input %x: f32[5, N, 4]
  input %h0: f32[N, 4]
  %h_T: f32[N, 4], %hs: f32[5, N, 4] = scan(%h0, %x) {carries = 1, reverse = true} {
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
  input %x: f32[5, N, 4]
  input %h0: f32[N, 4]
  %0: f32[4, N, 4] = slice(%x) {axis = 0, end = 5, start = 1}
  %x.chunks: f32[2, 2, N, 4] = reshape(%0) {shape = [2, 2, 0, 4]}
  %h_T_1: f32[N, 4], %hs.chunks: f32[2, 2, N, 4] = scan(%h0, %x.chunks) {carries = 1, reverse = true} {
    ^(%h_1: f32[N, 4], %x_t.chunk: f32[2, N, 4]):
    %x_t_1: f32[N, 4] = select(%x_t.chunk) {axis = 0, index = 1}
    %h_next_1: f32[N, 4] = add(%h_1, %x_t_1)
    %1: f32[1, N, 4] = full() {value = 0.0}
    %2: f32[1, N, 4] = add(%1, %h_next_1)
    %x_t_2: f32[N, 4] = select(%x_t.chunk) {axis = 0, index = 0}
    %h_next_2: f32[N, 4] = add(%h_next_1, %x_t_2)
    %3: f32[1, N, 4] = full() {value = 0.0}
    %4: f32[1, N, 4] = add(%3, %h_next_2)
    %5: f32[2, N, 4] = concat(%4, %2) {axis = 0}
    yield(%h_next_2, %5)
  }
  %x_t_3: f32[N, 4] = select(%x) {axis = 0, index = 0}
  %h_T: f32[N, 4] = add(%h_T_1, %x_t_3)
  %6: f32[1, N, 4] = full() {value = 0.0}
  %7: f32[1, N, 4] = add(%6, %h_T)
  %8: f32[4, N, 4] = reshape(%hs.chunks) {shape = [4, 0, 4]}
  %hs: f32[5, N, 4] = concat(%7, %8) {axis = 0}
  output %hs
  output %h_T
}
)",
                   options);
}

// k divides T: no slice and no remainder; the chunk scan's final carry is
// the result.
TEST(UnrollTest, PartialForwardWithoutRemainder) {
  PassOptions options;
  options.unroll_factor = 2;
  options.full_unroll_max_steps = 3;
  ExpectPassOutput("unroll", R"(
graph g {
  input %x: f32[4, N, 4]
  input %h0: f32[N, 4]
  %h_T: f32[N, 4], %hs: f32[4, N, 4] = scan(%h0, %x) {carries = 1, reverse = false} {
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
  input %x: f32[4, N, 4]
  input %h0: f32[N, 4]
  %x.chunks: f32[2, 2, N, 4] = reshape(%x) {shape = [2, 2, 0, 4]}
  %h_T: f32[N, 4], %hs.chunks: f32[2, 2, N, 4] = scan(%h0, %x.chunks) {carries = 1, reverse = false} {
    ^(%h_1: f32[N, 4], %x_t.chunk: f32[2, N, 4]):
    %x_t_1: f32[N, 4] = select(%x_t.chunk) {axis = 0, index = 0}
    %h_next_1: f32[N, 4] = add(%h_1, %x_t_1)
    %0: f32[1, N, 4] = full() {value = 0.0}
    %1: f32[1, N, 4] = add(%0, %h_next_1)
    %x_t_2: f32[N, 4] = select(%x_t.chunk) {axis = 0, index = 1}
    %h_next_2: f32[N, 4] = add(%h_next_1, %x_t_2)
    %2: f32[1, N, 4] = full() {value = 0.0}
    %3: f32[1, N, 4] = add(%2, %h_next_2)
    %4: f32[2, N, 4] = concat(%1, %3) {axis = 0}
    yield(%h_next_2, %4)
  }
  %hs: f32[4, N, 4] = reshape(%hs.chunks) {shape = [4, 0, 4]}
  output %hs
  output %h_T
}
)",
                   options);
}

// Reverse, k dividing T: chunk 1 runs first, its step 1 before its step 0.
TEST(UnrollTest, PartialReverseWithoutRemainder) {
  PassOptions options;
  options.unroll_factor = 2;
  options.full_unroll_max_steps = 3;
  ExpectPassOutput("unroll", R"(
graph g {
  input %x: f32[4, N, 4]
  input %h0: f32[N, 4]
  %h_T: f32[N, 4], %hs: f32[4, N, 4] = scan(%h0, %x) {carries = 1, reverse = true} {
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
  input %x: f32[4, N, 4]
  input %h0: f32[N, 4]
  %x.chunks: f32[2, 2, N, 4] = reshape(%x) {shape = [2, 2, 0, 4]}
  %h_T: f32[N, 4], %hs.chunks: f32[2, 2, N, 4] = scan(%h0, %x.chunks) {carries = 1, reverse = true} {
    ^(%h_1: f32[N, 4], %x_t.chunk: f32[2, N, 4]):
    %x_t_1: f32[N, 4] = select(%x_t.chunk) {axis = 0, index = 1}
    %h_next_1: f32[N, 4] = add(%h_1, %x_t_1)
    %0: f32[1, N, 4] = full() {value = 0.0}
    %1: f32[1, N, 4] = add(%0, %h_next_1)
    %x_t_2: f32[N, 4] = select(%x_t.chunk) {axis = 0, index = 0}
    %h_next_2: f32[N, 4] = add(%h_next_1, %x_t_2)
    %2: f32[1, N, 4] = full() {value = 0.0}
    %3: f32[1, N, 4] = add(%2, %h_next_2)
    %4: f32[2, N, 4] = concat(%3, %1) {axis = 0}
    yield(%h_next_2, %4)
  }
  %hs: f32[4, N, 4] = reshape(%hs.chunks) {shape = [4, 0, 4]}
  output %hs
  output %h_T
}
)",
                   options);
}

// T = 5 is more than 3 steps but fewer than two chunks of k = 3: the scan
// stays.
TEST(UnrollTest, TooShortForTwoChunksStays) {
  PassOptions options;
  options.unroll_factor = 3;
  options.full_unroll_max_steps = 3;
  ExpectPassOutput("unroll", R"(
graph g {
  input %x: f32[5, N, 4]
  input %h0: f32[N, 4]
  %h_T: f32[N, 4], %hs: f32[5, N, 4] = scan(%h0, %x) {carries = 1, reverse = false} {
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
  input %x: f32[5, N, 4]
  input %h0: f32[N, 4]
  %h_T: f32[N, 4], %hs: f32[5, N, 4] = scan(%h0, %x) {carries = 1, reverse = false} {
    ^(%h: f32[N, 4], %x_t: f32[N, 4]):
    %h_next: f32[N, 4] = add(%h, %x_t)
    yield(%h_next, %h_next)
  }
  output %hs
  output %h_T
}
)",
                   options);
}

}  // namespace
}  // namespace rnnc::passes
