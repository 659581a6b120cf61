// Prints a graph in the rnnc IR text form of docs/IR.md, which ParseGraph
// (ir/Parser.h) reads back: printing, parsing and printing again gives
// identical text.
#ifndef RNNC_IR_PRINTER_H
#define RNNC_IR_PRINTER_H

#include <string>

#include "ir/Graph.h"

namespace rnnc::ir {

// The whole graph, ending in a newline: inputs, params, ops (scan bodies
// nested, two spaces deeper per level), then outputs.
std::string PrintGraph(const Graph& graph);

}  // namespace rnnc::ir

#endif  // RNNC_IR_PRINTER_H
