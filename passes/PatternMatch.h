// Small structural queries the passes match IR with: what defines a value,
// whether it is a constant, whether it is loop-invariant for a scan, and how
// often it is used.
#ifndef RNNC_PASSES_PATTERN_MATCH_H
#define RNNC_PASSES_PATTERN_MATCH_H

#include <vector>

#include "absl/container/flat_hash_map.h"
#include "ir/Graph.h"

namespace rnnc::passes {

// The op defining `value` if it is of `kind`, else null.
ir::Op* DefiningOp(const ir::Value* value, ir::OpKind kind);

// `value` is the result of a `full` filled with `constant`.
bool IsFull(const ir::Value* value, double constant);

// `value` is defined outside `scan` (before it, in an enclosing block, or a
// graph input or param), so it is the same at every step.
bool IsDefinedOutside(const ir::Value* value, const ir::Op* scan);

// Uses of each value as an operand anywhere, or as a graph output.
using UseCounts = absl::flat_hash_map<const ir::Value*, int>;
UseCounts CountUses(const ir::Graph& graph);

// The ops of `kind` in `block` and the bodies nested in it, outer first.
std::vector<ir::Op*> CollectOps(const ir::Block& block, ir::OpKind kind);

// The ops that use `value` as an operand.
std::vector<ir::Op*> Users(const ir::Graph& graph, const ir::Value* value);

}  // namespace rnnc::passes

#endif  // RNNC_PASSES_PATTERN_MATCH_H
