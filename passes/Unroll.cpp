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
// A scan whose static T is above full_unroll_max_steps, with k =
// unroll_factor >= 2 and T >= 2k, is unrolled partially: a scan over T/k
// chunks whose body is k copies of the original (carries threaded through),
// each sequence's first (T/k)·k steps reshaped to (T/k, k, ...) and each copy
// selecting its step j; the per-step outputs (T/k, k, ...) are reshaped back.
// The T mod k steps left follow as unrolled copies, carries continuing from
// the chunks, their outputs concatenated in time order. A reverse scan runs
// from the end: its chunks are the last (T/k)·k steps, each chunk's copies
// run j = k-1 down to 0, and the rest (positions 0 .. T mod k - 1) come last.
// T = 5, k = 2, forward:
//   %0: f32[4, N, 4] = slice(%x) {axis = 0, end = 4, start = 0}
//   %x.chunks: f32[2, 2, N, 4] = reshape(%0) {shape = [2, 2, 0, 4]}
//   %h_T_1: f32[N, 4], %hs.chunks: f32[2, 2, N, 4] = scan(%h0, %x.chunks) {carries = 1, reverse = false} {
//     ^(%h_1: f32[N, 4], %x_t.chunk: f32[2, N, 4]):
//     %x_t_1: f32[N, 4] = select(%x_t.chunk) {axis = 0, index = 0}
//     %h_next_1: f32[N, 4] = add(%h_1, %x_t_1)
//     ... (step j = 1 likewise, from %h_next_1; outputs stacked to %5: f32[2, N, 4])
//     yield(%h_next_2, %5)
//   }
//   %x_t_3: f32[N, 4] = select(%x) {axis = 0, index = 4}
//   %h_T: f32[N, 4] = add(%h_T_1, %x_t_3)
//   %7: f32[1, N, 4] = add(%6, %h_T)                # %6 = zeros(1, N, 4)
//   %8: f32[4, N, 4] = reshape(%hs.chunks) {shape = [4, 0, 4]}
//   %hs: f32[5, N, 4] = concat(%8, %7) {axis = 0}
//
// A symbolic T is left alone: chunking it needs dims like T/k and T mod k,
// which the IR's dims (a size or a symbol) cannot spell.
#include <functional>
#include <string>

#include "absl/container/flat_hash_set.h"
#include "passes/Pass.h"
#include "passes/PatternMatch.h"
#include "passes/Rewrite.h"

