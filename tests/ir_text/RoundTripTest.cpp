// Text in, text out: each test parses IR text and compares the printout with
// the expected text written beside it, and checks that printing is a fixed
// point: print(parse(print(parse(t)))) == print(parse(t)).
#include <string>
#include <string_view>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ir/Parser.h"
#include "ir/Printer.h"

namespace rnnc::ir {
namespace {

// The raw strings below open with a newline so that they line up; it is not
// part of the text.
std::string_view Unindent(std::string_view text) {
  return text.starts_with('\n') ? text.substr(1) : text;
}

std::string ParseAndPrint(std::string_view text) {
  absl::StatusOr<Graph> graph = ParseGraph(text);
  if (!graph.ok()) {
    ADD_FAILURE() << graph.status() << "\nwhile parsing:\n" << text;
    return "";
  }
  return PrintGraph(*graph);
}

void ExpectPrintsAs(std::string_view input, std::string_view expected) {
  std::string printed = ParseAndPrint(Unindent(input));
  EXPECT_EQ(printed, Unindent(expected));
  EXPECT_EQ(ParseAndPrint(printed), printed) << "printing is not a fixed point";
}

// For text already in the printer's form.
void ExpectCanonical(std::string_view text) { ExpectPrintsAs(text, text); }

TEST(RoundTripTest, DocsExample) {
  ExpectCanonical(R"(
graph gru_tagger {
  input %x: f32[T, N, 8]
  param %gru.weight_ih_l0: f32[48, 8]
  param %gru.weight_hh_l0: f32[48, 16]
  param %gru.bias_ih_l0: f32[48]
  param %gru.bias_hh_l0: f32[48]
  %seq: f32[T, N, 16], %h_n: f32[1, N, 16] = gru(%x, %gru.weight_ih_l0, %gru.weight_hh_l0, %gru.bias_ih_l0, %gru.bias_hh_l0) {direction = "forward", hidden_size = 16, num_layers = 1, reset = "after"}
  %y: f32[T, N, 16] = tanh(%seq)
  output %y
  output %state = %h_n
}
)");
}

// rnn: 2 reverse relu layers with h0; lstm: one bidirectional layer merged by
// sum, with h0 and c0; gru: reset before. Attributes come back sorted.
TEST(RoundTripTest, RecurrentLayersWithEveryAttribute) {
  ExpectPrintsAs(R"(
graph layers {
  input %x: f32[T, N, 3]
  input %h0: f32[2, N, 4]
  input %lstm_h0: f32[2, N, 2]
  input %lstm_c0: f32[2, N, 2]
  param %rnn.weight_ih_l0: f32[4, 3]
  param %rnn.weight_hh_l0: f32[4, 4]
  param %rnn.bias_ih_l0: f32[4]
  param %rnn.bias_hh_l0: f32[4]
  param %rnn.weight_ih_l1: f32[4, 4]
  param %rnn.weight_hh_l1: f32[4, 4]
  param %rnn.bias_ih_l1: f32[4]
  param %rnn.bias_hh_l1: f32[4]
  param %lstm.weight_ih_l0: f32[8, 4]
  param %lstm.weight_hh_l0: f32[8, 2]
  param %lstm.bias_ih_l0: f32[8]
  param %lstm.bias_hh_l0: f32[8]
  param %lstm.weight_ih_l0_reverse: f32[8, 4]
  param %lstm.weight_hh_l0_reverse: f32[8, 2]
  param %lstm.bias_ih_l0_reverse: f32[8]
  param %lstm.bias_hh_l0_reverse: f32[8]
  param %gru.weight_ih_l0: f32[9, 2]
  param %gru.weight_hh_l0: f32[9, 3]
  param %gru.bias_ih_l0: f32[9]
  param %gru.bias_hh_l0: f32[9]
  %r: f32[T, N, 4], %r_n: f32[2, N, 4] = rnn(%x, %rnn.weight_ih_l0, %rnn.weight_hh_l0, %rnn.bias_ih_l0, %rnn.bias_hh_l0, %rnn.weight_ih_l1, %rnn.weight_hh_l1, %rnn.bias_ih_l1, %rnn.bias_hh_l1, %h0) {num_layers = 2, hidden_size = 4, direction = "reverse", activation = "relu"}
  %l: f32[T, N, 2], %l_h: f32[2, N, 2], %l_c: f32[2, N, 2] = lstm(%r, %lstm.weight_ih_l0, %lstm.weight_hh_l0, %lstm.bias_ih_l0, %lstm.bias_hh_l0, %lstm.weight_ih_l0_reverse, %lstm.weight_hh_l0_reverse, %lstm.bias_ih_l0_reverse, %lstm.bias_hh_l0_reverse, %lstm_h0, %lstm_c0) {num_layers = 1, merge = "sum", hidden_size = 2, direction = "bidirectional"}
  %g: f32[T, N, 3], %g_n: f32[1, N, 3] = gru(%l, %gru.weight_ih_l0, %gru.weight_hh_l0, %gru.bias_ih_l0, %gru.bias_hh_l0) {reset = "before", num_layers = 1, hidden_size = 3, direction = "forward"}
  output %g
}
)",
                 R"(
graph layers {
  input %x: f32[T, N, 3]
  input %h0: f32[2, N, 4]
  input %lstm_h0: f32[2, N, 2]
  input %lstm_c0: f32[2, N, 2]
  param %rnn.weight_ih_l0: f32[4, 3]
  param %rnn.weight_hh_l0: f32[4, 4]
  param %rnn.bias_ih_l0: f32[4]
  param %rnn.bias_hh_l0: f32[4]
  param %rnn.weight_ih_l1: f32[4, 4]
  param %rnn.weight_hh_l1: f32[4, 4]
  param %rnn.bias_ih_l1: f32[4]
  param %rnn.bias_hh_l1: f32[4]
  param %lstm.weight_ih_l0: f32[8, 4]
  param %lstm.weight_hh_l0: f32[8, 2]
  param %lstm.bias_ih_l0: f32[8]
  param %lstm.bias_hh_l0: f32[8]
  param %lstm.weight_ih_l0_reverse: f32[8, 4]
  param %lstm.weight_hh_l0_reverse: f32[8, 2]
  param %lstm.bias_ih_l0_reverse: f32[8]
  param %lstm.bias_hh_l0_reverse: f32[8]
  param %gru.weight_ih_l0: f32[9, 2]
  param %gru.weight_hh_l0: f32[9, 3]
  param %gru.bias_ih_l0: f32[9]
  param %gru.bias_hh_l0: f32[9]
  %r: f32[T, N, 4], %r_n: f32[2, N, 4] = rnn(%x, %rnn.weight_ih_l0, %rnn.weight_hh_l0, %rnn.bias_ih_l0, %rnn.bias_hh_l0, %rnn.weight_ih_l1, %rnn.weight_hh_l1, %rnn.bias_ih_l1, %rnn.bias_hh_l1, %h0) {activation = "relu", direction = "reverse", hidden_size = 4, num_layers = 2}
  %l: f32[T, N, 2], %l_h: f32[2, N, 2], %l_c: f32[2, N, 2] = lstm(%r, %lstm.weight_ih_l0, %lstm.weight_hh_l0, %lstm.bias_ih_l0, %lstm.bias_hh_l0, %lstm.weight_ih_l0_reverse, %lstm.weight_hh_l0_reverse, %lstm.bias_ih_l0_reverse, %lstm.bias_hh_l0_reverse, %lstm_h0, %lstm_c0) {direction = "bidirectional", hidden_size = 2, merge = "sum", num_layers = 1}
  %g: f32[T, N, 3], %g_n: f32[1, N, 3] = gru(%l, %gru.weight_ih_l0, %gru.weight_hh_l0, %gru.bias_ih_l0, %gru.bias_hh_l0) {direction = "forward", hidden_size = 3, num_layers = 1, reset = "before"}
  output %g
}
)");
}

// A float prints with 17 significant digits, so that it reads back exactly.
TEST(RoundTripTest, DenseWithAndWithoutBiasAndBatchNorm) {
  ExpectPrintsAs(R"(
graph head {
  input %x: f32[T, N, 4]
  param %fc1.weight: f32[3, 4]
  param %fc1.bias: f32[3]
  param %fc2.weight: f32[2, 3]
  param %bn.weight: f32[2]
  param %bn.bias: f32[2]
  param %bn.running_mean: f32[2]
  param %bn.running_var: f32[2]
  %h: f32[T, N, 3] = dense(%x, %fc1.weight, %fc1.bias)
  %y: f32[T, N, 2] = dense(%h, %fc2.weight)
  %z: f32[T, N, 2] = batch_norm(%y, %bn.weight, %bn.bias, %bn.running_mean, %bn.running_var) {epsilon = 1e-05}
  output %z
}
)",
                 R"(
graph head {
  input %x: f32[T, N, 4]
  param %fc1.weight: f32[3, 4]
  param %fc1.bias: f32[3]
  param %fc2.weight: f32[2, 3]
  param %bn.weight: f32[2]
  param %bn.bias: f32[2]
  param %bn.running_mean: f32[2]
  param %bn.running_var: f32[2]
  %h: f32[T, N, 3] = dense(%x, %fc1.weight, %fc1.bias)
  %y: f32[T, N, 2] = dense(%h, %fc2.weight)
  %z: f32[T, N, 2] = batch_norm(%y, %bn.weight, %bn.bias, %bn.running_mean, %bn.running_var) {epsilon = 1e-05}
  output %z
}
)");
}

