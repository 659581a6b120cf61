#include "passes/PassManager.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "ir/Printer.h"
#include "ir/Verifier.h"

namespace rnnc::passes {

const std::vector<PassInfo>& RegisteredPasses() {
  static const std::vector<PassInfo> passes = {
#define RNNC_PASS(Function, name, summary) {name, summary, Function},
#include "passes/Passes.def"
  };
  return passes;
}

absl::StatusOr<std::vector<PassInfo>> LookUpPasses(const std::vector<std::string>& names) {
  std::vector<PassInfo> found;
  for (const std::string& name : names) {
    const std::vector<PassInfo>& known = RegisteredPasses();
    auto it = std::find_if(known.begin(), known.end(),
                           [&](const PassInfo& pass) { return pass.name == name; });
    if (it == known.end()) {
      return absl::InvalidArgumentError(absl::StrCat(
          "unknown pass '", name, "'; known passes: ",
          absl::StrJoin(known, ", ",
                        [](std::string* out, const PassInfo& pass) { out->append(pass.name); })));
    }
    found.push_back(*it);
  }
  return found;
}

absl::StatusOr<std::vector<std::string>> ParsePassList(std::string_view text) {
  std::vector<std::string> names;
  if (text.empty()) return names;
  for (absl::string_view name : absl::StrSplit(absl::string_view(text.data(), text.size()), ','))
    names.emplace_back(name);
  if (absl::Status status = LookUpPasses(names).status(); !status.ok()) return status;
  return names;
}

std::vector<std::string> PipelineFor(std::string_view backend) {
  // oneDNN runs whole layers, so cell-level scans are raised back to them.
  if (backend == "onednn")
    return {"raise-rnn-cells", "fold-batch-norm", "canonicalize", "cse", "dce"};
  // The LLVM backend compiles scans of cell ops: layers are expanded, the
  // gate GEMMs fused, the input projection taken out of the recurrence, and
  // so are a backward scan's weight-gradient sums; the backward takes the
  // forward's recurrent products instead of recomputing them (after cse,
  // which makes the two scans' weights one value).
  if (backend == "llvm") {
    return {"fold-batch-norm",
            "expand-rnn-layers",
            "fuse-gate-matmuls",
            "hoist-input-projection",
            "hoist-weight-gradients",
            "canonicalize",
            "cse",
            "reuse-scan-products",
            "dce"};
  }
  return {};
}

absl::StatusOr<ir::Graph> RunPasses(const ir::Graph& graph, const std::vector<PassInfo>& passes,
                                    const PassOptions& options, std::ostream* print_after_all) {
  ir::Graph current = graph;
  for (const PassInfo& pass : passes) {
    current = pass.function(current, options);
    if (absl::Status status = ir::Verify(current); !status.ok()) {
      return absl::InternalError(
          absl::StrCat("pass '", pass.name, "' produced an invalid graph: ", status.message()));
    }
    if (print_after_all != nullptr) {
      *print_after_all << "// ----- IR after " << pass.name << " -----\n"
                       << ir::PrintGraph(current);
    }
  }
  return current;
}

absl::StatusOr<ir::Graph> RunPasses(const ir::Graph& graph,
                                    const std::vector<std::string>& pass_names,
                                    const PassOptions& options, std::ostream* print_after_all) {
  absl::StatusOr<std::vector<PassInfo>> passes = LookUpPasses(pass_names);
  if (!passes.ok()) return passes.status();
  return RunPasses(graph, *passes, options, print_after_all);
}

}  // namespace rnnc::passes
