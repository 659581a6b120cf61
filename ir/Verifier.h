// The IR verifier: checks that a graph is well formed as docs/IR.md defines
// it, so that passes and backends may assume so.
#ifndef RNNC_IR_VERIFIER_H
#define RNNC_IR_VERIFIER_H

#include "absl/status/status.h"
#include "ir/Graph.h"

namespace rnnc::ir {

// OK, or an InvalidArgument error about the first fault found. It checks that
//   - the graph has outputs, and each is a top-level value of the graph;
//   - value names are unique and params have static types;
//   - every operand is defined before its use and visible there: defined
//     earlier in the same block or in an enclosing block before the scan, an
//     input, a param, or an argument of an enclosing scan body;
//   - every op has the operands and attributes its definition demands and
//     declares the result types shape inference gives;
//   - scans are well formed and their bodies end in their only yield.
// Messages start with what they are about: "graph <name>: ", or
// "op %<first result> = <op>: " ("op yield (no results): " for ops without
// results).
absl::Status Verify(const Graph& graph);

}  // namespace rnnc::ir

#endif  // RNNC_IR_VERIFIER_H