// Every cell op, and every attribute kind: bool, int (negative too), float,
// string (above), list of ints, empty list.
TEST(RoundTripTest, EveryCellOp) {
  ExpectCanonical(R"(
graph cells {
  input %a: f32[N, 4]
  input %b: f32[N, 4]
  input %x: f32[T, N, 4]
  param %w: f32[3, 4]
  param %v: f32[3, 4]
  param %bias: f32[4]
  %m: f32[N, 3] = matmul(%a, %w) {transpose_b = true}
  %m2: f32[N, 4] = matmul(%m, %v) {transpose_b = false}
  %sum: f32[N, 4] = add(%a, %b)
  %diff: f32[N, 4] = sub(%sum, %bias)
  %prod: f32[N, 4] = mul(%diff, %m2)
  %quot: f32[T, N, 4] = div(%x, %prod)
  %n: f32[T, N, 4] = neg(%quot)
  %s: f32[T, N, 4] = sigmoid(%n)
  %t: f32[T, N, 4] = tanh(%s)
  %r: f32[T, N, 4] = relu(%t)
  %e: f32[T, N, 4] = exp(%r)
  %l: f32[T, N, 4] = log(%e)
  %sm: f32[T, N, 4] = softmax(%l) {axis = -1}
  %c: f32[N, 8] = concat(%a, %b) {axis = 1}
  %c0: f32[N, 2], %c1: f32[N, 3], %c2: f32[N, 3] = split(%c) {axis = 1, sizes = [2, 3, 3]}
  %mid: f32[N, 4] = slice(%c) {axis = 1, end = 6, start = 2}
  %last: f32[N, 4] = select(%sm) {axis = 0, index = -1}
  %swapped: f32[N, T, 4] = transpose(%sm) {perm = [1, 0, 2]}
  %half: f32[T, N, 4] = full() {value = 0.5}
  %minus_two: f32[] = full() {value = -2.0}
  %scalar: f32[] = transpose(%minus_two) {perm = []}
  %chunks: f32[T, 2, N, 2] = reshape(%sm) {shape = [0, 2, 0, 2]}
  output %c0
  output %c1
  output %c2
  output %mid
  output %last
  output %swapped
  output %half
  output %scalar
  output %chunks
}
)");
}

