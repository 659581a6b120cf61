#include "ir/DotPrinter.h"

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"

namespace rnnc::ir {

namespace {

bool IsLayerOp(OpKind kind) {
  return kind == OpKind::Rnn || kind == OpKind::Lstm || kind == OpKind::Gru ||
         kind == OpKind::Dense || kind == OpKind::BatchNorm;
}

// Quotes only: labels use Graphviz's own \n line breaks, and the verifier
// keeps backslashes out of names and strings.
std::string Escape(const std::string& text) { return absl::StrReplaceAll(text, {{"\"", "\\\""}}); }

class DotPrinter {
 public:
  explicit DotPrinter(const Graph& graph) : graph_(graph) {}

  std::string Print() {
    absl::StrAppend(&out_, "digraph \"", Escape(graph_.name()), "\" {\n",
                    "  rankdir=TB;\n  node [fontname=\"Helvetica\", fontsize=11];\n",
                    "  edge [fontname=\"Helvetica\", fontsize=9, color=\"#555555\"];\n");
    for (const Value* input : graph_.inputs()) {
      Node(input, absl::StrCat(input->name(), "\\n", input->type().ToString()),
           "shape=ellipse, style=filled, fillcolor=\"#d8ecff\"", 1);
    }
    for (const Value* param : graph_.params()) {
      Node(param, param->name(),
           "shape=box, style=\"rounded,filled\", fillcolor=\"#eeeeee\", fontsize=8, "
           "fontcolor=\"#666666\"",
           1);
    }
    PrintBlock(graph_.body(), 1);
    for (const GraphOutput& output : graph_.outputs()) {
      const std::string id = absl::StrCat("output_", output.name);
      absl::StrAppend(&out_, "  \"", Escape(id), "\" [label=\"", Escape(output.name),
                      "\", shape=ellipse, style=filled, fillcolor=\"#d9f2d9\"];\n");
      Edge(output.value, id);
    }
    // Edges go last, outside every cluster: Graphviz puts both ends of an
    // edge into the cluster that declares it.
    absl::StrAppend(&out_, edges_, "}\n");
    return out_;
  }

 private:
  // Returns the node of the block's yield, if it has one.
  std::string PrintBlock(const Block& block, int depth) {
    std::string yield;
    for (const auto& op : block.ops()) {
      if (op->kind() == OpKind::Yield) {
        yield = absl::StrCat("op", ids_++);
        Indent(depth);
        absl::StrAppend(&out_, "\"", yield, "\" [label=\"yield\", shape=box, style=dashed];\n");
        for (const Value* operand : op->operands()) Edge(operand, yield);
        continue;
      }
      if (op->body()) {
        PrintScan(*op, depth);
        continue;
      }
      const std::string id = absl::StrCat("op", ids_++);
      std::string label = op->name();
      if (IsLayerOp(op->kind()) && !op->attributes().empty()) {
        std::vector<std::string> attributes;
        for (const auto& [name, value] : op->attributes()) {
          attributes.push_back(absl::StrCat(name, "=", AttributeToString(value)));
        }
        absl::StrAppend(&label, "\\n", absl::StrJoin(attributes, "\\n"));
      }
      Indent(depth);
      absl::StrAppend(&out_, "\"", id, "\" [label=\"", Escape(label), "\", shape=box, ",
                      IsLayerOp(op->kind()) ? "style=filled, fillcolor=\"#ffe7c2\", penwidth=2"
                                            : "style=filled, fillcolor=\"#fff8e6\"",
                      "];\n");
      for (const Value* operand : op->operands()) Edge(operand, id);
      for (const Value* result : op->results()) producers_[result] = id;
    }
    return yield;
  }

  // A scan is a cluster: its operands flow into its body's arguments, its
  // body runs once per step, and its results leave from a node below it.
  void PrintScan(const Op& scan, int depth) {
    const int64_t carries = scan.int_attribute("carries");
    Indent(depth);
    absl::StrAppend(&out_, "subgraph cluster_", ids_++, " {\n");
    Indent(depth + 1);
    absl::StrAppend(&out_, "label=\"scan", scan.bool_attribute("reverse") ? " (reverse)" : "",
                    "\"; style=\"rounded,dashed\"; color=\"#888888\";\n");
    for (size_t i = 0; i < scan.body()->num_arguments(); ++i) {
      const Value* argument = scan.body()->argument(i);
      Node(argument,
           absl::StrCat(static_cast<int64_t>(i) < carries ? "carry " : "step ", argument->name()),
           "shape=ellipse, style=dashed", depth + 1);
      Edge(scan.operand(i), producers_[argument]);
    }
    const std::string yield = PrintBlock(*scan.body(), depth + 1);
    Indent(depth);
    absl::StrAppend(&out_, "}\n");
    const std::string results = absl::StrCat("op", ids_++);
    Indent(depth);
    absl::StrAppend(&out_, "\"", results, "\" [label=\"scan results\", shape=box, style=filled, ",
                    "fillcolor=\"#ffe7c2\"];\n");
    if (!yield.empty()) absl::StrAppend(&edges_, "  \"", yield, "\" -> \"", results, "\" [style=dashed];\n");
    for (const Value* result : scan.results()) producers_[result] = results;
  }

  void Node(const Value* value, const std::string& label, const std::string& style, int depth) {
    const std::string id = absl::StrCat("v", ids_++);
    producers_[value] = id;
    Indent(depth);
    absl::StrAppend(&out_, "\"", id, "\" [label=\"", Escape(label), "\", ", style, "];\n");
  }

  void Edge(const Value* from, const std::string& to) {
    auto it = producers_.find(from);
    if (it == producers_.end()) return;  // an unverified graph; draw what is there
    // A param's node already shows its name.
    const bool param = from->origin() == Value::Origin::kParam;
    const std::string label =
        param ? from->type().ToString() : absl::StrCat(from->name(), ": ", from->type().ToString());
    absl::StrAppend(&edges_, "  \"", it->second, "\" -> \"", to, "\" [label=\"", Escape(label), "\"",
                    param ? ", style=dotted" : "", "];\n");
  }

  void Indent(int depth) { out_.append(2 * depth, ' '); }

  const Graph& graph_;
  std::string out_;
  std::string edges_;
  int64_t ids_ = 0;
  absl::flat_hash_map<const Value*, std::string> producers_;  // value -> node id
};

}  // namespace

std::string PrintDot(const Graph& graph) { return DotPrinter(graph).Print(); }

}  // namespace rnnc::ir
