// Verify on graphs that break one rule each, asserting on the message; and
// on the correct graphs they are broken from, which must verify.
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ir/Verifier.h"

namespace rnnc::ir {
namespace {

using ::testing::HasSubstr;

const Dim T = Dim::Symbol("T");
const Dim N = Dim::Symbol("N");

std::string VerifyError(const Graph& graph) {
  absl::Status status = Verify(graph);
  EXPECT_FALSE(status.ok());
  return std::string(status.message());
}

// The tanh RNN cell of docs/IR.md's scan example:
//   %h_T: f32[N, 16], %hs: f32[T, N, 16] = scan(%h0, %x) {carries = 1, reverse = false} {
//     ^(%h: f32[N, 16], %x_t: f32[N, 8]):
//     %a = matmul(%x_t, %w) {transpose_b = true}; %b = matmul(%h, %u) {transpose_b = true}
//     %s = add(%a, %b); %h_next = tanh(%s); yield(%h_next, %h_next)
//   }
class ScanGraph : public ::testing::Test {
 protected:
  ScanGraph() {
    x_ = graph_.AddInput("x", TensorType({T, N, 8}));
    h0_ = graph_.AddInput("h0", TensorType({N, 16}));
    w_ = graph_.AddParam("w", TensorType({16, 8}));
    u_ = graph_.AddParam("u", TensorType({16, 16}));
    scan_ = graph_.AppendOp(graph_.body(), OpKind::Scan, {h0_, x_},
                            {{"carries", int64_t{1}}, {"reverse", false}},
                            {TensorType({N, 16}), TensorType({T, N, 16})}, {"h_T", "hs"});
    Block& body = *scan_->body();
    h_ = graph_.AddBlockArgument(body, "h", TensorType({N, 16}));
    x_t_ = graph_.AddBlockArgument(body, "x_t", TensorType({N, 8}));
    const TensorType state({N, 16});
    matmul_ =
        graph_.AppendOp(body, OpKind::Matmul, {x_t_, w_}, {{"transpose_b", true}}, {state}, {"a"});
    Value* b =
        graph_.AppendOp(body, OpKind::Matmul, {h_, u_}, {{"transpose_b", true}}, {state}, {"b"})
            ->result(0);
    Value* s =
        graph_.AppendOp(body, OpKind::Add, {matmul_->result(0), b}, {}, {state}, {"s"})->result(0);
    h_next_ = graph_.AppendOp(body, OpKind::Tanh, {s}, {}, {state}, {"h_next"})->result(0);
    yield_ = graph_.AppendOp(body, OpKind::Yield, {h_next_, h_next_}, {}, {});
    graph_.AddOutput("hs", scan_->result(1));
  }

  // Appends `kind(operands)` to the top level with one result named `name`.
  Op* Append(OpKind kind, std::vector<Value*> operands, TensorType type,
             AttributeMap attributes = {}, const std::string& name = "y") {
    return graph_.AppendOp(graph_.body(), kind, std::move(operands), std::move(attributes),
                           {std::move(type)}, {name});
  }