// An Elman RNN written as a scan whose body uses the weights from outside.
TEST(RoundTripTest, ScanWithCarriesSequencesAndOuterWeights) {
  ExpectCanonical(R"(
graph elman {
  input %x: f32[T, N, 8]
  input %h0: f32[N, 16]
  param %w: f32[16, 8]
  param %u: f32[16, 16]
  %h_T: f32[N, 16], %hs: f32[T, N, 16] = scan(%h0, %x) {carries = 1, reverse = false} {
    ^(%h: f32[N, 16], %x_t: f32[N, 8]):
    %a: f32[N, 16] = matmul(%x_t, %w) {transpose_b = true}
    %b: f32[N, 16] = matmul(%h, %u) {transpose_b = true}
    %s: f32[N, 16] = add(%a, %b)
    %h_next: f32[N, 16] = tanh(%s)
    yield(%h_next, %h_next)
  }
  %ys: f32[T, N, 16] = scan(%hs) {carries = 0, reverse = true} {
    ^(%hs_t: f32[N, 16]):
    %y_t: f32[N, 16] = relu(%hs_t)
    yield(%y_t)
  }
  output %ys
  output %final = %h_T
}
)");
}

// The inner scan runs over K inside each step of the outer one, and uses
// both the outer weight %w and the outer body's argument %h.
TEST(RoundTripTest, NestedScan) {
  ExpectCanonical(R"(
graph nested {
  input %x: f32[T, K, N, 4]
  input %h0: f32[N, 4]
  param %w: f32[4, 4]
  %h_T: f32[N, 4], %hs: f32[T, N, 4] = scan(%h0, %x) {carries = 1, reverse = false} {
    ^(%h: f32[N, 4], %x_t: f32[K, N, 4]):
    %g_K: f32[N, 4], %gs: f32[K, N, 4] = scan(%h, %x_t) {carries = 1, reverse = true} {
      ^(%g: f32[N, 4], %x_tk: f32[N, 4]):
      %p: f32[N, 4] = matmul(%x_tk, %w) {transpose_b = true}
      %q: f32[N, 4] = add(%p, %g)
      %r: f32[N, 4] = tanh(%q)
      %g_next: f32[N, 4] = mul(%r, %h)
      yield(%g_next, %g_next)
    }
    yield(%g_K, %g_K)
  }
  output %hs
}
)");
}

