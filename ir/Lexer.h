// The lexer of the rnnc IR text form (docs/IR.md): splits text into tokens
// such as `%x`, `f32`, `[`, `16`, `1e-05` and `"forward"`, dropping whitespace
// and `#` comments; and the cursor over those tokens that the parser
// (ir/Parser.cpp) builds on, with its "expected X, found Y" errors.
#ifndef RNNC_IR_LEXER_H
#define RNNC_IR_LEXER_H

#include <string>

#include "absl/functional/function_ref.h"
#include "absl/status/status.h"
#include "absl/strings/string_view.h"

namespace rnnc::ir {

// What the text form can spell, so that every graph the API builds prints
// text that parses back: graph names and dim symbols are identifiers
// ([A-Za-z_][A-Za-z0-9_]*); value and output names are [A-Za-z0-9_.]+;
// strings hold no '"', '\\' or line break.
bool IsIdentifier(absl::string_view text);
bool IsValueName(absl::string_view text);
bool IsPrintableString(absl::string_view text);

enum class TokenKind {
  kEndOfInput,
  // Text that is no token, e.g. `$` or a string without its closing quote.
  // The parser reports Token::error when it meets one.
  kError,
  kIdentifier,  // graph, input, f32, T, hidden_size, lstm, true, ...
  kValueName,   // %x, %gru.weight_ih_l0, %0
  kInteger,     // 16, -1
  kFloat,       // 0.5, -2.0, 1e-05
  kString,      // "forward"
  kLeftBrace,
  kRightBrace,
  kLeftParen,
  kRightParen,
  kLeftBracket,
  kRightBracket,
  kComma,
  kColon,
  kEquals,
  kCaret,
};

// 1-based; columns count bytes.
struct SourceLocation {
  int line = 1;
  int column = 1;

  std::string ToString() const;  // "3:14"
};

struct Token {
  TokenKind kind = TokenKind::kEndOfInput;
  // The token as written, pointing into the lexed text: `%x` with its `%`,
  // `"forward"` with its quotes.
  absl::string_view spelling;
  SourceLocation location;
  // What is wrong, for kError tokens only.
  std::string error;

  bool is(TokenKind k) const { return kind == k; }
  bool IsKeyword(absl::string_view keyword) const {
    return kind == TokenKind::kIdentifier && spelling == keyword;
  }
};

class Lexer {
 public:
  // `text` must outlive the lexer and the tokens it returns.
  explicit Lexer(absl::string_view text) : text_(text) {}

  // The next token; kEndOfInput once the text is used up, and from then on.
  Token Next();

 private:
  char Peek(size_t ahead = 0) const;
  void Advance(size_t count = 1);
  void SkipWhitespaceAndComments();
  Token Make(TokenKind kind, size_t begin, SourceLocation location) const;
  Token MakeError(size_t begin, SourceLocation location, std::string error) const;
  Token LexNumber(size_t begin, SourceLocation location);
  Token LexString(size_t begin, SourceLocation location);
  Token LexValueName(size_t begin, SourceLocation location);

  absl::string_view text_;
  size_t position_ = 0;
  SourceLocation location_;
};

// The token a parser is looking at, how to step past it, and errors that say
// where they are: `<source>:<line>:<col>: <message>`, all InvalidArgument.
class TokenCursor {
 public:
  // Starts at the first token of `text`, which must outlive the cursor.
  TokenCursor(absl::string_view text, absl::string_view source_name);

  const Token& token() const { return token_; }
  void Consume() { token_ = lexer_.Next(); }
  // Consumes the token if it is a `kind`.
  bool ConsumeIf(TokenKind kind);
  // Consumes a `kind`, or fails with Expected(what).
  absl::Status Expect(TokenKind kind, absl::string_view what);

  absl::Status ErrorAt(SourceLocation location, absl::string_view message) const;
  // "expected <what>, found '<token>'" at the current token, or the lexer's
  // complaint if the current token is no token at all.
  absl::Status Expected(absl::string_view what) const;

  // `item (',' item)*` or nothing, then `close`, which is consumed.
  absl::Status ParseList(TokenKind close, absl::string_view close_spelling,
                         absl::FunctionRef<absl::Status()> parse_item);

 private:
  Lexer lexer_;
  Token token_;
  std::string source_name_;
};

}  // namespace rnnc::ir

#endif  // RNNC_IR_LEXER_H
