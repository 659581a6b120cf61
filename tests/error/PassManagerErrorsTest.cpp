// The pass manager's errors: unknown pass names, and a pass whose output
// does not verify, named in the message with the verifier's reason. Also
// what a correct run prints with print_after_all.
#include <sstream>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ir/Parser.h"
#include "passes/PassManager.h"

namespace rnnc::passes {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

constexpr const char* kGraph = R"(
graph g {
  input %x: f32[N, 4]
  %dead: f32[N, 4] = tanh(%x)
  %y: f32[N, 4] = relu(%x)
  output %y
}
)";

ir::Graph Parse() {
  absl::StatusOr<ir::Graph> graph = ir::ParseGraph(kGraph);
  EXPECT_TRUE(graph.ok()) << graph.status();
  return *graph;
}

TEST(PassManagerErrors, UnknownPassListsTheKnownOnes) {
  absl::StatusOr<ir::Graph> result =
      RunPasses(Parse(), std::vector<std::string>{"dce", "frobnicate"}, {});
  ASSERT_FALSE(result.ok());
  EXPECT_THAT(std::string(result.status().message()),
              StartsWith("unknown pass 'frobnicate'; known passes: "));
  for (const PassInfo& pass : RegisteredPasses()) {
    EXPECT_THAT(std::string(result.status().message()), HasSubstr(pass.name));
  }
}

TEST(PassManagerErrors, ParsePassListChecksNames) {
  absl::StatusOr<std::vector<std::string>> names = ParsePassList("cse,,dce");
  ASSERT_FALSE(names.ok());
  EXPECT_THAT(std::string(names.status().message()), StartsWith("unknown pass ''"));
  names = ParsePassList("cse,dce");
  ASSERT_TRUE(names.ok()) << names.status();
  EXPECT_EQ(*names, (std::vector<std::string>{"cse", "dce"}));
  EXPECT_TRUE(ParsePassList("")->empty());
}

// A pass that breaks the graph: the relu now claims a wrong result type.
ir::Graph BreakTypes(const ir::Graph& graph, const PassOptions&) {
  ir::Graph broken = graph;
  broken.body().op(1)->result(0)->set_type(ir::TensorType({ir::Dim::Symbol("N"), 5}));
  return broken;
}

TEST(PassManagerErrors, InvalidOutputNamesThePass) {
  std::vector<PassInfo> passes = {*LookUpPasses({"cse"}).value().begin(),
                                  {"break-types", "test only", BreakTypes},
                                  *LookUpPasses({"dce"}).value().begin()};
  absl::StatusOr<ir::Graph> result = RunPasses(Parse(), passes, {});
  ASSERT_FALSE(result.ok());
  EXPECT_EQ(std::string(result.status().message()),
            "pass 'break-types' produced an invalid graph: op %y = relu: result 0 declared "
            "f32[N, 5], inferred f32[N, 4]")
      << result.status();
}

TEST(PassManagerErrors, PipelinesNameRegisteredPasses) {
  for (const char* backend : {"interp", "onednn", "llvm"}) {
    EXPECT_TRUE(LookUpPasses(PipelineFor(backend)).ok()) << backend;
  }
  EXPECT_TRUE(PipelineFor("interp").empty());
}

TEST(PassManagerErrors, PrintAfterAllShowsEachPass) {
  std::ostringstream log;
  absl::StatusOr<ir::Graph> result =
      RunPasses(Parse(), std::vector<std::string>{"cse", "dce"}, {}, &log);
  ASSERT_TRUE(result.ok()) << result.status();
  EXPECT_EQ(log.str(), R"(// ----- IR after cse -----
graph g {
  input %x: f32[N, 4]
  %dead: f32[N, 4] = tanh(%x)
  %y: f32[N, 4] = relu(%x)
  output %y
}
// ----- IR after dce -----
graph g {
  input %x: f32[N, 4]
  %y: f32[N, 4] = relu(%x)
  output %y
}
)");
}

}  // namespace
}  // namespace rnnc::passes