  Graph graph_{"rnn_cell"};
  Value *x_, *h0_, *w_, *u_, *h_, *x_t_, *h_next_;
  Op *scan_, *matmul_, *yield_;
};

using VerifierAccepts = ScanGraph;
using VerifierErrors = ScanGraph;

TEST_F(VerifierAccepts, TanhRnnCellScan) { EXPECT_TRUE(Verify(graph_).ok()) << Verify(graph_); }

TEST_F(VerifierAccepts, FullOfASymbolicTypeAsInitialState) {
  Op* zeros = Append(OpKind::Full, {}, TensorType({N, 16}), {{"value", 0.0}}, "zeros");
  scan_->set_operand(0, zeros->result(0));
  graph_.body().InsertOp(0, graph_.body().TakeOp(1));  // full before the scan
  EXPECT_TRUE(Verify(graph_).ok()) << Verify(graph_);
}

// An inner scan over the batch of one step sees the outer body's values.
TEST_F(VerifierAccepts, NestedScanUsesTheEnclosingBody) {
  Block& body = *scan_->body();
  std::unique_ptr<Op> inner = graph_.CreateOp(OpKind::Scan, {x_t_}, {{"carries", int64_t{0}}},
                                              {TensorType({N, 16})}, {"rows"});
  Value* row = graph_.AddBlockArgument(*inner->body(), "row", TensorType({8}));
  Value* projected = graph_
                         .AppendOp(*inner->body(), OpKind::Matmul, {row, w_},
                                   {{"transpose_b", true}}, {TensorType({16})}, {"p"})
                         ->result(0);
  graph_.AppendOp(*inner->body(), OpKind::Yield, {projected}, {}, {});
  body.InsertOp(0, std::move(inner));
  EXPECT_TRUE(Verify(graph_).ok()) << Verify(graph_);
}

TEST_F(VerifierErrors, NoOutputs) {
  graph_.mutable_outputs().clear();
  EXPECT_EQ(VerifyError(graph_), "graph rnn_cell: has no outputs");
}

TEST_F(VerifierErrors, OutputDefinedInsideAScanBody) {
  graph_.AddOutput("h", h_next_);
  EXPECT_THAT(VerifyError(graph_),
              HasSubstr("graph rnn_cell: output 'h' is %h_next, which is defined inside a scan "
                        "body; outputs must be top-level values"));
}

TEST_F(VerifierErrors, OutputOfAnotherGraph) {
  Graph other;
  graph_.AddOutput("z", other.AddInput("z", TensorType({4})));
  EXPECT_EQ(VerifyError(graph_),
            "graph rnn_cell: output 'z' is %z, which is not a value of this graph");
}

TEST_F(VerifierErrors, OutputNameUsedTwice) {
  graph_.AddOutput("hs", scan_->result(0));
  EXPECT_EQ(VerifyError(graph_), "graph rnn_cell: output name 'hs' is used twice");
}

TEST_F(VerifierErrors, ParamOfSymbolicType) {
  graph_.AddParam("v", TensorType({N, 4}));
  EXPECT_THAT(VerifyError(graph_),
              HasSubstr("graph rnn_cell: param %v has type f32[N, 4]; params must have static "
                        "types"));
}

// Graph::CreateOp names results uniquely within its graph; an op made by
// another graph can still bring a clashing name.
TEST_F(VerifierErrors, ValueNameDefinedTwice) {
  Graph other;
  graph_.body().InsertOp(0, other.CreateOp(OpKind::Tanh, {x_}, {}, {TensorType({T, N, 8})}, {"x"}));
  EXPECT_EQ(VerifyError(graph_),
            "graph rnn_cell: value name %x is defined twice: as an input and as result 0 of "
            "op %x = tanh");
}

TEST_F(VerifierErrors, OperandUsedBeforeItIsDefined) {
  graph_.body().InsertOp(
      0, graph_.CreateOp(OpKind::Neg, {scan_->result(1)}, {}, {TensorType({T, N, 16})}, {"early"}));
  EXPECT_EQ(VerifyError(graph_), "op %early = neg: operand 0 (%hs) is used before it is defined");
}

// A body sees the enclosing block only up to its scan.
TEST_F(VerifierErrors, BodyUsesAValueDefinedAfterItsScan) {
  Op* late = Append(OpKind::Select, {x_}, TensorType({N, 8}),
                    {{"axis", int64_t{0}}, {"index", int64_t{0}}}, "late");
  matmul_->set_operand(0, late->result(0));
  EXPECT_EQ(VerifyError(graph_), "op %a = matmul: operand 0 (%late) is used before it is defined");
}

TEST_F(VerifierErrors, OperandDefinedInsideAnotherScanBody) {
  Append(OpKind::Tanh, {h_next_}, TensorType({N, 16}));
  EXPECT_EQ(VerifyError(graph_),
            "op %y = tanh: operand 0 (%h_next) is defined inside a scan body that does not "
            "enclose this op");
}

TEST_F(VerifierErrors, OperandOfAnotherGraph) {
  Graph other;
  Append(OpKind::Tanh, {other.AddInput("alien", TensorType({N, 16}))}, TensorType({N, 16}));
  EXPECT_EQ(VerifyError(graph_), "op %y = tanh: operand 0 (%alien) is not a value of this graph");
}

TEST_F(VerifierErrors, NullOperand) {
  Append(OpKind::Tanh, {nullptr}, TensorType({N, 16}));
  EXPECT_EQ(VerifyError(graph_), "op %y = tanh: operand 0 is null");
}

TEST_F(VerifierErrors, DeclaredResultTypeDiffersFromInferred) {
  matmul_->result(0)->set_type(TensorType({N, 3}));
  EXPECT_EQ(VerifyError(graph_),
            "op %a = matmul: result 0 declared f32[N, 3], inferred f32[N, 16]");
}

TEST_F(VerifierErrors, WrongNumberOfResults) {
  const TensorType third({T, N, 1});
  graph_.AppendOp(graph_.body(), OpKind::Split, {x_},
                  {{"axis", int64_t{-1}}, {"sizes", std::vector<int64_t>{6, 1, 1}}},
                  {TensorType({T, N, 6}), third}, {"first", "rest"});
  EXPECT_EQ(VerifyError(graph_),
            "op %first = split: declares 2 results, inferred 3: f32[T, N, 6], f32[T, N, 1], "
            "f32[T, N, 1]");
}

TEST_F(VerifierErrors, MatmulContractionDimsDiffer) {
  matmul_->set_operand(1, u_);
  EXPECT_EQ(VerifyError(graph_),
            "op %a = matmul: operand 1 (%u) has type f32[16, 16]; its dim 1 must equal dim -1 "
            "of operand 0 (%x_t), f32[N, 8]");
}

TEST_F(VerifierErrors, BroadcastOfDifferentSymbols) {
  Value* y = graph_.AddInput("y_in", TensorType({T, Dim::Symbol("M"), 8}));
  Append(OpKind::Add, {x_, y}, TensorType({T, N, 8}));
  EXPECT_EQ(VerifyError(graph_),
            "op %y = add: operand 1 (%y_in) has type f32[T, M, 8], which does not broadcast "
            "with operand 0 (%x), f32[T, N, 8]: its dim -2 is M, expected N or 1");
}

TEST_F(VerifierErrors, BroadcastOfASymbolAndAStaticSize) {
  Value* y = graph_.AddInput("y_in", TensorType({4, 8}));
  Append(OpKind::Mul, {x_, y}, TensorType({T, N, 8}));
  EXPECT_THAT(VerifyError(graph_), HasSubstr("its dim -2 is 4, expected N or 1"));
}

TEST_F(VerifierErrors, ConcatOfSeveralAlongASymbolicAxis) {
  Append(OpKind::Concat, {x_, x_}, TensorType({T, N, 8}), {{"axis", int64_t{0}}});
  EXPECT_EQ(VerifyError(graph_),
            "op %y = concat: operand 0 (%x) has type f32[T, N, 8], symbolic along axis 0; "
            "joining several operands needs static sizes along the axis");
}

TEST_F(VerifierErrors, AxisOutOfRange) {
  Append(OpKind::Softmax, {x_}, TensorType({T, N, 8}), {{"axis", int64_t{3}}});
  EXPECT_EQ(VerifyError(graph_),
            "op %y = softmax: attribute axis = 3 is out of range for operand 0 (%x), "
            "f32[T, N, 8]: expected -3 to 2");
}

TEST_F(VerifierErrors, AttributeOfTheWrongType) {
  matmul_->mutable_attributes()["transpose_b"] = int64_t{1};
  EXPECT_EQ(VerifyError(graph_),
            "op %a = matmul: attribute transpose_b = 1 has type int, expected bool");
}

TEST_F(VerifierErrors, UnknownAttribute) {
  matmul_->mutable_attributes()["transpose_a"] = true;
  EXPECT_EQ(VerifyError(graph_),
            "op %a = matmul: unknown attribute 'transpose_a' (expected: transpose_b)");
}

TEST_F(VerifierErrors, FullWithAnOperand) {
  Append(OpKind::Full, {h0_}, TensorType({N, 16}), {{"value", 0.0}});
  EXPECT_EQ(VerifyError(graph_), "op %y = full: expected 0 operands, got 1");
}

TEST_F(VerifierErrors, FullWithoutValue) {
  Append(OpKind::Full, {}, TensorType({N, 16}));
  EXPECT_EQ(VerifyError(graph_), "op %y = full: missing attribute 'value' (float)");
}

TEST_F(VerifierErrors, ScanWithoutCarries) {
  scan_->mutable_attributes().erase("carries");
  EXPECT_EQ(VerifyError(graph_), "op %h_T = scan: missing attribute 'carries' (int)");
}

TEST_F(VerifierErrors, ScanCarriesMoreThanItsOperands) {
  scan_->mutable_attributes()["carries"] = int64_t{3};
  EXPECT_EQ(VerifyError(graph_), "op %h_T = scan: attribute carries = 3, expected 0 to 2");
}

TEST_F(VerifierErrors, ScanReverseNotABool) {
  scan_->mutable_attributes()["reverse"] = int64_t{1};
  EXPECT_EQ(VerifyError(graph_),
            "op %h_T = scan: attribute reverse = 1 has type int, expected bool");
}

TEST_F(VerifierErrors, ScanWithoutASequence) {
  scan_->mutable_attributes()["carries"] = int64_t{2};
  EXPECT_EQ(VerifyError(graph_),
            "op %h_T = scan: expected at least one sequence operand after the 2 carries, got 2 "
            "operands");
}

TEST_F(VerifierErrors, ScanOverAScalar) {
  scan_->set_operand(1, graph_.AddInput("scalar", TensorType()));
  EXPECT_EQ(VerifyError(graph_),
            "op %h_T = scan: operand 1 (%scalar) has type f32[], expected rank >= 1");
}

TEST_F(VerifierErrors, ScanOverSequencesOfDifferentLengths) {
  Value* z = graph_.AddInput("z", TensorType({Dim::Symbol("S"), N, 4}));
  scan_->set_operands({h0_, x_, z});
  EXPECT_EQ(VerifyError(graph_),
            "op %h_T = scan: operand 2 (%z) has type f32[S, N, 4]; its dim 0 must equal dim 0 "
            "of operand 1 (%x), f32[T, N, 8]");
}

TEST_F(VerifierErrors, BodyArgumentCount) {
  graph_.AddBlockArgument(*scan_->body(), "extra", TensorType({N, 8}));
  EXPECT_EQ(VerifyError(graph_),
            "op %h_T = scan: its body has 3 arguments, expected 2: one per carry (1), one per "
            "sequence (1)");
}

TEST_F(VerifierErrors, CarryArgumentOfTheWrongType) {
  h_->set_type(TensorType({N, 15}));
  EXPECT_EQ(VerifyError(graph_),
            "op %h_T = scan: body argument 0 (%h) has type f32[N, 15], expected f32[N, 16], the "
            "type of operand 0 (%h0), f32[N, 16]");
}

TEST_F(VerifierErrors, StepArgumentKeepsTheTimeAxis) {
  x_t_->set_type(TensorType({T, N, 8}));
  EXPECT_EQ(VerifyError(graph_),
            "op %h_T = scan: body argument 1 (%x_t) has type f32[T, N, 8], expected f32[N, 8], "
            "one step of operand 1 (%x), f32[T, N, 8]");
}

TEST_F(VerifierErrors, BodyWithoutYield) {
  scan_->body()->EraseOp(scan_->body()->num_ops() - 1);
  EXPECT_EQ(VerifyError(graph_), "op %h_T = scan: its body must end in a yield");
}

TEST_F(VerifierErrors, YieldBeforeTheEndOfTheBody) {
  scan_->body()->InsertOp(0, graph_.CreateOp(OpKind::Yield, {h_, h_}, {}, {}));
  EXPECT_EQ(VerifyError(graph_),
            "op yield (no results): yield may only be the last op of a scan body");
}

TEST_F(VerifierErrors, YieldOutsideAScan) {
  graph_.AppendOp(graph_.body(), OpKind::Yield, {x_}, {}, {});
  EXPECT_EQ(VerifyError(graph_),
            "op yield (no results): yield may only be the last op of a scan body");
}

TEST_F(VerifierErrors, YieldedCarryOfTheWrongType) {
  yield_->set_operand(0, x_t_);
  EXPECT_EQ(VerifyError(graph_),
            "op %h_T = scan: yield operand 0 (%x_t) has type f32[N, 8], expected f32[N, 16], "
            "the type of carry operand 0 (%h0)");
}

TEST_F(VerifierErrors, YieldWithoutTheCarries) {
  yield_->set_operands({});
  EXPECT_EQ(VerifyError(graph_),
            "op %h_T = scan: its yield has 0 operands, expected at least 1: the next value of "
            "each carry");
}

TEST_F(VerifierErrors, ScanOutputWithoutTheTimeAxis) {
  scan_->result(1)->set_type(TensorType({N, 16}));
  EXPECT_EQ(VerifyError(graph_),
            "op %h_T = scan: result 1 declared f32[N, 16], inferred f32[T, N, 16]");
}

TEST_F(VerifierErrors, ScanWithMoreYieldedThanResults) {
  yield_->set_operands({h_next_, h_next_, x_t_});
  EXPECT_EQ(VerifyError(graph_),
            "op %h_T = scan: declares 2 results, inferred 3: f32[N, 16], f32[T, N, 16], "
            "f32[T, N, 8]");
}

// docs/IR.md's gru_tagger, whose gru the tests below break.
class GruGraph : public ::testing::Test {
 protected:
  GruGraph() {
    Value* x = graph_.AddInput("x", TensorType({T, N, 8}));
    std::vector<Value*> operands = {x};
    for (auto [name, type] :
         std::vector<std::pair<std::string, TensorType>>{{"gru.weight_ih_l0", TensorType({48, 8})},
                                                         {"gru.weight_hh_l0", TensorType({48, 16})},
                                                         {"gru.bias_ih_l0", TensorType({48})},
                                                         {"gru.bias_hh_l0", TensorType({48})}}) {
      operands.push_back(graph_.AddParam(name, type));
    }
    gru_ = graph_.AppendOp(graph_.body(), OpKind::Gru, operands,
                           {{"direction", "forward"},
                            {"hidden_size", int64_t{16}},
                            {"num_layers", int64_t{1}},
                            {"reset", "after"}},
                           {TensorType({T, N, 16}), TensorType({1, N, 16})}, {"seq", "h_n"});
    Op* y = graph_.AppendOp(graph_.body(), OpKind::Tanh, {gru_->result(0)}, {},
                            {TensorType({T, N, 16})}, {"y"});
    graph_.AddOutput("y", y->result(0));
    graph_.AddOutput("state", gru_->result(1));
  }

