// reuse-scan-products: a product that a scan's body computes at every step
// from the carry it starts the step with is not computed again after the
// scan from the saved carries; the scan gives it as a per-step output.
//
// BPTT saves a forward scan's carries h_t and its backward step recomputes
// the step from them; hoist-input-projection then makes the recomputed
// recurrent product one GEMM over the sequence of saved carries,
// (h_0 … h_{T-1})·Uᵀ + c, which the forward body computed already, step by
// step, as h_t·Uᵀ + c. Taking the forward's values saves that GEMM (as many
// FLOPs as the whole forward recurrence) for a copy of its result per step.
//
//   S = saved carries (per-step output yielding carry argument h)
//   matmul(S, W) (+ b)  after the scan  ->  per-step output of the body's
//                                            matmul(h, W) (+ b)
//
// Matched op by op from S: a matmul of a matched value by the weight the
// body's matmul of its counterpart uses, with the same attributes, and an
// add of a matched value and the value the body's add uses beside it.
//
// Before:
//   %h_T: f32[N, 4], %h.saved: f32[T, N, 4] = scan(%h0, %x) {carries = 1, reverse = false} {
//     ^(%h: f32[N, 4], %x_t: f32[N, 4]):
//     %hu: f32[N, 4] = matmul(%h, %u) {transpose_b = true}
//     %hub: f32[N, 4] = add(%hu, %c)
//     %h_next: f32[N, 4] = tanh(%hub)
//     yield(%h_next, %h)
//   }
//   %p: f32[T, N, 4] = matmul(%h.saved, %u) {transpose_b = true}
//   %pb: f32[T, N, 4] = add(%p, %c)
// After (dce drops %p):
//   %h_T, %h.saved, %hub.steps = scan(...) { ... yield(%h_next, %h, %hub) }
//   ... %hub.steps where %pb was used
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "passes/Pass.h"
#include "passes/PatternMatch.h"
#include "passes/Rewrite.h"

namespace rnnc::passes {

namespace {

using ir::OpKind;
using ir::Value;

// The result of the op at `body`'s top level that does per step what `op`
// does: `op`'s kind and attributes on operands a and b (either order for an
// add), of `op`'s result type without its leading time axis.
Value* FindInBody(const ir::Block& body, const ir::Op& op, Value* a, Value* b) {
  std::vector<ir::Dim> step_dims = op.result(0)->type().dims();
  step_dims.erase(step_dims.begin());
  const ir::TensorType step_type(step_dims);
  for (const auto& candidate : body.ops()) {
    if (candidate->kind() != op.kind() || candidate->attributes() != op.attributes()) continue;
    const Value* x = candidate->operand(0);
    const Value* y = candidate->operand(1);
    const bool same_operands = (x == a && y == b) || (op.kind() == OpKind::Add && x == b && y == a);
    if (same_operands && candidate->result(0)->type() == step_type) return candidate->result(0);
  }
  return nullptr;
}

// Reuses what it can of `scan`'s products; true if anything changed.
bool Reuse(ir::Graph& graph, ir::Op& scan) {
  const ir::Block& body = *scan.body();
  const ir::Op& yield = *body.ops().back();
  const size_t carries = scan.int_attribute("carries");
  // Values after the scan → the body value that is their slice t.
  absl::flat_hash_map<const Value*, Value*> step;
  for (size_t j = carries; j < scan.num_results(); ++j) {
    for (size_t i = 0; i < carries; ++i) {
      if (yield.operand(j) == body.argument(i)) step[scan.result(j)] = body.argument(i);
    }
  }
  if (step.empty()) return false;
  const size_t seeds = step.size();
  std::vector<const ir::Op*> matched;
  const ir::Block& block = *scan.parent();
  for (size_t k = IndexInBlock(&scan) + 1; k < block.num_ops(); ++k) {
    const ir::Op& op = *block.op(k);
    if (op.kind() != OpKind::Matmul && op.kind() != OpKind::Add) continue;
    for (size_t side = 0; side < 2; ++side) {
      if (op.kind() == OpKind::Matmul && side == 1) break;  // the weight stays on the right
      auto it = step.find(op.operand(side));
      if (it == step.end()) continue;
      Value* other = op.operand(1 - side);
      Value* found = side == 0 ? FindInBody(body, op, it->second, other)
                               : FindInBody(body, op, other, it->second);
      if (found != nullptr) {
        step[op.result(0)] = found;
        matched.push_back(&op);
        break;
      }
    }
  }
  if (step.size() == seeds) return false;
  // The last of a chain is what the rest of the graph uses; a value whose
  // only users are matched ops goes with them.
  StepOutputs outputs(graph, scan);
  const UseCounts uses = CountUses(graph);
  for (const ir::Op* op : matched) {
    Value* value = op->result(0);
    int matched_uses = 0;
    for (const ir::Op* user : matched) {
      for (const Value* operand : user->operands()) matched_uses += operand == value;
    }
    auto it = uses.find(value);
    if (it != uses.end() && it->second > matched_uses) {
      graph.ReplaceAllUses(value, outputs.Stacked(step[value]));
    }
  }
  return true;
}

}  // namespace

ir::Graph ReuseScanProducts(const ir::Graph& graph, const PassOptions&) {
  ir::Graph result = graph;
  for (ir::Op* scan : CollectOps(result.body(), OpKind::Scan)) Reuse(result, *scan);
  return result;
}

}  // namespace rnnc::passes
