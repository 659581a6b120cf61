// CompileForOnednn: the "onednn" pipeline, then the interpreter with the
// recurrent kernel as its kernel provider.
#include "backends/onednn/OnednnBackend.h"

#include "backends/interp/Interpreter.h"
#include "backends/onednn/RecurrentKernel.h"
#include "ir/Verifier.h"
#include "passes/PassManager.h"

namespace rnnc::onednn {

absl::StatusOr<std::unique_ptr<Executable>> CompileForOnednn(const ir::Graph& graph,
                                                             TensorMap weights) {
  // The pipeline raises cells written from primitive ops (in the DSL, say)
  // back into layer ops, which are what oneDNN runs. Verifying first keeps
  // the user's graph, not a rewritten one, in any error message.
  if (absl::Status status = ir::Verify(graph); !status.ok()) return status;
  absl::StatusOr<ir::Graph> prepared =
      passes::RunPasses(graph, passes::PipelineFor("onednn"), passes::PassOptions());
  if (!prepared.ok()) return prepared.status();
  return interp::CompileForInterpreter(*prepared, std::move(weights), MakeRecurrentKernel);
}

}  // namespace rnnc::onednn