  Graph graph_{"gru_tagger"};
  Op* gru_;
};

using GruVerifierAccepts = GruGraph;
using GruVerifierErrors = GruGraph;

TEST_F(GruVerifierAccepts, TheSpecExample) { EXPECT_TRUE(Verify(graph_).ok()) << Verify(graph_); }

TEST_F(GruVerifierErrors, WeightOfTheWrongShape) {
  gru_->operand(2)->set_type(TensorType({48, 15}));
  EXPECT_EQ(VerifyError(graph_),
            "op %seq = gru: operand 2 (%gru.weight_hh_l0) has type f32[48, 15], expected "
            "f32[48, 16]");
}

TEST_F(GruVerifierErrors, WrongNumberOfOperands) {
  gru_->set_operands({gru_->operand(0), gru_->operand(1), gru_->operand(2), gru_->operand(3)});
  EXPECT_EQ(VerifyError(graph_),
            "op %seq = gru: expected 5 operands (x, then 4 weights for each of 1 layer(s) x 1 "
            "direction(s)), or 6 with the initial states h0; got 4");
}

TEST_F(GruVerifierErrors, MissingAttribute) {
  gru_->mutable_attributes().erase("hidden_size");
  EXPECT_EQ(VerifyError(graph_), "op %seq = gru: missing attribute 'hidden_size' (int)");
}

TEST_F(GruVerifierErrors, EnumAttributeOutOfItsValues) {
  gru_->mutable_attributes()["reset"] = std::string("middle");
  EXPECT_EQ(VerifyError(graph_),
            "op %seq = gru: attribute reset = \"middle\", expected \"after\" or \"before\"");
}

TEST_F(GruVerifierErrors, NumLayersBelowOne) {
  gru_->mutable_attributes()["num_layers"] = int64_t{0};
  EXPECT_THAT(VerifyError(graph_),
              HasSubstr("op %seq = gru: attribute num_layers = 0, expected 1 to"));
}

// An attribute that belongs to another recurrent op is unknown here.
TEST_F(GruVerifierErrors, AttributeOfAnotherOp) {
  gru_->mutable_attributes()["activation"] = std::string("tanh");
  EXPECT_EQ(VerifyError(graph_),
            "op %seq = gru: unknown attribute 'activation' (expected: direction, hidden_size, "
            "merge, num_layers, reset)");
}

// Names and values the text form cannot spell would print IR that does not
// parse back; the verifier refuses them.
TEST(SpellingErrors, GraphNameMustBeAnIdentifier) {
  Graph graph("my-model");
  graph.AddOutput("x", graph.AddInput("x", TensorType({N, 4})));
  EXPECT_THAT(VerifyError(graph), HasSubstr("graph my-model: the graph's name must be an identifier"));
}

TEST(SpellingErrors, ValueNameWithASpace) {
  Graph graph("g");
  graph.AddOutput("x", graph.AddInput("my input", TensorType({N, 4})));
  EXPECT_THAT(VerifyError(graph), HasSubstr("value name 'my input' may only hold"));
}

TEST(SpellingErrors, DimSymbolThatIsNoIdentifier) {
  Graph graph("g");
  graph.AddOutput("x", graph.AddInput("x", TensorType({Dim::Symbol("2N"), 4})));
  EXPECT_THAT(VerifyError(graph), HasSubstr("%x: dim symbol '2N' is not an identifier"));
}

TEST(SpellingErrors, OutputNameWithADash) {
  Graph graph("g");
  graph.AddOutput("y-hat", graph.AddInput("x", TensorType({N, 4})));
  EXPECT_THAT(VerifyError(graph), HasSubstr("output name 'y-hat' may only hold"));
}

TEST(SpellingErrors, StringAttributeWithAQuoteAndNonFiniteFloat) {
  Graph graph("g");
  Op* full = graph.AppendOp(graph.body(), OpKind::Full, {}, {{"value", 1.0 / 0.0}},
                            {TensorType({N, 4})}, {"f"});
  graph.AddOutput("f", full->result(0));
  EXPECT_THAT(VerifyError(graph), HasSubstr("attribute value = inf is not finite"));
  full->mutable_attributes()["value"] = std::string("say \"hi\"");
  EXPECT_THAT(VerifyError(graph), HasSubstr("attribute value holds a quote"));
}

// reshape keeps every element: the counts must match, and a symbolic dim can
// only pass through, kept by a 0.
Graph ReshapeGraph(const TensorType& operand, std::vector<int64_t> shape,
                   const TensorType& result) {
  Graph graph("g");
  Value* x = graph.AddInput("x", operand);
  Op* reshape = graph.AppendOp(graph.body(), OpKind::Reshape, {x}, {{"shape", std::move(shape)}},
                               {result}, {"y"});
  graph.AddOutput("y", reshape->result(0));
  return graph;
}

TEST(ReshapeVerifierErrors, ElementCountMismatch) {
  EXPECT_EQ(VerifyError(ReshapeGraph(TensorType({4, 4}), {3, 5}, TensorType({3, 5}))),
            "op %y = reshape: attribute shape = [3, 5] gives f32[3, 5], which does not have as "
            "many elements as operand 0 (%x), f32[4, 4]");
  EXPECT_EQ(VerifyError(ReshapeGraph(TensorType({T, N, 6}), {0, 0, 4}, TensorType({T, N, 4}))),
            "op %y = reshape: attribute shape = [0, 0, 4] gives f32[T, N, 4], which does not have "
            "as many elements as operand 0 (%x), f32[T, N, 6]");
}

TEST(ReshapeVerifierErrors, SymbolicDimNotKept) {
  EXPECT_EQ(VerifyError(ReshapeGraph(TensorType({T, 4}), {8}, TensorType({8}))),
            "op %y = reshape: attribute shape = [8], expected sizes > 0 and one 0 for each of the "
            "1 symbolic dims of operand 0 (%x), f32[T, 4], which it keeps");
}

TEST(ReshapeVerifierErrors, NegativeSize) {
  EXPECT_THAT(VerifyError(ReshapeGraph(TensorType({2, 3}), {-1, 3}, TensorType({2, 3}))),
              HasSubstr("attribute shape = [-1, 3], expected sizes > 0"));
}

TEST(ReshapeVerifierErrors, DeclaredResultTypeDiffers) {
  EXPECT_THAT(VerifyError(ReshapeGraph(TensorType({2, 3}), {3, 2}, TensorType({2, 3}))),
              HasSubstr("f32[3, 2]"));
}

}  // namespace
}  // namespace rnnc::ir
