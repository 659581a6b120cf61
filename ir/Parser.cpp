// A recursive-descent parser for the rnnc IR text form; see ir/Parser.h.
//
//   graph       ::= 'graph' identifier '{' item* '}'
//   item        ::= ('input' | 'param') typed-value
//                 | 'output' value-name ('=' value-name)?
//                 | op
//   op          ::= (typed-value (',' typed-value)* '=')? identifier
//                   '(' value-names ')' attributes? body?
//   typed-value ::= value-name ':' type
//   type        ::= 'f32' '[' (dim (',' dim)*)? ']'
//   attributes  ::= '{' (identifier '=' attribute (',' ...)*)? '}'
//   body        ::= '{' '^' '(' typed-values ')' ':' op* '}'
#include "ir/Parser.h"

#include <cmath>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "ir/Lexer.h"

namespace rnnc::ir {

namespace {

constexpr const char* kOpNames[] = {
#define RNNC_OP(Kind, name, summary) name,
#include "ir/Ops.def"
};

// `%x: f32[T, N, 8]` before it becomes a value.
struct TypedName {
  std::string name;
  TensorType type;
};

class Parser : public TokenCursor {
 public:
  using TokenCursor::TokenCursor;

  absl::StatusOr<Graph> Parse();

 private:
  // Items of a block.
  absl::Status ParseBlockItems(Block& block, SourceLocation open_brace);
  absl::Status ParseItem(Block& block);
  absl::Status ParseDeclaration();
  absl::Status ParseOutput();
  absl::Status ParseOp(Block& block);
  absl::Status ParseBody(Block& body, SourceLocation open_brace);

  // Pieces of an item.
  absl::StatusOr<TypedName> ParseTypedName();
  absl::StatusOr<TensorType> ParseType();
  absl::StatusOr<int64_t> ParseInteger(absl::string_view what);
  absl::Status ParseAttributes(AttributeMap& attributes);
  absl::StatusOr<Attribute> ParseAttributeValue();

  // Names. A name is recorded in definitions_ where it is written, so that a
  // second definition is caught there, and enters the innermost scope once
  // its value exists and is usable: a scan's results only after its body.
  absl::StatusOr<std::string> ParseNewValueName();
  absl::StatusOr<Value*> Resolve(const Token& use) const;
  absl::StatusOr<Value*> ParseValueUse();
  void Define(Value* value) { scopes_.back()[value->name()] = value; }

