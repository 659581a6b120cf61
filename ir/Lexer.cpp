// Splits the rnnc IR text form into tokens, and steps a parser through them;
// see ir/Lexer.h.
#include "ir/Lexer.h"

#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace rnnc::ir {

namespace {

bool IsIdentifierStart(char c) { return absl::ascii_isalpha(c) || c == '_'; }
bool IsIdentifierChar(char c) { return absl::ascii_isalnum(c) || c == '_'; }
// Value names also allow '.', for PyTorch state_dict keys such as
// %lstm.weight_ih_l0, and may start with a digit, for anonymous values (%0).
bool IsValueNameChar(char c) { return IsIdentifierChar(c) || c == '.'; }

}  // namespace

bool IsIdentifier(absl::string_view text) {
  if (text.empty() || !IsIdentifierStart(text[0])) return false;
  for (char c : text) {
    if (!IsIdentifierChar(c)) return false;
  }
  return true;
}

bool IsValueName(absl::string_view text) {
  if (text.empty()) return false;
  for (char c : text) {
    if (!IsValueNameChar(c)) return false;
  }
  return true;
}

bool IsPrintableString(absl::string_view text) {
  return text.find_first_of("\"\\\n\r") == absl::string_view::npos;
}

std::string SourceLocation::ToString() const { return absl::StrFormat("%d:%d", line, column); }

char Lexer::Peek(size_t ahead) const {
  return position_ + ahead < text_.size() ? text_[position_ + ahead] : '\0';
}

void Lexer::Advance(size_t count) {
  for (; count > 0 && position_ < text_.size(); --count) {
    if (text_[position_++] == '\n') {
      ++location_.line;
      location_.column = 1;
    } else {
      ++location_.column;
    }
  }
}

void Lexer::SkipWhitespaceAndComments() {
  while (position_ < text_.size()) {
    char c = Peek();
    if (c == '#') {
      while (position_ < text_.size() && Peek() != '\n') Advance();
    } else if (absl::ascii_isspace(c)) {
      Advance();
    } else {
      return;
    }
  }
}

Token Lexer::Make(TokenKind kind, size_t begin, SourceLocation location) const {
  return Token{kind, text_.substr(begin, position_ - begin), location, ""};
}

Token Lexer::MakeError(size_t begin, SourceLocation location, std::string error) const {
  Token token = Make(TokenKind::kError, begin, location);
  token.error = std::move(error);
  return token;
}

Token Lexer::Next() {
  SkipWhitespaceAndComments();
  size_t begin = position_;
  SourceLocation location = location_;
  if (position_ >= text_.size()) return Make(TokenKind::kEndOfInput, begin, location);

  char c = Peek();
  if (IsIdentifierStart(c)) {
    while (IsIdentifierChar(Peek())) Advance();
    return Make(TokenKind::kIdentifier, begin, location);
  }
  if (absl::ascii_isdigit(c) || (c == '-' && absl::ascii_isdigit(Peek(1)))) {
    return LexNumber(begin, location);
  }
  if (c == '"') return LexString(begin, location);
  if (c == '%') return LexValueName(begin, location);

  TokenKind kind;
  switch (c) {
    case '{': kind = TokenKind::kLeftBrace; break;
    case '}': kind = TokenKind::kRightBrace; break;
    case '(': kind = TokenKind::kLeftParen; break;
    case ')': kind = TokenKind::kRightParen; break;
    case '[': kind = TokenKind::kLeftBracket; break;
    case ']': kind = TokenKind::kRightBracket; break;
    case ',': kind = TokenKind::kComma; break;
    case ':': kind = TokenKind::kColon; break;
    case '=': kind = TokenKind::kEquals; break;
    case '^': kind = TokenKind::kCaret; break;
    default:
      Advance();
      return MakeError(
          begin, location,
          absl::StrCat("unexpected character '", absl::CHexEscape(std::string(1, c)), "'"));
  }
  Advance();
  return Make(kind, begin, location);
}

// -?[0-9]+ is an integer; a fraction (.[0-9]*) or an exponent (e[+-]?[0-9]+)
// makes it a float, which is how AttributeToString tells the two apart.
Token Lexer::LexNumber(size_t begin, SourceLocation location) {
  bool is_float = false;
  if (Peek() == '-') Advance();
  while (absl::ascii_isdigit(Peek())) Advance();
  if (Peek() == '.') {
    is_float = true;
    Advance();
    while (absl::ascii_isdigit(Peek())) Advance();
  }
  if (Peek() == 'e' || Peek() == 'E') {
    size_t sign = (Peek(1) == '+' || Peek(1) == '-') ? 1 : 0;
    if (absl::ascii_isdigit(Peek(1 + sign))) {
      is_float = true;
      Advance(1 + sign);
      while (absl::ascii_isdigit(Peek())) Advance();
    }
  }
  return Make(is_float ? TokenKind::kFloat : TokenKind::kInteger, begin, location);
}

Token Lexer::LexString(size_t begin, SourceLocation location) {
  Advance();  // the opening quote
  while (position_ < text_.size() && Peek() != '"' && Peek() != '\n') Advance();
  if (Peek() != '"') {
    return MakeError(begin, location,
                     "unterminated string: a string ends with '\"' on the line it starts");
  }
  Advance();
  return Make(TokenKind::kString, begin, location);
}

Token Lexer::LexValueName(size_t begin, SourceLocation location) {
  Advance();  // the '%'
  if (!IsValueNameChar(Peek())) {
    return MakeError(begin, location,
                     "expected a value name after '%': letters, digits, '_' or '.'");
  }
  while (IsValueNameChar(Peek())) Advance();
  return Make(TokenKind::kValueName, begin, location);
}

TokenCursor::TokenCursor(absl::string_view text, absl::string_view source_name)
    : lexer_(text), source_name_(source_name) {
  Consume();
}

bool TokenCursor::ConsumeIf(TokenKind kind) {
  if (!token_.is(kind)) return false;
  Consume();
  return true;
}

absl::Status TokenCursor::Expect(TokenKind kind, absl::string_view what) {
  if (ConsumeIf(kind)) return absl::OkStatus();
  return Expected(what);
}

absl::Status TokenCursor::ErrorAt(SourceLocation location, absl::string_view message) const {
  return absl::InvalidArgumentError(
      absl::StrCat(source_name_, ":", location.ToString(), ": ", message));
}

absl::Status TokenCursor::Expected(absl::string_view what) const {
  if (token_.is(TokenKind::kError)) return ErrorAt(token_.location, token_.error);
  std::string found =
      token_.is(TokenKind::kEndOfInput) ? "end of input" : absl::StrCat("'", token_.spelling, "'");
  return ErrorAt(token_.location, absl::StrCat("expected ", what, ", found ", found));
}

absl::Status TokenCursor::ParseList(TokenKind close, absl::string_view close_spelling,
                                    absl::FunctionRef<absl::Status()> parse_item) {
  if (ConsumeIf(close)) return absl::OkStatus();
  while (true) {
    if (absl::Status item = parse_item(); !item.ok()) return item;
    if (ConsumeIf(close)) return absl::OkStatus();
    if (absl::Status comma = Expect(TokenKind::kComma, absl::StrCat("',' or ", close_spelling));
        !comma.ok()) {
      return comma;
    }
  }
}

}  // namespace rnnc::ir
