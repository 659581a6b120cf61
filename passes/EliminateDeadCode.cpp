// dce: removes what no graph output depends on. Every op is pure, so an op
// whose results are all unused goes; a scan loses the per-step outputs
// nobody reads, the sequences its body never reads (one always stays: it
// gives the trip count), and the carries whose final value and body argument
// are both unused (their next value is then dead too).
//
// Before:
//   %a: f32[N, 4] = tanh(%x)
//   %b: f32[N, 4] = relu(%x)
//   output %b
// After:
//   %b: f32[N, 4] = relu(%x)
//   output %b
#include "passes/Pass.h"
#include "passes/PatternMatch.h"
#include "passes/Rewrite.h"

namespace rnnc::passes {

namespace {

bool Used(const UseCounts& uses, const ir::Value* value) {
  auto it = uses.find(value);
  return it != uses.end() && it->second > 0;
}

// Rebuilds `scan` without what is unused; true if it changed.
bool PruneScan(ir::Graph& graph, ir::Op* scan, const UseCounts& uses) {
  const size_t carries = scan->int_attribute("carries");
  const size_t sequences = scan->operands().size() - carries;
  const size_t outputs = scan->num_results() - carries;
  const ir::Block& body = *scan->body();
  std::vector<bool> keep_carry(carries), keep_sequence(sequences), keep_output(outputs);
  bool changed = false;
  for (size_t i = 0; i < carries; ++i) {
    keep_carry[i] = Used(uses, scan->result(i)) || Used(uses, body.argument(i));
    changed = changed || !keep_carry[i];
  }
  bool any_sequence = false;
  for (size_t i = 0; i < sequences; ++i) {
    keep_sequence[i] = Used(uses, body.argument(carries + i));
    any_sequence = any_sequence || keep_sequence[i];
  }
  if (!any_sequence) keep_sequence[0] = true;
  for (size_t i = 0; i < sequences; ++i) changed = changed || !keep_sequence[i];
  for (size_t i = 0; i < outputs; ++i) {
    keep_output[i] = Used(uses, scan->result(carries + i));
    changed = changed || !keep_output[i];
  }
  if (changed) RebuildScan(graph, scan, keep_carry, keep_sequence, keep_output);
  return changed;
}

// One sweep over `block`, last op first so that a chain of dead ops goes in
// one sweep; true if anything was removed.
bool Sweep(ir::Graph& graph, ir::Block& block, UseCounts& uses) {
  bool changed = false;
  for (size_t i = block.num_ops(); i-- > 0;) {
    ir::Op* op = block.op(i);
    if (op->kind() == ir::OpKind::Yield) continue;
    bool used = false;
    for (const ir::Value* result : op->results()) used = used || Used(uses, result);
    if (!used) {
      // Its operands lose a use; ops inside a dead scan's body do not matter.
      for (const ir::Value* operand : op->operands()) --uses[operand];
      if (op->body() != nullptr) {
        WalkOps(*op->body(), [&](ir::Op* inner) {
          for (const ir::Value* operand : inner->operands()) --uses[operand];
        });
      }
      block.EraseOp(i);
      changed = true;
      continue;
    }
    if (op->kind() == ir::OpKind::Scan) {
      changed = Sweep(graph, *op->body(), uses) || changed;
      if (PruneScan(graph, op, uses)) {
        // Rebuilding moved ops and values; counting afresh is simplest.
        uses = CountUses(graph);
        changed = true;
      }
    }
  }
  return changed;
}

}  // namespace

ir::Graph EliminateDeadCode(const ir::Graph& graph, const PassOptions&) {
  ir::Graph result = graph;
  UseCounts uses = CountUses(result);
  while (Sweep(result, result.body(), uses)) {
  }
  return result;
}

}  // namespace rnnc::passes
