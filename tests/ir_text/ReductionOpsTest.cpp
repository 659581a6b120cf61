// reduce_sum, reduce_mean and reduce_max as text: they print and parse back unchanged,
// verify with negative axes and symbolic dims, and a bad `axes` is refused
// with a message naming the op and the shape.
#include <string>
#include <string_view>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ir/Parser.h"
#include "ir/Printer.h"
#include "ir/Verifier.h"

namespace rnnc::ir {
namespace {

constexpr std::string_view kReductions = R"(graph reductions {
  input %x: f32[T, N, 8]
  %total: f32[] = reduce_sum(%x) {axes = [0, 1, 2]}
  %per_step: f32[T, 1, 1] = reduce_mean(%x) {axes = [-1, 1], keep_dims = true}
  %features: f32[8] = reduce_sum(%x) {axes = [1, 0], keep_dims = false}
  %largest: f32[T, N, 1] = reduce_max(%x) {axes = [2], keep_dims = true}
  output %total
  output %per_step
  output %features
  output %largest
}
)";

TEST(ReductionOpsTest, RoundTripsAndVerifies) {
  absl::StatusOr<Graph> graph = ParseGraph(kReductions);
  ASSERT_TRUE(graph.ok()) << graph.status();
  EXPECT_TRUE(Verify(*graph).ok()) << Verify(*graph);
  EXPECT_EQ(PrintGraph(*graph), kReductions);
}

TEST(ReductionOpsTest, RejectsRepeatedAndOutOfRangeAxes) {
  for (const char* axes : {"[1, -2]", "[3]", "[-4]"}) {
    const std::string text = std::string(R"(graph g {
  input %x: f32[T, N, 8]
  %y: f32[8] = reduce_sum(%x) {axes = )") + axes + R"(}
  output %y
}
)";
    absl::StatusOr<Graph> graph = ParseGraph(text);
    absl::Status status = graph.ok() ? Verify(*graph) : graph.status();
    EXPECT_THAT(status.message(),
                testing::HasSubstr("reduce_sum: attribute axes = " + std::string(axes) +
                                   ", expected distinct axes from -3 to 2 of operand 0 (%x), "
                                   "f32[T, N, 8]"))
        << status;
  }
}

TEST(ReductionOpsTest, RequiresAxes) {
  absl::StatusOr<Graph> graph = ParseGraph(R"(graph g {
  input %x: f32[4]
  %y: f32[] = reduce_mean(%x)
  output %y
}
)");
  absl::Status status = graph.ok() ? Verify(*graph) : graph.status();
  EXPECT_THAT(status.message(), testing::HasSubstr("missing attribute 'axes' (list of ints)"))
      << status;
}

}  // namespace
}  // namespace rnnc::ir
