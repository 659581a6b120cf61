// The floor the benchmarks measure the backend against: the one oneDNN RNN
// primitive a layer op maps to, at a fixed (T, N), with its weights already
// in its preferred layout and its buffers allocated, executed directly with
// nothing of rnnc around it.
#ifndef RNNC_BACKENDS_ONEDNN_DIRECTPRIMITIVE_H
#define RNNC_BACKENDS_ONEDNN_DIRECTPRIMITIVE_H

#include <memory>

#include "absl/status/statusor.h"
#include "ir/Graph.h"
#include "runtime/Tensor.h"

namespace rnnc::onednn {

class DirectPrimitive {
 public:
  // `graph` holds one rnn, lstm or gru op that is a single oneDNN primitive
  // (one segment, merge concat or sum), with `weights` for its params; `x`
  // (T, N, I) is copied into the primitive's input. The initial states are
  // zeros.
  static absl::StatusOr<std::unique_ptr<DirectPrimitive>> Create(const ir::Graph& graph,
                                                                 const TensorMap& weights,
                                                                 const Tensor& x);
  ~DirectPrimitive();

  // One execution of the primitive, waited for.
  absl::Status Execute();

 private:
  struct Impl;
  explicit DirectPrimitive(std::unique_ptr<Impl> impl);
  std::unique_ptr<Impl> impl_;
};

}  // namespace rnnc::onednn

#endif  // RNNC_BACKENDS_ONEDNN_DIRECTPRIMITIVE_H