// Comments, tabs, missing and extra spaces and line breaks, `{}` for no
// attributes and `output %y = %y` all print in the one canonical form.
TEST(RoundTripTest, CommentsAndWhitespaceAreNormalized) {
  ExpectPrintsAs(R"(
# A dense layer, written carelessly.
graph   sloppy{input %x :f32[ T,N , 4 ]   # the sequence
	param %w:f32[3,4]
  %y
    : f32[T,N,3]=dense(%x,%w){}# no bias
  %z: f32[T, N, 3] = full() {value = 1e3}   %sum: f32[T, N, 3] = add(%y, %z)

output %y=%y output %out=%sum}   # trailing comment
)",
                 R"(
graph sloppy {
  input %x: f32[T, N, 4]
  param %w: f32[3, 4]
  %y: f32[T, N, 3] = dense(%x, %w)
  %z: f32[T, N, 3] = full() {value = 1000.0}
  %sum: f32[T, N, 3] = add(%y, %z)
  output %y
  output %out = %sum
}
)");
}

// Declarations may come after ops in the text; they print first.
TEST(RoundTripTest, DeclarationsPrintBeforeOps) {
  ExpectPrintsAs(R"(
graph late {
  input %x: f32[4]
  %y: f32[4] = relu(%x)
  output %y
  param %unused: f32[2, 3]
}
)",
                 R"(
graph late {
  input %x: f32[4]
  param %unused: f32[2, 3]
  %y: f32[4] = relu(%x)
  output %y
}
)");
}

