// reuse-scan-products: a product recomputed from a scan's saved carries is
// taken from the scan instead, text against text.
#include "tests/ir_text/PassTextTest.h"

namespace rnnc::passes {
namespace {

// matmul(%h.saved, %u) + %c is what the body computed as %hub at every
// step: the body yields %hub, and %y reads it. The matmul with other
// attributes is another product and stays; dce drops %p and %pb.
TEST(ReuseScanProductsTest, RecomputedRecurrentProductComesFromTheScan) {
  ExpectPassOutput("reuse-scan-products", R"(
graph g {
  input %x: f32[T, N, 4]
  input %h0: f32[N, 4]
  param %u: f32[4, 4]
  param %c: f32[4]
  %h_T: f32[N, 4], %h.saved: f32[T, N, 4] = scan(%h0, %x) {carries = 1, reverse = false} {
    ^(%h: f32[N, 4], %x_t: f32[N, 4]):
    %hu: f32[N, 4] = matmul(%h, %u) {transpose_b = true}
    %hub: f32[N, 4] = add(%hu, %c)
    %s: f32[N, 4] = add(%hub, %x_t)
    %h_next: f32[N, 4] = tanh(%s)
    yield(%h_next, %h)
  }
  %p: f32[T, N, 4] = matmul(%h.saved, %u) {transpose_b = true}
  %pb: f32[T, N, 4] = add(%c, %p)
  %q: f32[T, N, 4] = matmul(%h.saved, %u) {transpose_b = false}
  %y: f32[T, N, 4] = mul(%pb, %q)
  output %y
}
)",
                   R"(
graph g {
  input %x: f32[T, N, 4]
  input %h0: f32[N, 4]
  param %u: f32[4, 4]
  param %c: f32[4]
  %h_T: f32[N, 4], %h.saved: f32[T, N, 4], %hub.steps: f32[T, N, 4] = scan(%h0, %x) {carries = 1, reverse = false} {
    ^(%h: f32[N, 4], %x_t: f32[N, 4]):
    %hu: f32[N, 4] = matmul(%h, %u) {transpose_b = true}
    %hub: f32[N, 4] = add(%hu, %c)
    %s: f32[N, 4] = add(%hub, %x_t)
    %h_next: f32[N, 4] = tanh(%s)
    yield(%h_next, %h, %hub)
  }
  %p: f32[T, N, 4] = matmul(%h.saved, %u) {transpose_b = true}
  %pb: f32[T, N, 4] = add(%c, %p)
  %q: f32[T, N, 4] = matmul(%h.saved, %u) {transpose_b = false}
  %y: f32[T, N, 4] = mul(%hub.steps, %q)
  output %y
}
)");
}

}  // namespace
}  // namespace rnnc::passes
