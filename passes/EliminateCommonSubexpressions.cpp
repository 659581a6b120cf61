// cse: an op equal to an earlier one in kind, operands, attributes and
// result types (which tells two `full`s apart) is dropped and its results
// replaced by the earlier op's. An op in a scan body may reuse one computed
// before the scan, never the other way round. Scans are left alone.
//
// Before:
//   %a: f32[N, 4] = matmul(%x, %w) {transpose_b = true}
//   %b: f32[N, 4] = matmul(%x, %w) {transpose_b = true}
//   %s: f32[N, 4] = add(%a, %b)
// After:
//   %a: f32[N, 4] = matmul(%x, %w) {transpose_b = true}
//   %s: f32[N, 4] = add(%a, %a)
#include <string>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "passes/Pass.h"

namespace rnnc::passes {

namespace {

// Ops with equal keys compute the same values.
std::string Key(const ir::Op& op) {
  std::string key = op.name();
  for (const ir::Value* operand : op.operands()) absl::StrAppend(&key, " %", operand->name());
  for (const auto& [name, value] : op.attributes()) {
    absl::StrAppend(&key, " ", name, "=", ir::AttributeToString(value));
  }
  for (const ir::Value* result : op.results())
    absl::StrAppend(&key, " :", result->type().ToString());
  return key;
}

using Available = absl::flat_hash_map<std::string, ir::Op*>;

// `available` holds the ops of the enclosing blocks before this one; the
// copy taken for each body keeps its ops from leaking out.
void Eliminate(ir::Graph& graph, ir::Block& block, Available available) {
  for (size_t i = 0; i < block.num_ops();) {
    ir::Op* op = block.op(i);
    if (op->kind() == ir::OpKind::Scan) {
      Eliminate(graph, *op->body(), available);
      ++i;
      continue;
    }
    if (op->kind() == ir::OpKind::Yield) {
      ++i;
      continue;
    }
    auto [it, inserted] = available.try_emplace(Key(*op), op);
    if (inserted) {
      ++i;
      continue;
    }
    for (size_t r = 0; r < op->num_results(); ++r) {
      graph.ReplaceAllUses(op->result(r), it->second->result(r));
    }
    block.EraseOp(i);
  }
}

}  // namespace

ir::Graph EliminateCommonSubexpressions(const ir::Graph& graph, const PassOptions&) {
  ir::Graph result = graph;
  Eliminate(result, result.body(), {});
  return result;
}

}  // namespace rnnc::passes
