// CompileForOnednn: the interpreter, with the recurrent kernel as its
// kernel provider.
#include "backends/onednn/OnednnBackend.h"

#include "backends/interp/Interpreter.h"
#include "backends/onednn/RecurrentKernel.h"

namespace rnnc::onednn {

absl::StatusOr<std::unique_ptr<Executable>> CompileForOnednn(const ir::Graph& graph,
                                                             TensorMap weights) {
  return interp::CompileForInterpreter(graph, std::move(weights), MakeRecurrentKernel);
}

}  // namespace rnnc::onednn
