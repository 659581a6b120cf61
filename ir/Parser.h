// Reads the rnnc IR text form of docs/IR.md back into a graph; PrintGraph
// (ir/Printer.h) writes it.
//
// The parser checks the syntax and the naming rules: every value is defined
// once, across the whole graph, and used only where it is visible (after its
// definition, in its block or a scan body nested in it). It does not check
// operand counts, attributes or shapes; Verify (ir/Verifier.h) does.
#ifndef RNNC_IR_PARSER_H
#define RNNC_IR_PARSER_H

#include <string_view>

#include "absl/status/statusor.h"
#include "ir/Graph.h"

namespace rnnc::ir {

// Value, symbol and graph names are kept exactly as written. Errors are
// InvalidArgument, with messages such as
//   model.rnnc:3:14: expected '=' after the results of an op, found 'tanh'
//   model.rnnc:5:22: use of undefined value %h0
// where `model.rnnc` is `source_name`.
absl::StatusOr<Graph> ParseGraph(std::string_view text, std::string_view source_name = "<input>");

}  // namespace rnnc::ir

#endif  // RNNC_IR_PARSER_H
