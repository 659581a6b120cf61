// The interpreter kernel that runs an rnn, lstm or gru layer op on oneDNN
// RNN primitives.
#ifndef RNNC_BACKENDS_ONEDNN_RECURRENTKERNEL_H
#define RNNC_BACKENDS_ONEDNN_RECURRENTKERNEL_H

#include <memory>

#include "absl/status/statusor.h"
#include "backends/interp/Interpreter.h"

namespace rnnc::onednn {

// An interp::KernelProvider: a kernel for `op` if it is an rnn, lstm or gru
// whose weights are params (they are converted now, once), else null.
absl::StatusOr<std::unique_ptr<interp::OpKernel>> MakeRecurrentKernel(const ir::Op& op,
                                                                      const TensorMap& weights);

}  // namespace rnnc::onednn

#endif  // RNNC_BACKENDS_ONEDNN_RECURRENTKERNEL_H
