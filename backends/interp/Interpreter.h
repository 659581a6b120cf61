// The reference interpreter: runs an rnnc graph op by op, in order, with
// plain C++ kernels. It is the numerical oracle that every other backend and
// every pass is checked against, and is itself checked against PyTorch by the
// golden tests.
#ifndef RNNC_BACKENDS_INTERP_INTERPRETER_H
#define RNNC_BACKENDS_INTERP_INTERPRETER_H

#include <functional>
#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "ir/Graph.h"
#include "runtime/Executable.h"
#include "runtime/Tensor.h"

namespace rnnc::interp {

// A kernel that computes one op in place of the interpreter's own: how
// another backend (oneDNN) runs the ops it recognises while the interpreter
// runs the rest of the graph.
class OpKernel {
 public:
  virtual ~OpKernel() = default;
  // `operands` are in the op's operand order and have shapes the op accepts
  // (its result types have been re-inferred from them); `bound` holds the
  // symbolic dims of this run. `results` holds one tensor per op result,
  // already of its shape, and the kernel writes every element of each: a
  // result that is a graph output may be the caller's own buffer, reused
  // across runs (Executable::Run), so nothing is allocated per call.
  virtual absl::Status Run(const std::vector<const Tensor*>& operands, const ir::BoundDims& bound,
                           std::vector<Tensor>& results) = 0;
};

// Called once per op of the (verified) graph at compile time, with the
// weights of the executable, which outlive the kernel. Returns a kernel that
// takes the op, null to leave it to the interpreter, or an error that fails
// the compilation.
using KernelProvider = std::function<absl::StatusOr<std::unique_ptr<OpKernel>>(
    const ir::Op& op, const TensorMap& weights)>;

// Verifies `graph` (ir::Verify) and that `weights` fit its params
// (CheckWeights), returning their errors, and gives an Executable that
// interprets a copy of the graph. Its Run binds the symbolic dims from the
// input shapes (ir::BindDims) and fails, naming the op, if a value's shape
// ever disagrees with its type under those dims. Ops for which `provider`
// gives a kernel run on that kernel; Run is then no more thread-safe than
// the kernels are.
absl::StatusOr<std::unique_ptr<Executable>> CompileForInterpreter(
    const ir::Graph& graph, TensorMap weights, const KernelProvider& provider = nullptr);

}  // namespace rnnc::interp

#endif  // RNNC_BACKENDS_INTERP_INTERPRETER_H
