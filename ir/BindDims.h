// Binding symbolic dims: the sizes that T, N and the other symbols take for
// one run, read off the concrete shapes of the graph's inputs.
#ifndef RNNC_IR_BIND_DIMS_H
#define RNNC_IR_BIND_DIMS_H

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ir/Graph.h"

namespace rnnc::ir {

// `input_shapes` maps every input of `graph` by name (without '%') to its
// concrete shape. Each symbolic dim of an input's type binds its symbol to
// the size there; every static dim must match. Errors name the input, its
// shape, its declared type and the dim at fault: a missing or unknown input,
// a wrong rank or static size, a symbol bound to two sizes, or a symbol bound
// to a size below 1.
absl::StatusOr<BoundDims> BindDims(const Graph& graph,
                                   const std::map<std::string, std::vector<int64_t>>& input_shapes);

// The symbols in the types of `graph`'s inputs, in order of first
// appearance: the dims a caller binds, in the order a compiled model's run
// takes them.
std::vector<std::string> InputSymbols(const Graph& graph);

}  // namespace rnnc::ir

#endif  // RNNC_IR_BIND_DIMS_H
