// The reference interpreter: runs an rnnc graph op by op, in order, with
// plain C++ kernels. It is the numerical oracle that every other backend and
// every pass is checked against, and is itself checked against PyTorch by the
// golden tests.
#ifndef RNNC_BACKENDS_INTERP_INTERPRETER_H
#define RNNC_BACKENDS_INTERP_INTERPRETER_H

#include <memory>

#include "absl/status/statusor.h"
#include "ir/Graph.h"
#include "runtime/Executable.h"
#include "runtime/Tensor.h"

namespace rnnc::interp {

// Verifies `graph` (ir::Verify) and that `weights` fit its params
// (CheckWeights), returning their errors, and gives an Executable that
// interprets a copy of the graph. Its Run binds the symbolic dims from the
// input shapes (ir::BindDims) and fails, naming the op, if a value's shape
// ever disagrees with its type under those dims.
absl::StatusOr<std::unique_ptr<Executable>> CompileForInterpreter(const ir::Graph& graph,
                                                                  TensorMap weights);

}  // namespace rnnc::interp

#endif  // RNNC_BACKENDS_INTERP_INTERPRETER_H
