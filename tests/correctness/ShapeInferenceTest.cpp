// InferResultTypes on every op kind it handles, against the result types
// docs/IR.md gives; and the form of its messages (op name first, operands
// labelled by their role) when an op is wrong.
#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ir/ShapeInference.h"

namespace rnnc::ir {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

const Dim T = Dim::Symbol("T");
const Dim N = Dim::Symbol("N");

// The result types as text, which reads well in ElementsAre and failures.
std::vector<std::string> Infer(OpKind kind, const std::vector<TensorType>& operands,
                               const AttributeMap& attributes = {}) {
  absl::StatusOr<std::vector<TensorType>> types = InferResultTypes(kind, operands, attributes);
  if (!types.ok()) return {std::string(types.status().message())};
  std::vector<std::string> text;
  for (const TensorType& type : *types) text.push_back(type.ToString());
  return text;
}

std::string InferError(OpKind kind, const std::vector<TensorType>& operands,
                       const AttributeMap& attributes = {}) {
  absl::StatusOr<std::vector<TensorType>> types = InferResultTypes(kind, operands, attributes);
  EXPECT_FALSE(types.ok());
  return std::string(types.status().message());
}

// x, then weight_ih, weight_hh, bias_ih, bias_hh for each layer and
// direction, shaped for `gates` gates, as docs/IR.md lists them.
std::vector<TensorType> RecurrentOperands(int64_t gates, int64_t input, int64_t hidden,
                                          int64_t layers, int64_t directions) {
  std::vector<TensorType> operands = {TensorType({T, N, input})};
  for (int64_t l = 0; l < layers; ++l) {
    for (int64_t d = 0; d < directions; ++d) {
      const int64_t layer_input = l == 0 ? input : directions * hidden;
      operands.push_back(TensorType({gates * hidden, layer_input}));
      operands.push_back(TensorType({gates * hidden, hidden}));
      operands.push_back(TensorType({gates * hidden}));
      operands.push_back(TensorType({gates * hidden}));
    }
  }
  return operands;
}

TEST(ShapeInference, GruAsInTheSpecExample) {
  EXPECT_THAT(Infer(OpKind::Gru,
                    {TensorType({T, N, 8}), TensorType({48, 8}), TensorType({48, 16}),
                     TensorType({48}), TensorType({48})},
                    {{"direction", "forward"},
                     {"hidden_size", int64_t{16}},
                     {"num_layers", int64_t{1}},
                     {"reset", "after"}}),
              ElementsAre("f32[T, N, 16]", "f32[1, N, 16]"));
}

TEST(ShapeInference, BidirectionalStackedLstmWithInitialStates) {
  std::vector<TensorType> operands = RecurrentOperands(4, 10, 20, 2, 2);
  operands.push_back(TensorType({4, N, 20}));  // h0: L·D = 4
  operands.push_back(TensorType({4, N, 20}));  // c0
  EXPECT_THAT(Infer(OpKind::Lstm, operands,
                    {{"direction", "bidirectional"},
                     {"hidden_size", int64_t{20}},
                     {"num_layers", int64_t{2}}}),
              ElementsAre("f32[T, N, 40]", "f32[4, N, 20]", "f32[4, N, 20]"));
}

TEST(ShapeInference, BidirectionalMergeSumKeepsTheHiddenWidth) {
  EXPECT_THAT(Infer(OpKind::Gru, RecurrentOperands(3, 8, 16, 1, 2),
                    {{"direction", "bidirectional"},
                     {"hidden_size", int64_t{16}},
                     {"num_layers", int64_t{1}},
                     {"merge", "sum"},
                     {"reset", "before"}}),
              ElementsAre("f32[T, N, 16]", "f32[2, N, 16]"));
}

TEST(ShapeInference, ReverseRnnWithInitialState) {
  std::vector<TensorType> operands = RecurrentOperands(1, 5, 7, 3, 1);
  operands.push_back(TensorType({3, N, 7}));
  EXPECT_THAT(Infer(OpKind::Rnn, operands,
                    {{"activation", "relu"},
                     {"direction", "reverse"},
                     {"hidden_size", int64_t{7}},
                     {"num_layers", int64_t{3}}}),
              ElementsAre("f32[T, N, 7]", "f32[3, N, 7]"));
}

TEST(ShapeInference, DenseWithAndWithoutBias) {
  EXPECT_THAT(Infer(OpKind::Dense, {TensorType({T, N, 16}), TensorType({5, 16}), TensorType({5})}),
              ElementsAre("f32[T, N, 5]"));
  EXPECT_THAT(Infer(OpKind::Dense, {TensorType({N, 16}), TensorType({5, 16})}),
              ElementsAre("f32[N, 5]"));
}

TEST(ShapeInference, BatchNormKeepsTheTypeWithOrWithoutEpsilon) {
  const TensorType c({16});
  EXPECT_THAT(Infer(OpKind::BatchNorm, {TensorType({T, N, 16}), c, c, c, c}),
              ElementsAre("f32[T, N, 16]"));
  EXPECT_THAT(Infer(OpKind::BatchNorm, {TensorType({N, 16}), c, c, c, c}, {{"epsilon", 1e-3}}),
              ElementsAre("f32[N, 16]"));
}

TEST(ShapeInference, Matmul) {
  EXPECT_THAT(Infer(OpKind::Matmul, {TensorType({N, 8}), TensorType({8, 48})}),
              ElementsAre("f32[N, 48]"));
  EXPECT_THAT(
      Infer(OpKind::Matmul, {TensorType({T, N, 8}), TensorType({48, 8})}, {{"transpose_b", true}}),
      ElementsAre("f32[T, N, 48]"));
}

TEST(ShapeInference, BroadcastingWithSymbols) {
  EXPECT_THAT(Infer(OpKind::Add, {TensorType({N, 16}), TensorType({16})}),
              ElementsAre("f32[N, 16]"));
  EXPECT_THAT(Infer(OpKind::Mul, {TensorType({T, N, 1}), TensorType({N, 16})}),
              ElementsAre("f32[T, N, 16]"));
  EXPECT_THAT(Infer(OpKind::Sub, {TensorType({N, 1}), TensorType({1, 16})}),
              ElementsAre("f32[N, 16]"));
  EXPECT_THAT(Infer(OpKind::Div, {TensorType({1}), TensorType({T, N})}), ElementsAre("f32[T, N]"));
  EXPECT_THAT(Infer(OpKind::Add, {TensorType(), TensorType({N, 3})}), ElementsAre("f32[N, 3]"));
}

TEST(ShapeInference, UnaryOpsKeepTheType) {
  for (OpKind kind :
       {OpKind::Neg, OpKind::Sigmoid, OpKind::Tanh, OpKind::Relu, OpKind::Exp, OpKind::Log,
        OpKind::Sqrt}) {
    EXPECT_THAT(Infer(kind, {TensorType({T, N, 4})}), ElementsAre("f32[T, N, 4]"))
        << OpKindName(kind);
  }
}

TEST(ShapeInference, SoftmaxWithANegativeAxis) {
  EXPECT_THAT(Infer(OpKind::Softmax, {TensorType({N, 10})}, {{"axis", int64_t{-1}}}),
              ElementsAre("f32[N, 10]"));
}

TEST(ShapeInference, ConcatAddsStaticSizes) {
  EXPECT_THAT(Infer(OpKind::Concat, {TensorType({N, 16}), TensorType({N, 8}), TensorType({N, 1})},
                    {{"axis", int64_t{-1}}}),
              ElementsAre("f32[N, 25]"));
}

TEST(ShapeInference, ConcatOfOneOperandAlongASymbolicAxis) {
  EXPECT_THAT(Infer(OpKind::Concat, {TensorType({T, N, 4})}, {{"axis", int64_t{0}}}),
              ElementsAre("f32[T, N, 4]"));
}

TEST(ShapeInference, SplitGivesOneResultPerSize) {
  EXPECT_THAT(Infer(OpKind::Split, {TensorType({N, 48})},
                    {{"axis", int64_t{-1}}, {"sizes", std::vector<int64_t>{16, 16, 16}}}),
              ElementsAre("f32[N, 16]", "f32[N, 16]", "f32[N, 16]"));
}

TEST(ShapeInference, SliceWithNegativeBounds) {
  EXPECT_THAT(Infer(OpKind::Slice, {TensorType({N, 48})},
                    {{"axis", int64_t{1}}, {"start", int64_t{16}}, {"end", int64_t{-16}}}),
              ElementsAre("f32[N, 16]"));
  EXPECT_THAT(Infer(OpKind::Slice, {TensorType({N, 48})},
                    {{"axis", int64_t{-1}}, {"start", int64_t{-8}}, {"end", int64_t{48}}}),
              ElementsAre("f32[N, 8]"));
}

TEST(ShapeInference, SelectDropsTheAxisEvenWhenSymbolic) {
  EXPECT_THAT(Infer(OpKind::Select, {TensorType({T, N, 16})},
                    {{"axis", int64_t{0}}, {"index", int64_t{-1}}}),
              ElementsAre("f32[N, 16]"));
  EXPECT_THAT(Infer(OpKind::Select, {TensorType({2, N, 16})},
                    {{"axis", int64_t{-3}}, {"index", int64_t{-2}}}),
              ElementsAre("f32[N, 16]"));
}

TEST(ShapeInference, TransposePermutesDims) {
  EXPECT_THAT(
      Infer(OpKind::Transpose, {TensorType({T, N, 16})}, {{"perm", std::vector<int64_t>{1, 0, 2}}}),
      ElementsAre("f32[N, T, 16]"));
}

// The 0s keep the symbolic dims in order; static dims split and merge around
// them.
TEST(ShapeInference, ReshapeKeepsTheSymbolicDims) {
  EXPECT_THAT(Infer(OpKind::Reshape, {TensorType({6, N, 4})},
                    {{"shape", std::vector<int64_t>{3, 2, 0, 4}}}),
              ElementsAre("f32[3, 2, N, 4]"));
  EXPECT_THAT(Infer(OpKind::Reshape, {TensorType({3, 2, N, 4})},
                    {{"shape", std::vector<int64_t>{6, 0, 2, 2}}}),
              ElementsAre("f32[6, N, 2, 2]"));
  EXPECT_THAT(Infer(OpKind::Reshape, {TensorType({T, N, 6})},
                    {{"shape", std::vector<int64_t>{0, 0, 3, 2}}}),
              ElementsAre("f32[T, N, 3, 2]"));
  EXPECT_THAT(Infer(OpKind::Reshape, {TensorType({1, 1})}, {{"shape", std::vector<int64_t>{}}}),
              ElementsAre("f32[]"));
}

// Equal counts are not enough around a symbol: (2, T, 3) as (3, T, 2) would
// move elements.
TEST(ShapeInferenceMessages, ReshapeMustKeepTheElementOrder) {
  EXPECT_THAT(InferError(OpKind::Reshape, {TensorType({2, T, 3})},
                         {{"shape", std::vector<int64_t>{3, 0, 2}}}),
              HasSubstr("does not keep the element order of operand 0, f32[2, T, 3]"));
  EXPECT_THAT(InferError(OpKind::Reshape, {TensorType({2, 3})}, {{"shape", std::vector<int64_t>{}}}),
              HasSubstr("does not have as many elements as operand 0, f32[2, 3]"));
}

// The public API has no value names, so messages start with the op name and
// label the operands of layer ops by their role.
TEST(ShapeInferenceMessages, NameTheOperandByItsRole) {
  std::vector<TensorType> operands = RecurrentOperands(3, 8, 16, 1, 1);
  operands[2] = TensorType({48, 15});
  EXPECT_EQ(InferError(OpKind::Gru, operands,
                       {{"direction", "forward"},
                        {"hidden_size", int64_t{16}},
                        {"num_layers", int64_t{1}},
                        {"reset", "after"}}),
            "gru: operand 2 (weight_hh_l0) has type f32[48, 15], expected f32[48, 16]");
}

TEST(ShapeInferenceMessages, MatmulContractionDims) {
  EXPECT_EQ(InferError(OpKind::Matmul, {TensorType({N, 64}), TensorType({128, 50})}),
            "matmul: operand 1 has type f32[128, 50]; its dim 0 must equal dim -1 of operand 0, "
            "f32[N, 64]");
}

TEST(ShapeInferenceMessages, MissingAndBadAttributes) {
  EXPECT_EQ(InferError(OpKind::Lstm, RecurrentOperands(4, 8, 16, 1, 1),
                       {{"direction", "forward"}, {"num_layers", int64_t{1}}}),
            "lstm: missing attribute 'hidden_size' (int)");
  EXPECT_EQ(InferError(OpKind::Gru, RecurrentOperands(3, 8, 16, 1, 1),
                       {{"direction", "forward"},
                        {"hidden_size", int64_t{16}},
                        {"num_layers", int64_t{1}},
                        {"reset", "middle"}}),
            "gru: attribute reset = \"middle\", expected \"after\" or \"before\"");
}

TEST(ShapeInferenceMessages, FullIsNotInferred) {
  EXPECT_THAT(InferError(OpKind::Full, {}, {{"value", 0.0}}),
              HasSubstr("full: its result type is declared"));
}

}  // namespace
}  // namespace rnnc::ir
