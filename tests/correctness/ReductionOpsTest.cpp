// reduce_sum, reduce_mean and reduce_max on the interpreter, against sums worked out in
// the comments: every axis subset of a (2, 3) matrix, negative axes, kept
// dims, a reduction over symbolic dims (the mean divides by the bound size),
// and a large sum that f32 accumulation would get wrong.
#include <string>
#include <vector>

#include "backends/interp/Interpreter.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ir/ShapeInference.h"
#include "tests/TestTensors.h"

namespace rnnc {
namespace {

using ir::Dim;
using ir::OpKind;
using ir::TensorType;

// Runs `kind` {axes, keep_dims} on `x`, an input of type `type`.
Tensor Reduce(OpKind kind, const TensorType& type, const Tensor& x, std::vector<int64_t> axes,
              bool keep_dims) {
  ir::Graph graph;
  ir::Value* input = graph.AddInput("x", type);
  ir::AttributeMap attributes = {{"axes", std::move(axes)}, {"keep_dims", keep_dims}};
  absl::StatusOr<std::vector<TensorType>> types =
      ir::InferResultTypes(kind, {type}, attributes);
  EXPECT_TRUE(types.ok()) << types.status();
  if (!types.ok()) return Tensor();
  ir::Op* op = graph.AppendOp(graph.body(), kind, {input}, attributes, *types, {"y"});
  graph.AddOutput("y", op->result(0));
  absl::StatusOr<std::unique_ptr<Executable>> executable = interp::CompileForInterpreter(graph, {});
  EXPECT_TRUE(executable.ok()) << executable.status();
  if (!executable.ok()) return Tensor();
  absl::StatusOr<TensorMap> outputs = (*executable)->Run({{"x", x}});
  EXPECT_TRUE(outputs.ok()) << outputs.status();
  return outputs.ok() ? outputs->at("y") : Tensor();
}

// [[1, 2, 3], [4, 5, 6]]
const Tensor kMatrix({2, 3}, {1, 2, 3, 4, 5, 6});
const TensorType kMatrixType({2, 3});

TEST(ReductionOps, SumOverEachAxisSubset) {
  // Columns: [5, 7, 9]; rows: [6, 15]; all: 21.
  ExpectAllClose(Reduce(OpKind::ReduceSum, kMatrixType, kMatrix, {0}, false),
                 Tensor({3}, {5, 7, 9}), 0, 0);
  ExpectAllClose(Reduce(OpKind::ReduceSum, kMatrixType, kMatrix, {-1}, false),
                 Tensor({2}, {6, 15}), 0, 0);
  ExpectAllClose(Reduce(OpKind::ReduceSum, kMatrixType, kMatrix, {1, 0}, false),
                 Tensor({}, {21}), 0, 0);
}

TEST(ReductionOps, KeepDimsLeavesSizeOneAxes) {
  ExpectAllClose(Reduce(OpKind::ReduceSum, kMatrixType, kMatrix, {1}, true),
                 Tensor({2, 1}, {6, 15}), 0, 0);
  ExpectAllClose(Reduce(OpKind::ReduceMean, kMatrixType, kMatrix, {0, 1}, true),
                 Tensor({1, 1}, {3.5f}), 0, 0);
}

TEST(ReductionOps, MeanDividesByTheReducedCount) {
  // Column means [2.5, 3.5, 4.5]; row means [2, 5].
  ExpectAllClose(Reduce(OpKind::ReduceMean, kMatrixType, kMatrix, {0}, false),
                 Tensor({3}, {2.5f, 3.5f, 4.5f}), 0, 0);
  ExpectAllClose(Reduce(OpKind::ReduceMean, kMatrixType, kMatrix, {-1}, false),
                 Tensor({2}, {2, 5}), 0, 0);
}

TEST(ReductionOps, MaxTakesTheLargestElement) {
  // [[1, -2, 3], [-4, 5, -6]]: columns [1, 5, 3], rows [3, 5], all 5.
  const Tensor x({2, 3}, {1, -2, 3, -4, 5, -6});
  ExpectAllClose(Reduce(OpKind::ReduceMax, kMatrixType, x, {0}, false), Tensor({3}, {1, 5, 3}),
                 0, 0);
  ExpectAllClose(Reduce(OpKind::ReduceMax, kMatrixType, x, {-1}, true), Tensor({2, 1}, {3, 5}),
                 0, 0);
  ExpectAllClose(Reduce(OpKind::ReduceMax, kMatrixType, x, {0, 1}, false), Tensor({}, {5}), 0,
                 0);
}

TEST(ReductionOps, MiddleAxisOfARank3Tensor) {
  // x[i, j, k] = 100 i + 10 j + k over (2, 3, 2); Σ_j = 300 i + 30 + 3 k.
  Tensor x({2, 3, 2});
  for (int64_t i = 0; i < 2; ++i)
    for (int64_t j = 0; j < 3; ++j)
      for (int64_t k = 0; k < 2; ++k) x.data()[(i * 3 + j) * 2 + k] = 100 * i + 10 * j + k;
  ExpectAllClose(Reduce(OpKind::ReduceSum, TensorType({2, 3, 2}), x, {1}, false),
                 Tensor({2, 2}, {30, 33, 330, 333}), 0, 0);
}

TEST(ReductionOps, SymbolicDimsAreBoundAtRunTime) {
  // Over (T, N) = (4, 2) of [0, 1, ..., 7]: the mean over T of column n is
  // (0 + 2 + 4 + 6) / 4 + n = 3 + n.
  const TensorType type({Dim::Symbol("T"), Dim::Symbol("N")});
  Tensor x({4, 2});
  for (int64_t e = 0; e < 8; ++e) x.data()[e] = static_cast<float>(e);
  ExpectAllClose(Reduce(OpKind::ReduceMean, type, x, {0}, false), Tensor({2}, {3, 4}), 0, 0);
  ExpectAllClose(Reduce(OpKind::ReduceSum, type, x, {0, 1}, true), Tensor({1, 1}, {28}), 0, 0);
}

TEST(ReductionOps, AccumulatesInDouble) {
  // 2^24 + 1 + 1 + ... in f32 would stay at 2^24; in double the 1000 ones
  // count.
  Tensor x({1001}, std::vector<float>(1001, 1.0f));
  x.data()[0] = 16777216.0f;
  ExpectAllClose(Reduce(OpKind::ReduceSum, TensorType({1001}), x, {0}, false),
                 Tensor({}, {16778216.0f}), 0, 0);
}

}  // namespace
}  // namespace rnnc
