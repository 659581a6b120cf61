// unroll: a scan whose T is static and at most full_unroll_max_steps becomes
// T copies of its body, in the order the scan runs them; the scan
// disappears. Slice t of a sequence is select(seq, 0, t); the carries thread
// from one copy to the next; each per-step output is stacked back into
// (T, ...) by giving every step a leading axis of 1 and concatenating.
//
// Before:
//   %h_T: f32[N, 4], %hs: f32[2, N, 4] = scan(%h0, %x) {carries = 1, reverse = false} {
//     ^(%h: f32[N, 4], %x_t: f32[N, 4]):
//     %h_next: f32[N, 4] = add(%h, %x_t)
//     yield(%h_next, %h_next)
//   }
// After:
//   %x_t_1: f32[N, 4] = select(%x) {axis = 0, index = 0}
//   %h_next_1: f32[N, 4] = add(%h0, %x_t_1)
//   %0: f32[1, N, 4] = full() {value = 0.0}
//   %1: f32[1, N, 4] = add(%0, %h_next_1)
//   %x_t_2: f32[N, 4] = select(%x) {axis = 0, index = 1}
//   %h_T: f32[N, 4] = add(%h_next_1, %x_t_2)
//   %2: f32[1, N, 4] = full() {value = 0.0}
//   %3: f32[1, N, 4] = add(%2, %h_T)
//   %hs: f32[2, N, 4] = concat(%1, %3) {axis = 0}
//
// Partial unrolling (a body of unroll_factor steps over (T/k, k, ...)) is
// not done: cutting a (T, ...) sequence into k-step chunks needs a reshape
// (or a strided slice) that the IR does not have, for symbolic T and for
// static T alike.
#include <string>

#include "passes/Pass.h"
#include "passes/PatternMatch.h"
#include "passes/Rewrite.h"

namespace rnnc::passes {

namespace {

void UnrollFully(ir::Graph& graph, ir::Op* scan, int64_t steps) {
  const size_t carries = scan->int_attribute("carries");
  const bool reverse = scan->bool_attribute("reverse");
  const ir::Block& body = *scan->body();
  Builder b = Builder::Before(graph, scan);
  std::vector<ir::Value*> state(scan->operands().begin(), scan->operands().begin() + carries);
  const size_t outputs = scan->num_results() - carries;
  std::vector<std::vector<ir::Value*>> stacked(outputs, std::vector<ir::Value*>(steps));
  for (int64_t i = 0; i < steps; ++i) {
    const int64_t t = reverse ? steps - 1 - i : i;
    ValueMap map;
    for (size_t a = 0; a < body.num_arguments(); ++a) {
      map[body.argument(a)] =
          a < carries ? state[a] : b.Select(scan->operand(a), 0, t, body.argument(a)->name());
    }
    std::vector<ir::Value*> yielded = CloneBody(b, body, map);
    state.assign(yielded.begin(), yielded.begin() + carries);
    for (size_t o = 0; o < outputs; ++o) stacked[o][t] = b.Unsqueeze0(yielded[carries + o]);
  }
  // The values replacing the scan's results take their names, except a
  // carry the body passes through unchanged, which is still the initial value.
  for (size_t c = 0; c < carries; ++c) {
    const std::string name = ReleaseName(graph, scan->result(c));
    graph.ReplaceAllUses(scan->result(c), state[c]);
    if (state[c]->defining_op() != nullptr && state[c]->defining_op()->parent() == &b.block()) {
      graph.RenameValue(state[c], name);
    }
  }
  for (size_t o = 0; o < outputs; ++o) {
    const std::string name = ReleaseName(graph, scan->result(carries + o));
    graph.ReplaceAllUses(scan->result(carries + o), b.Concat(stacked[o], 0, name));
  }
  scan->parent()->EraseOp(IndexInBlock(scan));
}

}  // namespace

ir::Graph Unroll(const ir::Graph& graph, const PassOptions& options) {
  ir::Graph result = graph;
  // Outer scans first: unrolling one clones its nested scans, which are then
  // found by the next walk.
  bool changed = true;
  while (changed) {
    changed = false;
    for (ir::Op* scan : CollectOps(result.body(), ir::OpKind::Scan)) {
      const ir::Dim& steps = scan->operand(scan->int_attribute("carries"))->type().dim(0);
      if (steps.is_static() && steps.size() >= 1 && steps.size() <= options.full_unroll_max_steps) {
        UnrollFully(result, scan, steps.size());
        changed = true;
        break;
      }
    }
  }
  return result;
}

}  // namespace rnnc::passes