TEST(RoundTripTest, StaticDimsScalarsAndAnonymousNames) {
  ExpectCanonical(R"(
graph shapes {
  input %0: f32[]
  input %1: f32[2, 3]
  %2: f32[2, 3] = mul(%1, %0)
  %3: f32[1, 2, 3] = full() {value = 0.0}
  %4: f32[1, 2, 3] = add(%3, %2)
  output %4
}
)");
}

TEST(RoundTripTest, EmptyGraph) { ExpectCanonical("graph empty {\n}\n"); }

// Names the Graph API makes up (suffixes for taken names, numbers for
// unnamed results) print in a form that parses back to the same names.
TEST(RoundTripTest, GraphBuiltThroughTheApi) {
  Graph graph("built");
  Value* x = graph.AddInput("x", TensorType({Dim::Symbol("T"), 4}));
  Value* x_again = graph.AddParam("x", TensorType({4}));
  Op* sum = graph.AppendOp(graph.body(), OpKind::Add, {x, x_again}, {}, {x->type()});
  graph.AddOutput("sum", sum->result(0));

  std::string printed = PrintGraph(graph);
  EXPECT_EQ(printed, R"(graph built {
  input %x: f32[T, 4]
  param %x_1: f32[4]
  %0: f32[T, 4] = add(%x, %x_1)
  output %sum = %0
}
)");
  EXPECT_EQ(ParseAndPrint(printed), printed);
}

// Beyond the text: the parsed graph links a body's use of an outer weight to
// the weight itself, and gives the scan its arguments and ops.
TEST(RoundTripTest, ParsedScanBodyReferencesOuterValues) {
  absl::StatusOr<Graph> graph = ParseGraph(R"(
graph g {
  input %x: f32[T, N, 4]
  input %h0: f32[N, 4]
  param %w: f32[4, 4]
  %h_T: f32[N, 4] = scan(%h0, %x) {carries = 1, reverse = false} {
    ^(%h: f32[N, 4], %x_t: f32[N, 4]):
    %a: f32[N, 4] = matmul(%x_t, %w) {transpose_b = true}
    yield(%a)
  }
  output %h_T
}
)");
  ASSERT_TRUE(graph.ok()) << graph.status();
  ASSERT_EQ(graph->body().num_ops(), 1u);
  const Op* scan = graph->body().op(0);
  EXPECT_EQ(scan->kind(), OpKind::Scan);
  EXPECT_EQ(scan->operand(0), graph->FindInput("h0"));
  ASSERT_NE(scan->body(), nullptr);
  const Block& body = *scan->body();
  ASSERT_EQ(body.num_arguments(), 2u);
  EXPECT_EQ(body.argument(1)->name(), "x_t");
  EXPECT_EQ(body.argument(1)->origin(), Value::Origin::kBlockArgument);
  ASSERT_EQ(body.num_ops(), 2u);
  EXPECT_EQ(body.op(0)->operand(0), body.argument(1));
  EXPECT_EQ(body.op(0)->operand(1), graph->FindParam("w"));
  EXPECT_EQ(body.op(0)->parent(), &body);
  EXPECT_EQ(body.op(1)->kind(), OpKind::Yield);
  EXPECT_EQ(body.op(1)->num_results(), 0u);
  ASSERT_EQ(graph->outputs().size(), 1u);
  EXPECT_EQ(graph->outputs()[0].value, scan->result(0));
  EXPECT_EQ(scan->attributes().at("carries"), Attribute(int64_t{1}));
  EXPECT_EQ(scan->attributes().at("reverse"), Attribute(false));
  EXPECT_EQ(body.op(0)->attributes().at("transpose_b"), Attribute(true));
}

}  // namespace
}  // namespace rnnc::ir