  Graph graph_;
  // The graph's block, then one per scan body being parsed.
  std::vector<absl::flat_hash_map<std::string, Value*>> scopes_;
  absl::flat_hash_map<std::string, SourceLocation> definitions_;
};

absl::StatusOr<Graph> Parser::Parse() {
  if (!token().IsKeyword("graph")) return Expected("'graph'");
  Consume();
  if (!token().is(TokenKind::kIdentifier)) return Expected("the graph's name");
  graph_.set_name(std::string(token().spelling));
  Consume();
  SourceLocation open_brace = token().location;
  if (absl::Status brace = Expect(TokenKind::kLeftBrace, "'{' after the graph's name");
      !brace.ok()) {
    return brace;
  }
  scopes_.emplace_back();
  if (absl::Status items = ParseBlockItems(graph_.body(), open_brace); !items.ok()) return items;
  if (!token().is(TokenKind::kEndOfInput)) {
    return Expected("end of input after the graph's closing '}'");
  }
  return std::move(graph_);
}

absl::Status Parser::ParseBlockItems(Block& block, SourceLocation open_brace) {
  while (!ConsumeIf(TokenKind::kRightBrace)) {
    if (token().is(TokenKind::kEndOfInput)) {
      return Expected(absl::StrCat("'}' to close the '{' at ", open_brace.ToString()));
    }
    if (absl::Status item = ParseItem(block); !item.ok()) return item;
  }
  return absl::OkStatus();
}

absl::Status Parser::ParseItem(Block& block) {
  bool is_declaration = token().IsKeyword("input") || token().IsKeyword("param");
  if (is_declaration || token().IsKeyword("output")) {
    if (block.parent_op() != nullptr) {
      return ErrorAt(token().location,
                     absl::StrCat("'", token().spelling,
                                  "' belongs at the top level of the graph, not in a scan body"));
    }
    return is_declaration ? ParseDeclaration() : ParseOutput();
  }
  if (token().is(TokenKind::kValueName) || token().is(TokenKind::kIdentifier)) {
    return ParseOp(block);
  }
  return Expected("an op, 'input', 'param', 'output' or '}'");
}

absl::Status Parser::ParseDeclaration() {
  bool is_input = token().IsKeyword("input");
  Consume();
  absl::StatusOr<TypedName> declared = ParseTypedName();
  if (!declared.ok()) return declared.status();
  Define(is_input ? graph_.AddInput(declared->name, std::move(declared->type))
                  : graph_.AddParam(declared->name, std::move(declared->type)));
  return absl::OkStatus();
}

// `output %v` names the output after the value; `output %name = %v` does not.
absl::Status Parser::ParseOutput() {
  Consume();
  if (!token().is(TokenKind::kValueName)) return Expected("an output: %value or %name = %value");
  Token first = token();
  Consume();
  absl::StatusOr<Value*> value = ConsumeIf(TokenKind::kEquals) ? ParseValueUse() : Resolve(first);
  if (!value.ok()) return value.status();
  std::string name(first.spelling.substr(1));
  for (const GraphOutput& output : graph_.outputs()) {
    if (output.name == name) {
      return ErrorAt(first.location, absl::StrCat("duplicate output %", name));
    }
  }
  graph_.AddOutput(name, *value);
  return absl::OkStatus();
}

absl::Status Parser::ParseOp(Block& block) {
  std::vector<std::string> result_names;
  std::vector<TensorType> result_types;
  if (token().is(TokenKind::kValueName)) {
    do {
      absl::StatusOr<TypedName> result = ParseTypedName();
      if (!result.ok()) return result.status();
      result_names.push_back(std::move(result->name));
      result_types.push_back(std::move(result->type));
    } while (ConsumeIf(TokenKind::kComma));
    if (absl::Status equals = Expect(TokenKind::kEquals, "'=' after the results of an op");
        !equals.ok()) {
      return equals;
    }
  }

  if (!token().is(TokenKind::kIdentifier)) return Expected("an op name");
  absl::string_view spelling = token().spelling;
  std::optional<OpKind> kind = OpKindFromName(std::string_view(spelling.data(), spelling.size()));
  if (!kind) {
    return ErrorAt(token().location,
                   absl::StrCat("unknown op '", token().spelling, "'; the ops are ",
                                absl::StrJoin(kOpNames, ", ")));
  }
  std::string op_name(token().spelling);
  Consume();

  std::vector<Value*> operands;
  if (absl::Status open = Expect(TokenKind::kLeftParen, "'(' before the operands"); !open.ok()) {
    return open;
  }
  absl::Status operands_parsed = ParseList(TokenKind::kRightParen, "')'", [&]() -> absl::Status {
    absl::StatusOr<Value*> operand = ParseValueUse();
    if (!operand.ok()) return operand.status();
    operands.push_back(*operand);
    return absl::OkStatus();
  });
  if (!operands_parsed.ok()) return operands_parsed;

  // Attributes and a body both open with '{'; a body's first token is '^'.
  AttributeMap attributes;
  bool has_body = false;
  SourceLocation open_brace = token().location;
  if (ConsumeIf(TokenKind::kLeftBrace)) {
    has_body = token().is(TokenKind::kCaret);
    if (!has_body) {
      if (absl::Status parsed = ParseAttributes(attributes); !parsed.ok()) return parsed;
      open_brace = token().location;
      has_body = ConsumeIf(TokenKind::kLeftBrace);
    }
  }
  if (*kind == OpKind::Scan && !has_body) {
    return Expected("'{' to begin the body of the scan");
  }
  if (*kind != OpKind::Scan && has_body) {
    return ErrorAt(open_brace, absl::StrCat("only a scan has a body; '", op_name, "' does not"));
  }

  std::unique_ptr<Op> op = graph_.CreateOp(*kind, std::move(operands), std::move(attributes),
                                           result_types, result_names);
  if (has_body) {
    if (absl::Status body = ParseBody(*op->body(), open_brace); !body.ok()) return body;
  }
  Op* inserted = block.InsertOp(block.num_ops(), std::move(op));
  for (Value* result : inserted->results()) Define(result);
  return absl::OkStatus();
}

// After the body's '{': `^(%carry: type, %slice: type):`, ops, '}'.
absl::Status Parser::ParseBody(Block& body, SourceLocation open_brace) {
  if (absl::Status caret = Expect(TokenKind::kCaret, "'^(' to begin the scan body's arguments");
      !caret.ok()) {
    return caret;
  }
  if (absl::Status open = Expect(TokenKind::kLeftParen, "'(' after '^'"); !open.ok()) return open;
  scopes_.emplace_back();
  absl::Status arguments = ParseList(TokenKind::kRightParen, "')'", [&]() -> absl::Status {
    absl::StatusOr<TypedName> argument = ParseTypedName();
    if (!argument.ok()) return argument.status();
    Define(graph_.AddBlockArgument(body, argument->name, std::move(argument->type)));
    return absl::OkStatus();
  });
  if (!arguments.ok()) return arguments;
  if (absl::Status colon = Expect(TokenKind::kColon, "':' after the scan body's arguments");
      !colon.ok()) {
    return colon;
  }
  if (absl::Status items = ParseBlockItems(body, open_brace); !items.ok()) return items;
  scopes_.pop_back();
  return absl::OkStatus();
}

absl::StatusOr<TypedName> Parser::ParseTypedName() {
  absl::StatusOr<std::string> name = ParseNewValueName();
  if (!name.ok()) return name.status();
  if (absl::Status colon = Expect(TokenKind::kColon, absl::StrCat("':' and a type after %", *name));
      !colon.ok()) {
    return colon;
  }
  absl::StatusOr<TensorType> type = ParseType();
  if (!type.ok()) return type.status();
  return TypedName{*std::move(name), *std::move(type)};
}

// `f32[T, N, 8]`; `f32[]` is a scalar.
absl::StatusOr<TensorType> Parser::ParseType() {
  if (!token().IsKeyword("f32")) return Expected("a type such as f32[T, N, 8]");
  Consume();
  if (absl::Status open = Expect(TokenKind::kLeftBracket, "'[' after f32"); !open.ok()) {
    return open;
  }
  std::vector<Dim> dims;
  absl::Status parsed = ParseList(TokenKind::kRightBracket, "']'", [&]() -> absl::Status {
    if (token().is(TokenKind::kIdentifier)) {
      dims.push_back(Dim::Symbol(std::string(token().spelling)));
      Consume();
      return absl::OkStatus();
    }
    SourceLocation location = token().location;
    absl::StatusOr<int64_t> size = ParseInteger("a dim: a size such as 8 or a symbol such as T");
    if (!size.ok()) return size.status();
    if (*size < 0) return ErrorAt(location, absl::StrCat("dim size ", *size, " is negative"));
    dims.push_back(*size);
    return absl::OkStatus();
  });
  if (!parsed.ok()) return parsed;
  return TensorType(std::move(dims));
}

absl::StatusOr<int64_t> Parser::ParseInteger(absl::string_view what) {
  if (!token().is(TokenKind::kInteger)) return Expected(what);
  int64_t value;
  if (!absl::SimpleAtoi(token().spelling, &value)) {
    return ErrorAt(token().location,
                   absl::StrCat("integer ", token().spelling, " does not fit in 64 bits"));
  }
  Consume();
  return value;
}

// After the '{': `name = value, ...}`.
absl::Status Parser::ParseAttributes(AttributeMap& attributes) {
  return ParseList(TokenKind::kRightBrace, "'}'", [&]() -> absl::Status {
    if (!token().is(TokenKind::kIdentifier)) return Expected("an attribute name");
    std::string name(token().spelling);
    SourceLocation location = token().location;
    Consume();
    if (absl::Status equals =
            Expect(TokenKind::kEquals, absl::StrCat("'=' after attribute '", name, "'"));
        !equals.ok()) {
      return equals;
    }
    absl::StatusOr<Attribute> value = ParseAttributeValue();
    if (!value.ok()) return value.status();
    if (!attributes.emplace(name, *std::move(value)).second) {
      return ErrorAt(location, absl::StrCat("duplicate attribute '", name, "'"));
    }
    return absl::OkStatus();
  });
}

absl::StatusOr<Attribute> Parser::ParseAttributeValue() {
  if (token().IsKeyword("true") || token().IsKeyword("false")) {
    bool value = token().spelling == "true";
    Consume();
    return value;
  }
  if (token().is(TokenKind::kInteger)) return ParseInteger("an integer");
  if (token().is(TokenKind::kFloat)) {
    double value;
    // SimpleAtod reads 1e999 as inf, which would not print back as a number.
    if (!absl::SimpleAtod(token().spelling, &value) || !std::isfinite(value)) {
      return ErrorAt(token().location,
                     absl::StrCat("float ", token().spelling, " is out of range for a double"));
    }
    Consume();
    return value;
  }
  if (token().is(TokenKind::kString)) {
    std::string value(token().spelling.substr(1, token().spelling.size() - 2));
    Consume();
    return value;
  }
  if (ConsumeIf(TokenKind::kLeftBracket)) {
    std::vector<int64_t> values;
    absl::Status parsed = ParseList(TokenKind::kRightBracket, "']'", [&]() -> absl::Status {
      absl::StatusOr<int64_t> value = ParseInteger("an integer: lists hold integers only");
      if (!value.ok()) return value.status();
      values.push_back(*value);
      return absl::OkStatus();
    });
    if (!parsed.ok()) return parsed;
    return values;
  }
  return Expected(
      "an attribute value: true, false, an integer, a float, a string or a list of integers");
}

absl::StatusOr<std::string> Parser::ParseNewValueName() {
  if (!token().is(TokenKind::kValueName)) return Expected("a value name such as %x");
  std::string name(token().spelling.substr(1));
  auto [previous, inserted] = definitions_.try_emplace(name, token().location);
  if (!inserted) {
    return ErrorAt(token().location, absl::StrCat("redefinition of %", name, " (first defined at ",
                                                  previous->second.ToString(),
                                                  "); value names are unique across the graph"));
  }
  Consume();
  return name;
}

absl::StatusOr<Value*> Parser::Resolve(const Token& use) const {
  std::string name(use.spelling.substr(1));
  for (auto scope = scopes_.rbegin(); scope != scopes_.rend(); ++scope) {
    if (auto it = scope->find(name); it != scope->end()) return it->second;
  }
  if (auto it = definitions_.find(name); it != definitions_.end()) {
    return ErrorAt(use.location,
                   absl::StrCat("%", name, " (defined at ", it->second.ToString(),
                                ") is not visible here: a scan body's values are visible only "
                                "inside it, and an op's results only after the op"));
  }
  return ErrorAt(use.location, absl::StrCat("use of undefined value %", name));
}

absl::StatusOr<Value*> Parser::ParseValueUse() {
  if (!token().is(TokenKind::kValueName)) return Expected("a value such as %x");
  absl::StatusOr<Value*> value = Resolve(token());
  if (value.ok()) Consume();
  return value;
}

}  // namespace

// absl::string_view is its own type in this build of Abseil, not an alias of
// std::string_view, so the public std::string_views are converted once here.
absl::StatusOr<Graph> ParseGraph(std::string_view text, std::string_view source_name) {
  return Parser(absl::string_view(text.data(), text.size()),
                absl::string_view(source_name.data(), source_name.size()))
      .Parse();
}

}  // namespace rnnc::ir
