// Every way a caller can hand the interpreter something wrong gives an error
// that says what is wrong, never a crash: a graph that does not verify,
// missing weights, and inputs that are missing, unknown, mis-shaped or
// inconsistent, or that leave a symbol unbound.
#include "backends/interp/Interpreter.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace rnnc {
namespace {

using ir::Dim;
using ir::TensorType;
using testing::HasSubstr;

// y = tanh(x · wᵀ) for x (T, N, 3) and w (3, 3); `y_type` is what the graph
// declares for y.
ir::Graph TanhOfMatmul(const TensorType& y_type = TensorType({Dim::Symbol("T"), Dim::Symbol("N"),
                                                              3})) {
  ir::Graph graph("tanh_of_matmul");
  ir::Value* x = graph.AddInput("x", TensorType({Dim::Symbol("T"), Dim::Symbol("N"), 3}));
  ir::Value* w = graph.AddParam("w", TensorType({3, 3}));
  const TensorType xw_type({Dim::Symbol("T"), Dim::Symbol("N"), 3});
  ir::Value* xw = graph
                      .AppendOp(graph.body(), ir::OpKind::Matmul, {x, w}, {{"transpose_b", true}},
                                {xw_type}, {"xw"})
                      ->result(0);
  ir::Value* y =
      graph.AppendOp(graph.body(), ir::OpKind::Tanh, {xw}, {}, {y_type}, {"y"})->result(0);
  graph.AddOutput("y", y);
  return graph;
}

const TensorMap kWeights = {{"w", Tensor({3, 3})}};

// The error of compiling `graph` with `weights`.
std::string CompileError(const ir::Graph& graph, const TensorMap& weights) {
  absl::StatusOr<std::unique_ptr<Executable>> executable =
      interp::CompileForInterpreter(graph, weights);
  EXPECT_FALSE(executable.ok());
  return std::string(executable.status().message());
}

// The error of running `graph` (which must compile with kWeights) on `inputs`.
std::string RunError(const ir::Graph& graph, const TensorMap& inputs) {
  absl::StatusOr<std::unique_ptr<Executable>> executable =
      interp::CompileForInterpreter(graph, kWeights);
  EXPECT_TRUE(executable.ok()) << executable.status();
  if (!executable.ok()) return "";
  absl::StatusOr<TensorMap> outputs = (*executable)->Run(inputs);
  EXPECT_FALSE(outputs.ok());
  return std::string(outputs.status().message());
}

TEST(InterpreterErrors, GraphThatDoesNotVerify) {
  EXPECT_THAT(
      CompileError(TanhOfMatmul(TensorType({Dim::Symbol("T"), Dim::Symbol("N"), 4})), kWeights),
      HasSubstr("op %y = tanh: result 0 declared f32[T, N, 4], inferred f32[T, N, 3]"));
}

TEST(InterpreterErrors, MissingWeights) {
  EXPECT_THAT(CompileError(TanhOfMatmul(), {}), HasSubstr("missing 'w' (expected f32[3, 3])"));
}

TEST(InterpreterErrors, MissingInput) {
  EXPECT_THAT(RunError(TanhOfMatmul(), {}), HasSubstr("missing input 'x' (expected f32[T, N, 3])"));
}

TEST(InterpreterErrors, UnknownInput) {
  EXPECT_THAT(RunError(TanhOfMatmul(), {{"x", Tensor({2, 1, 3})}, {"z", Tensor({1})}}),
              HasSubstr("unknown input 'z'"));
}

TEST(InterpreterErrors, WrongInputShape) {
  EXPECT_THAT(RunError(TanhOfMatmul(), {{"x", Tensor({2, 4, 5})}}),
              HasSubstr("input 'x' has shape [2, 4, 5], expected f32[T, N, 3]"));
}

TEST(InterpreterErrors, InputWithTooFewValuesForItsShape) {
  Tensor x({2, 1, 3});
  x.values().resize(2);
  EXPECT_THAT(RunError(TanhOfMatmul(), {{"x", x}}),
              HasSubstr("input 'x' has 2 values for shape [2, 1, 3]"));
}

TEST(InterpreterErrors, SymbolNoInputBinds) {
  // M appears only in the type full declares, so no input shape gives it a size.
  ir::Graph graph = TanhOfMatmul();
  const ir::Op* full = graph.AppendOp(graph.body(), ir::OpKind::Full, {}, {{"value", 1.0}},
                                      {TensorType({Dim::Symbol("M"), 2})}, {"ones"});
  graph.AddOutput("ones", full->result(0));
  EXPECT_THAT(RunError(graph, {{"x", Tensor({2, 1, 3})}}),
              HasSubstr("op %ones = full: dim 'M' of f32[M, 2] is not bound by any input"));
}

}  // namespace
}  // namespace rnnc
