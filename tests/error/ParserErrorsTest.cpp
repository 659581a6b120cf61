// Malformed IR text: every class of mistake has a test that checks the
// message says where (source:line:col) and what is wrong. The last tests are
// the crash net: every prefix of a valid text, and the text with any one
// character deleted, parses or fails cleanly.
#include <string>
#include <string_view>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ir/Parser.h"
#include "ir/Printer.h"

namespace rnnc::ir {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::StartsWith;

// The message of the error that parsing `text` must give.
std::string ParseError(std::string_view text) {
  absl::StatusOr<Graph> graph = ParseGraph(text, "test.rnnc");
  if (graph.ok()) {
    ADD_FAILURE() << "parsed, but should not have:\n" << text;
    return "";
  }
  EXPECT_EQ(graph.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(graph.status().message());
}

TEST(ParserErrorsTest, MissingEquals) {
  EXPECT_THAT(ParseError(R"(graph g {
  input %x: f32[T]
  %y: f32[T] tanh(%x)
})"),
              HasSubstr("test.rnnc:3:14: expected '=' after the results of an op, found 'tanh'"));
}

TEST(ParserErrorsTest, MissingEqualsAfterAttributeName) {
  EXPECT_THAT(ParseError(R"(graph g {
  input %x: f32[T, 4]
  %y: f32[T, 4] = softmax(%x) {axis -1}
})"),
              HasSubstr("test.rnnc:3:37: expected '=' after attribute 'axis', found '-1'"));
}

TEST(ParserErrorsTest, UnknownOpListsTheOps) {
  EXPECT_THAT(ParseError(R"(graph g {
  input %x: f32[T]
  %y: f32[T] = tanhh(%x)
})"),
              AllOf(HasSubstr("test.rnnc:3:16: unknown op 'tanhh'"), HasSubstr("rnn, lstm, gru"),
                    HasSubstr("scan, yield")));
}

TEST(ParserErrorsTest, UndefinedValue) {
  EXPECT_THAT(ParseError(R"(graph g {
  input %x: f32[T]
  %y: f32[T] = add(%x, %z)
})"),
              HasSubstr("test.rnnc:3:24: use of undefined value %z"));
}

TEST(ParserErrorsTest, UseBeforeDefinition) {
  EXPECT_THAT(ParseError(R"(graph g {
  input %x: f32[T]
  %y: f32[T] = tanh(%z)
  %z: f32[T] = tanh(%x)
})"),
              HasSubstr("test.rnnc:3:21: use of undefined value %z"));
}

TEST(ParserErrorsTest, OpUsesItsOwnResult) {
  EXPECT_THAT(ParseError(R"(graph g {
  %y: f32[T] = tanh(%y)
})"),
              HasSubstr("test.rnnc:2:21: %y (defined at 2:3) is not visible here"));
}

TEST(ParserErrorsTest, ScanBodyValueUsedOutsideTheBody) {
  EXPECT_THAT(ParseError(R"(graph g {
  input %x: f32[T, 4]
  %ys: f32[T, 4] = scan(%x) {carries = 0} {
    ^(%x_t: f32[4]):
    %y_t: f32[4] = relu(%x_t)
    yield(%y_t)
  }
  output %y_t
})"),
              HasSubstr("test.rnnc:8:10: %y_t (defined at 5:5) is not visible here"));
}

TEST(ParserErrorsTest, Redefinition) {
  EXPECT_THAT(ParseError(R"(graph g {
  input %x: f32[T]
  %x: f32[T] = tanh(%x)
})"),
              HasSubstr("test.rnnc:3:3: redefinition of %x (first defined at 2:9)"));
}

// Names are unique across the graph, so a body may not shadow an outer value.
TEST(ParserErrorsTest, RedefinitionInScanBody) {
  EXPECT_THAT(ParseError(R"(graph g {
  input %x: f32[T, 4]
  %ys: f32[T, 4] = scan(%x) {carries = 0} {
    ^(%x: f32[4]):
    yield(%x)
  }
})"),
              HasSubstr("test.rnnc:4:7: redefinition of %x (first defined at 2:9)"));
}

TEST(ParserErrorsTest, UnfinishedType) {
  EXPECT_THAT(ParseError("graph g {\n  input %x: f32[T,"),
              HasSubstr("test.rnnc:2:19: expected a dim: a size such as 8 or a symbol such as T, "
                        "found end of input"));
}

TEST(ParserErrorsTest, TypeMissingComma) {
  EXPECT_THAT(ParseError("graph g {\n  input %x: f32[T N]\n}"),
              HasSubstr("test.rnnc:2:19: expected ',' or ']', found 'N'"));
}

TEST(ParserErrorsTest, NotF32) {
  EXPECT_THAT(ParseError("graph g {\n  input %x: i32[T]\n}"),
              HasSubstr("test.rnnc:2:13: expected a type such as f32[T, N, 8], found 'i32'"));
}

