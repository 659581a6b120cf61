// Runs passes by name, verifying the graph after each one, as a straight
// line of named steps (Halide's Lower.cpp); the backends' pipelines are named
// lists of passes.
#ifndef RNNC_PASSES_PASS_MANAGER_H
#define RNNC_PASSES_PASS_MANAGER_H

#include <functional>
#include <ostream>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "ir/Graph.h"
#include "passes/Pass.h"

namespace rnnc::passes {

using PassFunction = std::function<ir::Graph(const ir::Graph&, const PassOptions&)>;

struct PassInfo {
  std::string name;     // "fuse-gate-matmuls"
  std::string summary;  // one line, from Passes.def
  PassFunction function;
};

// Every pass of Passes.def, in its order.
const std::vector<PassInfo>& RegisteredPasses();

// The passes named, or an error naming the unknown one and listing the known.
absl::StatusOr<std::vector<PassInfo>> LookUpPasses(const std::vector<std::string>& names);

// "a,b,c" -> {"a", "b", "c"}; empty text gives no passes. Names are checked
// against the registry.
absl::StatusOr<std::vector<std::string>> ParsePassList(std::string_view text);

// The passes a backend wants before it compiles: "interp" none, "onednn"
// keeps layer ops, "llvm" lowers them to cell ops. Unknown backends get none.
std::vector<std::string> PipelineFor(std::string_view backend);

// Runs `passes` in order on a copy of `graph`. After each, ir::Verify must
// pass, else the error is "pass '<name>' produced an invalid graph: <why>".
// With `print_after_all`, writes "// ----- IR after <name> -----" and the IR
// after each pass.
absl::StatusOr<ir::Graph> RunPasses(const ir::Graph& graph, const std::vector<PassInfo>& passes,
                                    const PassOptions& options,
                                    std::ostream* print_after_all = nullptr);
// The same, by name (what `rnnc opt --passes=` calls).
absl::StatusOr<ir::Graph> RunPasses(const ir::Graph& graph,
                                    const std::vector<std::string>& pass_names,
                                    const PassOptions& options,
                                    std::ostream* print_after_all = nullptr);

}  // namespace rnnc::passes

#endif  // RNNC_PASSES_PASS_MANAGER_H
