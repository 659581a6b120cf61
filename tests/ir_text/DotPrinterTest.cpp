// `rnnc dot`: IR text in, Graphviz text out.
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ir/DotPrinter.h"
#include "ir/Parser.h"

namespace rnnc::ir {
namespace {

using ::testing::HasSubstr;

std::string Dot(const char* text) {
  absl::StatusOr<Graph> graph = ParseGraph(text);
  EXPECT_TRUE(graph.ok()) << graph.status();
  return PrintDot(*graph);
}

TEST(DotPrinter, SmallGraph) {
  EXPECT_EQ(Dot(R"(graph g {
  input %x: f32[N, 3]
  param %w: f32[2, 3]
  %y: f32[N, 2] = dense(%x, %w)
  %z: f32[N, 2] = tanh(%y)
  output %z
})"),
            R"(digraph "g" {
  rankdir=TB;
  node [fontname="Helvetica", fontsize=11];
  edge [fontname="Helvetica", fontsize=9, color="#555555"];
  "v0" [label="x\nf32[N, 3]", shape=ellipse, style=filled, fillcolor="#d8ecff"];
  "v1" [label="w", shape=box, style="rounded,filled", fillcolor="#eeeeee", fontsize=8, fontcolor="#666666"];
  "op2" [label="dense", shape=box, style=filled, fillcolor="#ffe7c2", penwidth=2];
  "op3" [label="tanh", shape=box, style=filled, fillcolor="#fff8e6"];
  "output_z" [label="z", shape=ellipse, style=filled, fillcolor="#d9f2d9"];
  "v0" -> "op2" [label="x: f32[N, 3]"];
  "v1" -> "op2" [label="f32[2, 3]", style=dotted];
  "op2" -> "op3" [label="y: f32[N, 2]"];
  "op3" -> "output_z" [label="z: f32[N, 2]"];
}
)");
}

TEST(DotPrinter, ScanIsAClusterAndLayerOpsShowAttributes) {
  const std::string dot = Dot(R"(graph g {
  input %x: f32[T, N, 4]
  param %w: f32[4, 4]
  param %b: f32[4]
  param %u: f32[4, 4]
  param %c: f32[4]
  %seq: f32[T, N, 4], %h_n: f32[1, N, 4] = rnn(%x, %w, %u, %b, %c) {activation = "tanh", direction = "forward", hidden_size = 4, num_layers = 1}
  %h0: f32[N, 4] = full() {value = 0.0}
  %h_T: f32[N, 4], %hs: f32[T, N, 4] = scan(%h0, %seq) {carries = 1, reverse = true} {
    ^(%h: f32[N, 4], %x_t: f32[N, 4]):
    %s: f32[N, 4] = add(%h, %x_t)
    yield(%s, %s)
  }
  output %hs
})");
  EXPECT_THAT(dot, HasSubstr("label=\"rnn\\nactivation=\\\"tanh\\\"\\ndirection=\\\"forward\\\""));
  EXPECT_THAT(dot, HasSubstr("subgraph cluster_"));
  EXPECT_THAT(dot, HasSubstr("label=\"scan (reverse)\""));
  EXPECT_THAT(dot, HasSubstr("label=\"carry h\""));
  EXPECT_THAT(dot, HasSubstr("label=\"step x_t\""));
  // Every edge comes after the cluster closes, so no outer node is drawn in it.
  const size_t cluster_end = dot.find("\n  }\n");
  ASSERT_NE(cluster_end, std::string::npos);
  EXPECT_EQ(dot.find("->"), dot.find("->", cluster_end));
}

}  // namespace
}  // namespace rnnc::ir