TEST(ParserErrorsTest, NegativeDim) {
  EXPECT_THAT(ParseError("graph g {\n  input %x: f32[T, -4]\n}"),
              HasSubstr("test.rnnc:2:20: dim size -4 is negative"));
}

TEST(ParserErrorsTest, UnterminatedString) {
  EXPECT_THAT(ParseError(R"(graph g {
  input %x: f32[T, N, 4]
  %y: f32[T, N, 4] = rnn(%x) {direction = "forward}
})"),
              HasSubstr("test.rnnc:3:43: unterminated string"));
}

TEST(ParserErrorsTest, BadAttributeValue) {
  EXPECT_THAT(ParseError(R"(graph g {
  input %x: f32[T, 4]
  %y: f32[T, 4] = softmax(%x) {axis = last}
})"),
              HasSubstr("test.rnnc:3:39: expected an attribute value: true, false, an integer, "
                        "a float, a string or a list of integers, found 'last'"));
}

TEST(ParserErrorsTest, ListOfFloats) {
  EXPECT_THAT(ParseError(R"(graph g {
  input %x: f32[T, 4]
  %y: f32[4, T] = transpose(%x) {perm = [1.0, 0]}
})"),
              HasSubstr("test.rnnc:3:42: expected an integer: lists hold integers only, "
                        "found '1.0'"));
}

TEST(ParserErrorsTest, DuplicateAttribute) {
  EXPECT_THAT(ParseError(R"(graph g {
  input %x: f32[T, 4]
  %y: f32[T, 4] = softmax(%x) {axis = 1, axis = 0}
})"),
              HasSubstr("test.rnnc:3:42: duplicate attribute 'axis'"));
}

TEST(ParserErrorsTest, IntegerOutOfRange) {
  EXPECT_THAT(ParseError("graph g {\n  input %x: f32[99999999999999999999]\n}"),
              HasSubstr("test.rnnc:2:17: integer 99999999999999999999 does not fit in 64 bits"));
}

TEST(ParserErrorsTest, FloatOutOfRange) {
  EXPECT_THAT(ParseError("graph g {\n  %c: f32[] = full() {value = -1e999}\n}"),
              HasSubstr("test.rnnc:2:31: float -1e999 is out of range for a double"));
}

TEST(ParserErrorsTest, MissingClosingBraceAtEndOfInput) {
  EXPECT_THAT(ParseError("graph g {\n  input %x: f32[T]\n  output %x\n"),
              HasSubstr("test.rnnc:4:1: expected '}' to close the '{' at 1:9, found end of input"));
}

// The message names the innermost block left open.
TEST(ParserErrorsTest, MissingClosingBraceOfScanBody) {
  EXPECT_THAT(
      ParseError(R"(graph g {
  input %x: f32[T, 4]
  %ys: f32[T, 4] = scan(%x) {carries = 0} {
    ^(%x_t: f32[4]):
    yield(%x_t)
)"),
      HasSubstr("test.rnnc:6:1: expected '}' to close the '{' at 3:43, found end of input"));
}

TEST(ParserErrorsTest, TokenAfterTheGraph) {
  EXPECT_THAT(ParseError("graph g {\n}\n}"),
              HasSubstr("test.rnnc:3:1: expected end of input after the graph's closing '}', "
                        "found '}'"));
}

TEST(ParserErrorsTest, EmptyInput) {
  EXPECT_THAT(ParseError(""), HasSubstr("test.rnnc:1:1: expected 'graph', found end of input"));
  EXPECT_THAT(ParseError("  # only a comment\n"),
              HasSubstr("test.rnnc:2:1: expected 'graph', found end of input"));
}

TEST(ParserErrorsTest, BadCharacter) {
  EXPECT_THAT(ParseError("graph g {\n  input %x: f32[$T]\n}"),
              HasSubstr("test.rnnc:2:17: unexpected character '$'"));
  EXPECT_THAT(ParseError("graph g {\n  input %x: f32[T]\x01\n}"),
              HasSubstr("test.rnnc:2:19: unexpected character '\\x01'"));
}

TEST(ParserErrorsTest, PercentWithoutName) {
  EXPECT_THAT(ParseError("graph g {\n  input % x: f32[T]\n}"),
              HasSubstr("test.rnnc:2:9: expected a value name after '%'"));
}

TEST(ParserErrorsTest, ScanWithoutBody) {
  EXPECT_THAT(ParseError(R"(graph g {
  input %x: f32[T, 4]
  %ys: f32[T, 4] = scan(%x) {carries = 0}
})"),
              HasSubstr("test.rnnc:4:1: expected '{' to begin the body of the scan, found '}'"));
}

