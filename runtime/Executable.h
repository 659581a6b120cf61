// What every backend produces from a graph and its weights: something that
// runs the model on named inputs and returns its named outputs.
#ifndef RNNC_RUNTIME_EXECUTABLE_H
#define RNNC_RUNTIME_EXECUTABLE_H

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "runtime/Tensor.h"

namespace rnnc {

class Executable {
 public:
  virtual ~Executable() = default;

  // `inputs` maps each graph input's name (without '%') to a tensor; the
  // symbolic dims (T, N, ...) are bound from their shapes. The graph outputs
  // are written into `outputs` by name. A tensor already there with the
  // output's shape is written in place, so a caller that keeps `outputs`
  // from one call to the next reuses its buffers: a large result costs no
  // allocation and no page faults per call. Other entries are replaced, and
  // entries that name no output are left alone. Wrong names or shapes give
  // an error, never a crash; after an error the outputs' values are
  // unspecified.
  virtual absl::Status Run(const TensorMap& inputs, TensorMap& outputs) = 0;

  // The same into fresh tensors.
  absl::StatusOr<TensorMap> Run(const TensorMap& inputs) {
    TensorMap outputs;
    if (absl::Status status = Run(inputs, outputs); !status.ok()) return status;
    return outputs;
  }
};

}  // namespace rnnc

#endif  // RNNC_RUNTIME_EXECUTABLE_H
