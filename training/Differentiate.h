// differentiate: the gradient graph of a scalar loss. Reverse-mode
// differentiation over the IR, with backpropagation through time over scans.
//
//   DifferentiateOptions options;
//   options.loss = "loss";
//   absl::StatusOr<ir::Graph> gradients = Differentiate(forward, options);
//
// The result is IR like any other: the same inputs and params, the forward
// outputs, then `grad.<param>` for every param in order (and `grad.<input>`
// for every input when asked), each of its param's type. It verifies, prints,
// and runs on any backend that has its ops. Layer ops (rnn, lstm, gru) are
// first expanded into scans by expand-rnn-layers and differentiated as scans.
#ifndef RNNC_TRAINING_DIFFERENTIATE_H
#define RNNC_TRAINING_DIFFERENTIATE_H

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "ir/Graph.h"

namespace rnnc::training {

struct DifferentiateOptions {
  // The graph output to differentiate: a scalar, f32[].
  std::string loss = "loss";
  // Also give grad.<input> for every input.
  bool input_gradients = false;
  // Truncated BPTT: when k > 0, the gradient through a scan's carried state
  // is cut after every k-th step of the backward loop, which starts at the
  // scan's last step: windows [T-k, T), [T-2k, T-k), ... in the scan's own
  // order, the state entering each window treated as a constant (so the
  // initial carries get a gradient only when k does not divide T). Weights'
  // gradients still sum over every step. 0: full BPTT.
  int64_t truncate_bptt = 0;
};

// Errors: the loss is not an output or not a scalar, the forward graph does
// not verify, or an op's gradient is not defined (naming the op and why).
absl::StatusOr<ir::Graph> Differentiate(const ir::Graph& forward,
                                        const DifferentiateOptions& options);

}  // namespace rnnc::training

#endif  // RNNC_TRAINING_DIFFERENTIATE_H
