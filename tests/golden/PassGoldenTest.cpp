// Every pass, and the "llvm" and "onednn" pipelines, on every golden case:
// the graph after the passes, run on the interpreter, gives what the
// original graph gives, within 1e-5 relative + 1e-6 absolute.
#include <filesystem>
#include <string>
#include <vector>

#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "backends/interp/Interpreter.h"
#include "gtest/gtest.h"
#include "ir/Parser.h"
#include "ir/Printer.h"
#include "passes/PassManager.h"
#include "tests/TestTensors.h"
#include "tests/golden/GoldenCase.h"

namespace rnnc::passes {
namespace {

constexpr double kRelativeTolerance = 1e-5;
constexpr double kAbsoluteTolerance = 1e-6;

TensorMap Run(const ir::Graph& graph, const golden::GoldenCase& golden) {
  auto executable = interp::CompileForInterpreter(graph, golden.weights);
  EXPECT_TRUE(executable.ok()) << executable.status();
  if (!executable.ok()) return {};
  absl::StatusOr<TensorMap> outputs = (*executable)->Run(golden.inputs);
  EXPECT_TRUE(outputs.ok()) << outputs.status() << "\n" << ir::PrintGraph(graph);
  return outputs.ok() ? *outputs : TensorMap();
}

// The case's graph with T made the static length of its input, so that
// `unroll` has something to do.
ir::Graph WithStaticSteps(const golden::GoldenCase& golden) {
  const std::string steps = std::to_string(golden.inputs.at("x").dim(0));
  std::string text =
      absl::StrReplaceAll(ir::PrintGraph(golden.graph), {{"[T, ", "[" + steps + ", "}});
  absl::StatusOr<ir::Graph> graph = ir::ParseGraph(text);
  EXPECT_TRUE(graph.ok()) << graph.status();
  return *graph;
}

void ExpectSameOutputs(const golden::GoldenCase& golden, const ir::Graph& original,
                       const std::vector<std::string>& passes) {
  SCOPED_TRACE(absl::StrJoin(passes, ","));
  absl::StatusOr<ir::Graph> transformed = RunPasses(original, passes, PassOptions());
  ASSERT_TRUE(transformed.ok()) << transformed.status();
  TensorMap want = Run(original, golden);
  TensorMap got = Run(*transformed, golden);
  for (const auto& [name, tensor] : want) {
    SCOPED_TRACE(name);
    ASSERT_EQ(got.count(name), 1u);
    ExpectAllClose(got.at(name), tensor, kRelativeTolerance, kAbsoluteTolerance);
  }
}

class PassGoldenTest : public testing::TestWithParam<std::string> {};

TEST_P(PassGoldenTest, EveryPassKeepsTheNumerics) {
  absl::StatusOr<golden::GoldenCase> golden = golden::LoadGoldenCase(GetParam());
  ASSERT_TRUE(golden.ok()) << golden.status();
  for (const PassInfo& pass : RegisteredPasses())
    ExpectSameOutputs(*golden, golden->graph, {pass.name});
}

TEST_P(PassGoldenTest, PipelinesKeepTheNumerics) {
  absl::StatusOr<golden::GoldenCase> golden = golden::LoadGoldenCase(GetParam());
  ASSERT_TRUE(golden.ok()) << golden.status();
  ExpectSameOutputs(*golden, golden->graph, PipelineFor("llvm"));
  ExpectSameOutputs(*golden, golden->graph, PipelineFor("onednn"));
  // Expanded then raised back: what oneDNN gets from a cell-level graph.
  std::vector<std::string> round_trip = {"expand-rnn-layers"};
  for (const std::string& pass : PipelineFor("onednn")) round_trip.push_back(pass);
  ExpectSameOutputs(*golden, golden->graph, round_trip);
}

TEST_P(PassGoldenTest, UnrollingAStaticLengthKeepsTheNumerics) {
  absl::StatusOr<golden::GoldenCase> golden = golden::LoadGoldenCase(GetParam());
  ASSERT_TRUE(golden.ok()) << golden.status();
  ir::Graph graph = WithStaticSteps(*golden);
  std::vector<std::string> passes = PipelineFor("llvm");
  passes.insert(passes.begin() + 4, "unroll");
  ExpectSameOutputs(*golden, graph, passes);
}


INSTANTIATE_TEST_SUITE_P(Golden, PassGoldenTest,
                         testing::ValuesIn(golden::ListGoldenCases(golden::GoldenDataDirectory())),
                         golden::GoldenTestName);

}  // namespace
}  // namespace rnnc::passes
