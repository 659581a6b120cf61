// Prints a graph in the rnnc IR text form; see ir/Printer.h and docs/IR.md.
#include "ir/Printer.h"

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace rnnc::ir {

namespace {

constexpr int kIndentWidth = 2;

// `%x: f32[T, N, 8]`, as results, block arguments and declarations show values.
void AppendTypedValue(std::string* out, const Value* value) {
  absl::StrAppend(out, "%", value->name(), ": ", value->type().ToString());
}

void AppendTypedValues(std::string* out, const std::vector<Value*>& values) {
  absl::StrAppend(out, absl::StrJoin(values, ", ", AppendTypedValue));
}

void AppendBlock(std::string* out, const Block& block, int depth);

// `%r: type, ... = name(%a, ...) {attr = value, ...}`, then the body of a
// scan; ops without results (yield) start at their name.
void AppendOp(std::string* out, const Op& op, int depth) {
  std::string indent(depth * kIndentWidth, ' ');
  absl::StrAppend(out, indent);
  if (op.num_results() > 0) {
    AppendTypedValues(out, op.results());
    absl::StrAppend(out, " = ");
  }
  absl::StrAppend(
      out, op.name(), "(",
      absl::StrJoin(op.operands(), ", ",
                    [](std::string* s, const Value* v) { absl::StrAppend(s, "%", v->name()); }),
      ")");
  if (!op.attributes().empty()) {
    absl::StrAppend(out, " {",
                    absl::StrJoin(op.attributes(), ", ",
                                  [](std::string* s, const auto& attribute) {
                                    absl::StrAppend(s, attribute.first, " = ",
                                                    AttributeToString(attribute.second));
                                  }),
                    "}");
  }
  if (const Block* body = op.body()) {
    std::string body_indent((depth + 1) * kIndentWidth, ' ');
    absl::StrAppend(out, " {\n", body_indent, "^(");
    AppendTypedValues(out, body->arguments());
    absl::StrAppend(out, "):\n");
    AppendBlock(out, *body, depth + 1);
    absl::StrAppend(out, indent, "}");
  }
  absl::StrAppend(out, "\n");
}

void AppendBlock(std::string* out, const Block& block, int depth) {
  for (const auto& op : block.ops()) AppendOp(out, *op, depth);
}

}  // namespace

std::string PrintGraph(const Graph& graph) {
  std::string out = absl::StrCat("graph ", graph.name(), " {\n");
  std::string indent(kIndentWidth, ' ');
  auto append_declarations = [&](absl::string_view keyword, const std::vector<Value*>& values) {
    for (const Value* value : values) {
      absl::StrAppend(&out, indent, keyword, " ");
      AppendTypedValue(&out, value);
      absl::StrAppend(&out, "\n");
    }
  };
  append_declarations("input", graph.inputs());
  append_declarations("param", graph.params());
  AppendBlock(&out, graph.body(), 1);
  for (const GraphOutput& output : graph.outputs()) {
    absl::StrAppend(&out, indent, "output ");
    if (output.name != output.value->name()) absl::StrAppend(&out, "%", output.name, " = ");
    absl::StrAppend(&out, "%", output.value->name(), "\n");
  }
  absl::StrAppend(&out, "}\n");
  return out;
}

}  // namespace rnnc::ir