TEST(ParserErrorsTest, BodyOnAnOpThatIsNotAScan) {
  EXPECT_THAT(ParseError(R"(graph g {
  input %x: f32[4]
  %y: f32[4] = relu(%x) {
    ^():
  }
})"),
              HasSubstr("test.rnnc:3:25: only a scan has a body; 'relu' does not"));
}

TEST(ParserErrorsTest, DeclarationInsideScanBody) {
  EXPECT_THAT(ParseError(R"(graph g {
  input %x: f32[T, 4]
  %ys: f32[T, 4] = scan(%x) {carries = 0} {
    ^(%x_t: f32[4]):
    param %w: f32[4]
    yield(%x_t)
  }
})"),
              HasSubstr("test.rnnc:5:5: 'param' belongs at the top level of the graph"));
}

TEST(ParserErrorsTest, DuplicateOutput) {
  EXPECT_THAT(ParseError(R"(graph g {
  input %x: f32[4]
  output %y = %x
  output %y = %x
})"),
              HasSubstr("test.rnnc:4:10: duplicate output %y"));
}

TEST(ParserErrorsTest, DefaultSourceName) {
  absl::StatusOr<Graph> graph = ParseGraph("graf g {}");
  ASSERT_FALSE(graph.ok());
  EXPECT_THAT(std::string(graph.status().message()),
              StartsWith("<input>:1:1: expected 'graph', found 'graf'"));
}

// A text with a nested scan, outer weights, every attribute kind and comments.
constexpr std::string_view kValidText = R"(# crash net
graph net {
  input %x: f32[T, K, N, 4]
  input %h0: f32[N, 4]
  param %w: f32[4, 4]
  param %gru.weight_ih_l0: f32[6, 4]
  param %gru.weight_hh_l0: f32[6, 2]
  param %gru.bias_ih_l0: f32[6]
  param %gru.bias_hh_l0: f32[6]
  %h_T: f32[N, 4], %hs: f32[T, N, 4] = scan(%h0, %x) {carries = 1, reverse = false} {
    ^(%h: f32[N, 4], %x_t: f32[K, N, 4]):
    %g_K: f32[N, 4] = scan(%h, %x_t) {carries = 1, reverse = true} {
      ^(%g: f32[N, 4], %x_tk: f32[N, 4]):
      %p: f32[N, 4] = matmul(%x_tk, %w) {transpose_b = true}
      %q: f32[N, 4] = mul(%p, %h)
      yield(%q)
    }
    yield(%g_K, %g_K)
  }
  %a: f32[N, 2], %b: f32[N, 2] = split(%h_T) {axis = -1, sizes = [2, 2]}
  %c: f32[T, N, 4] = full() {value = 1e-05}
  %seq: f32[T, N, 2], %h_n: f32[1, N, 2] = gru(%hs, %gru.weight_ih_l0, %gru.weight_hh_l0, %gru.bias_ih_l0, %gru.bias_hh_l0) {direction = "forward", hidden_size = 2, num_layers = 1, reset = "after"}
  %s: f32[] = full() {value = 2.5}
  %st: f32[] = transpose(%s) {perm = []}
  output %seq
  output %last = %a
  output %st
}
)";

// Whatever `text` is, parsing returns a graph or an InvalidArgument error
// with a location, and a graph it returns prints as text that parses back to
// the same printout.
void ExpectParsesOrFailsCleanly(std::string_view text) {
  absl::StatusOr<Graph> graph = ParseGraph(text, "net.rnnc");
  if (!graph.ok()) {
    EXPECT_EQ(graph.status().code(), absl::StatusCode::kInvalidArgument) << text;
    EXPECT_THAT(std::string(graph.status().message()), StartsWith("net.rnnc:")) << text;
    return;
  }
  std::string printed = PrintGraph(*graph);
  absl::StatusOr<Graph> reparsed = ParseGraph(printed);
  ASSERT_TRUE(reparsed.ok()) << reparsed.status() << "\n" << printed;
  EXPECT_EQ(PrintGraph(*reparsed), printed);
}

TEST(ParserErrorsTest, EveryPrefixParsesOrFailsCleanly) {
  ASSERT_TRUE(ParseGraph(kValidText).ok());
  for (size_t length = 0; length <= kValidText.size(); ++length) {
    // A copy, so that reading past the prefix is a bug the sanitizers see.
    ExpectParsesOrFailsCleanly(std::string(kValidText.substr(0, length)));
  }
}

TEST(ParserErrorsTest, EverySingleDeletionParsesOrFailsCleanly) {
  for (size_t i = 0; i < kValidText.size(); ++i) {
    std::string text(kValidText);
    text.erase(i, 1);
    ExpectParsesOrFailsCleanly(text);
  }
}

}  // namespace
}  // namespace rnnc::ir
