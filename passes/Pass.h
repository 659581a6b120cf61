// The rnnc passes: each a free function from a graph to a graph that still
// verifies, as Halide writes its lowering passes. Passes.def lists them; one
// file each, passes/<FunctionName>.cpp, says what it rewrites into what.
#ifndef RNNC_PASSES_PASS_H
#define RNNC_PASSES_PASS_H

#include <cstdint>

#include "ir/Graph.h"

namespace rnnc::passes {

struct PassOptions {
  // `unroll` runs a scan whose static T is above full_unroll_max_steps (and
  // at least two chunks long) as chunks of this many steps, then the rest;
  // below 2 it does not unroll partially.
  int64_t unroll_factor = 4;
  // `unroll` replaces a scan by copies of its body when T is static and at
  // most this.
  int64_t full_unroll_max_steps = 16;
};

#define RNNC_PASS(Function, name, summary) \
  ir::Graph Function(const ir::Graph& graph, const PassOptions& options);
#include "passes/Passes.def"

}  // namespace rnnc::passes

#endif  // RNNC_PASSES_PASS_H
