// BindDims: the sizes symbols take from a run's input shapes, and an error
// naming the input, its shape and the dim for every way the shapes can be
// wrong.
#include <map>
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ir/BindDims.h"

namespace rnnc::ir {
namespace {

using ::testing::Pair;
using ::testing::UnorderedElementsAre;

using Shapes = std::map<std::string, std::vector<int64_t>>;

// Inputs %x: f32[T, N, 50] and %h0: f32[1, N, 16].
class BindDimsTest : public ::testing::Test {
 protected:
  BindDimsTest() {
    graph_.AddInput("x", TensorType({Dim::Symbol("T"), Dim::Symbol("N"), 50}));
    graph_.AddInput("h0", TensorType({1, Dim::Symbol("N"), 16}));
  }

  std::string Error(const Shapes& shapes) {
    absl::StatusOr<BoundDims> bound = BindDims(graph_, shapes);
    EXPECT_FALSE(bound.ok());
    return std::string(bound.status().message());
  }

  Graph graph_{"g"};
};

using BindDimsBinds = BindDimsTest;
using BindDimsErrors = BindDimsTest;

TEST_F(BindDimsBinds, EverySymbolOfTheInputs) {
  absl::StatusOr<BoundDims> bound = BindDims(graph_, {{"x", {10, 4, 50}}, {"h0", {1, 4, 16}}});
  ASSERT_TRUE(bound.ok()) << bound.status();
  EXPECT_THAT(*bound, UnorderedElementsAre(Pair("T", 10), Pair("N", 4)));
}

TEST_F(BindDimsErrors, MissingInput) {
  EXPECT_EQ(Error({{"h0", {1, 4, 16}}}), "missing input 'x' (expected f32[T, N, 50])");
}

TEST_F(BindDimsErrors, UnknownInput) {
  EXPECT_EQ(Error({{"x", {10, 4, 50}}, {"h0", {1, 4, 16}}, {"y", {3}}}),
            "unknown input 'y'; the graph's inputs are: x, h0");
}

TEST_F(BindDimsErrors, WrongRank) {
  EXPECT_EQ(Error({{"x", {10, 50}}, {"h0", {1, 4, 16}}}),
            "input 'x' has shape [10, 50], expected f32[T, N, 50]: rank 2, expected 3");
}

TEST_F(BindDimsErrors, StaticDimMismatch) {
  EXPECT_EQ(Error({{"x", {10, 4, 49}}, {"h0", {1, 4, 16}}}),
            "input 'x' has shape [10, 4, 49], expected f32[T, N, 50]: dim 2 is 49, expected 50");
}

TEST_F(BindDimsErrors, SymbolBoundToTwoSizes) {
  EXPECT_EQ(Error({{"x", {10, 4, 50}}, {"h0", {1, 3, 16}}}),
            "input 'h0' binds N = 3, but input 'x' bound N = 4");
}

TEST_F(BindDimsErrors, SymbolBoundToTwoSizesWithinOneInput) {
  graph_.AddInput("square", TensorType({Dim::Symbol("K"), Dim::Symbol("K")}));
  EXPECT_EQ(Error({{"x", {10, 4, 50}}, {"h0", {1, 4, 16}}, {"square", {2, 3}}}),
            "input 'square' binds K = 3, but input 'square' bound K = 2");
}

TEST_F(BindDimsErrors, EmptySequence) {
  EXPECT_EQ(Error({{"x", {0, 4, 50}}, {"h0", {1, 4, 16}}}),
            "input 'x' has shape [0, 4, 50], expected f32[T, N, 50]: dim 0 is 0, but T must be "
            "at least 1");
}

TEST_F(BindDimsErrors, NegativeSize) {
  EXPECT_EQ(Error({{"x", {10, -4, 50}}, {"h0", {1, 4, 16}}}),
            "input 'x' has shape [10, -4, 50], expected f32[T, N, 50]: dim 1 is -4, but N must "
            "be at least 1");
}

}  // namespace
}  // namespace rnnc::ir
