// What every backend produces from a graph and its weights: something that
// runs the model on named inputs and returns its named outputs.
#ifndef RNNC_RUNTIME_EXECUTABLE_H
#define RNNC_RUNTIME_EXECUTABLE_H

#include "absl/status/statusor.h"
#include "runtime/Tensor.h"

namespace rnnc {

class Executable {
 public:
  virtual ~Executable() = default;
  // `inputs` maps each graph input's name (without '%') to a tensor; the
  // symbolic dims (T, N, ...) are bound from their shapes. Returns the graph
  // outputs by name. Wrong names or shapes give an error, never a crash.
  virtual absl::StatusOr<TensorMap> Run(const TensorMap& inputs) = 0;
};

}  // namespace rnnc

#endif  // RNNC_RUNTIME_EXECUTABLE_H