namespace rnnc::passes {

namespace {

using ir::Value;

// What copies of a scan body computed: the carries after the last copy, and
// each per-step output of each step with a leading axis of 1, in position
// order, ready to be concatenated.
struct Copies {
  std::vector<Value*> carries;
  std::vector<std::vector<Value*>> outputs;
};

// Clones `body` for the steps at positions first .. first + steps - 1, from
// the last down when `reverse`, threading the carries from `initial`;
// `slice(a, t)` is what body argument a (a sequence's) is at position t.
Copies CloneSteps(Builder& b, const ir::Block& body, size_t carries, std::vector<Value*> initial,
                  int64_t first, int64_t steps, bool reverse,
                  const std::function<Value*(size_t, int64_t)>& slice) {
  const size_t outputs = body.op(body.num_ops() - 1)->operands().size() - carries;
  Copies copies{std::move(initial), std::vector<std::vector<Value*>>(
                                        outputs, std::vector<Value*>(steps))};
  for (int64_t i = 0; i < steps; ++i) {
    const int64_t t = first + (reverse ? steps - 1 - i : i);
    ValueMap map;
    for (size_t a = 0; a < body.num_arguments(); ++a) {
      map[body.argument(a)] = a < carries ? copies.carries[a] : slice(a, t);
    }
    std::vector<Value*> yielded = CloneBody(b, body, map);
    copies.carries.assign(yielded.begin(), yielded.begin() + carries);
    for (size_t o = 0; o < outputs; ++o) {
      copies.outputs[o][t - first] = b.Unsqueeze0(yielded[carries + o]);
    }
  }
  return copies;
}

// Replaces every use of the scan result `old` by `replacement`, which takes
// its name, unless it is defined elsewhere than in `block` (a carry the
// body passes through unchanged is still the initial value).
void ReplaceResult(ir::Graph& graph, const ir::Block& block, Value* old, Value* replacement) {
  const std::string name = ReleaseName(graph, old);
  graph.ReplaceAllUses(old, replacement);
  if (replacement->defining_op() != nullptr && replacement->defining_op()->parent() == &block) {
    graph.RenameValue(replacement, name);
  }
}

void UnrollFully(ir::Graph& graph, ir::Op* scan, int64_t steps) {
  const size_t carries = scan->int_attribute("carries");
  const ir::Block& body = *scan->body();
  Builder b = Builder::Before(graph, scan);
  std::vector<Value*> initial(scan->operands().begin(), scan->operands().begin() + carries);
  Copies copies = CloneSteps(b, body, carries, initial, 0, steps, scan->bool_attribute("reverse"),
                             [&](size_t a, int64_t t) {
                               return b.Select(scan->operand(a), 0, t, body.argument(a)->name());
                             });
  for (size_t c = 0; c < carries; ++c) {
    ReplaceResult(graph, b.block(), scan->result(c), copies.carries[c]);
  }
  for (size_t o = 0; o < copies.outputs.size(); ++o) {
    ReplaceResult(graph, b.block(), scan->result(carries + o), b.Concat(copies.outputs[o], 0));
  }
  scan->parent()->EraseOp(IndexInBlock(scan));
}

// A reshape's shape that puts `leading` in place of the leading axes of
// `type` but its last `kept`, which stay (their symbolic dims as 0s).
std::vector<int64_t> LeadingShape(std::vector<int64_t> leading, const ir::TensorType& type,
                                  int64_t kept) {
  for (int64_t i = type.rank() - kept; i < type.rank(); ++i) {
    leading.push_back(type.dim(i).is_static() ? type.dim(i).size() : 0);
  }
  return leading;
}

// Returns the scan over chunks of `factor` steps that replaces `scan`.
ir::Op* UnrollPartially(ir::Graph& graph, ir::Op* scan, int64_t steps, int64_t factor) {
  const size_t carries = scan->int_attribute("carries");
  const bool reverse = scan->bool_attribute("reverse");
  const ir::Block& body = *scan->body();
  const int64_t chunks = steps / factor;
  const int64_t chunked = chunks * factor;
  const int64_t rest = steps - chunked;
  // The chunks cover the steps the scan runs first: positions [0, chunked),
  // or [rest, steps) when it runs from the end; the rest follow.
  const int64_t chunked_first = reverse ? rest : 0;
  const int64_t rest_first = reverse ? 0 : chunked;
  Builder b = Builder::Before(graph, scan);
  std::vector<Value*> initial(scan->operands().begin(), scan->operands().begin() + carries);
  std::vector<Value*> sequences;
  std::vector<std::string> argument_names, result_names;
  for (size_t a = 0; a < body.num_arguments(); ++a) {
    argument_names.push_back(body.argument(a)->name() + (a < carries ? "" : ".chunk"));
    if (a < carries) continue;
    Value* sequence = scan->operand(a);
    if (rest != 0) sequence = b.Slice(sequence, 0, chunked_first, chunked_first + chunked);
    const int64_t kept = sequence->type().rank() - 1;
    sequences.push_back(b.Reshape(sequence, LeadingShape({chunks, factor}, sequence->type(), kept),
                                  scan->operand(a)->name() + ".chunks"));
  }
  for (size_t r = 0; r < scan->num_results(); ++r) {
    result_names.push_back(scan->result(r)->name() + (r < carries ? "" : ".chunks"));
  }
  ir::Op* chunk_scan = BuildScan(
      b, initial, sequences, reverse,
      [&](Builder& inner, const std::vector<Value*>& state, const std::vector<Value*>& chunk) {
        Copies copies =
            CloneSteps(inner, body, carries, state, 0, factor, reverse, [&](size_t a, int64_t j) {
              return inner.Select(chunk[a - carries], 0, j, body.argument(a)->name());
            });
        std::vector<Value*> outputs;
        for (const std::vector<Value*>& steps_of_output : copies.outputs) {
          outputs.push_back(inner.Concat(steps_of_output, 0));
        }
        return ScanStep{copies.carries, outputs};
      },
      argument_names, result_names);
  std::vector<Value*> final_carries = chunk_scan->results();
  final_carries.resize(carries);
  Copies rest_copies = CloneSteps(b, body, carries, final_carries, rest_first, rest, reverse,
                                  [&](size_t a, int64_t t) {
                                    return b.Select(scan->operand(a), 0, t,
                                                    body.argument(a)->name());
                                  });
  for (size_t c = 0; c < carries; ++c) {
    ReplaceResult(graph, b.block(), scan->result(c), rest_copies.carries[c]);
  }
  for (size_t o = 0; o < rest_copies.outputs.size(); ++o) {
    Value* stacked = chunk_scan->result(carries + o);
    const int64_t kept = stacked->type().rank() - 2;
    std::vector<Value*> parts = rest_copies.outputs[o];
    Value* merged = b.Reshape(stacked, LeadingShape({chunked}, stacked->type(), kept));
    parts.insert(reverse ? parts.end() : parts.begin(), merged);
    ReplaceResult(graph, b.block(), scan->result(carries + o), b.Concat(parts, 0));
  }
  scan->parent()->EraseOp(IndexInBlock(scan));
  return chunk_scan;
}

}  // namespace

ir::Graph Unroll(const ir::Graph& graph, const PassOptions& options) {
  ir::Graph result = graph;
  const int64_t factor = options.unroll_factor;
  // The scans partial unrolling built are done: fewer steps now, they would
  // otherwise look like candidates for unrolling again.
  absl::flat_hash_set<const ir::Op*> chunk_scans;
  // Outer scans first: unrolling one clones its nested scans, which are then
  // found by the next walk.
  bool changed = true;
  while (changed) {
    changed = false;
    for (ir::Op* scan : CollectOps(result.body(), ir::OpKind::Scan)) {
      const ir::Dim& steps = scan->operand(scan->int_attribute("carries"))->type().dim(0);
      if (!steps.is_static() || chunk_scans.contains(scan)) continue;
      if (steps.size() >= 1 && steps.size() <= options.full_unroll_max_steps) {
        UnrollFully(result, scan, steps.size());
      } else if (steps.size() > options.full_unroll_max_steps && factor >= 2 &&
                 steps.size() >= 2 * factor) {
        chunk_scans.insert(UnrollPartially(result, scan, steps.size(), factor));
      } else {
        continue;
      }
      changed = true;
      break;
    }
  }
  return result;
}

}  // namespace rnnc::passes
