// Draws a graph for Graphviz: `rnnc dot model.rnnc | dot -Tsvg > model.svg`.
#ifndef RNNC_IR_DOT_PRINTER_H
#define RNNC_IR_DOT_PRINTER_H

#include <string>

#include "ir/Graph.h"

namespace rnnc::ir {

// One node per op, input, param and scan-body argument; one edge per use,
// labelled with the value's name and type. Layer ops show their attributes;
// a scan is a cluster holding its body. Params are small grey boxes so that
// the data flow stays in front.
std::string PrintDot(const Graph& graph);

}  // namespace rnnc::ir

#endif  // RNNC_IR_DOT_PRINTER_H
