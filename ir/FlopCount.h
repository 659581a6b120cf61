// How much arithmetic a graph does for one run, for GFLOP/s figures.
#ifndef RNNC_IR_FLOP_COUNT_H
#define RNNC_IR_FLOP_COUNT_H

#include <cstdint>

#include "absl/status/statusor.h"
#include "ir/Graph.h"

namespace rnnc::ir {

// Floating-point operations of one run under `bound`, counting what the
// field counts: 2·M·K·N per matrix product (a multiply and an add), and for
// the layer ops their products only, 2·T·N·G·H·(I + H) per layer and
// direction (G = 1 rnn, 4 lstm, 3 gru), the convention of the oneDNN and
// cuDNN benchmarks. Elementwise ops count one per element. A scan's body
// counts once per step.
absl::StatusOr<int64_t> CountFlops(const Graph& graph, const BoundDims& bound);

}  // namespace rnnc::ir

#endif  // RNNC_IR_FLOP_COUNT_H
