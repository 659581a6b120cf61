// The oneDNN backend: the reference interpreter with oneDNN RNN primitives
// for the layer ops it recognises (rnn tanh/relu → vanilla_rnn, lstm →
// vanilla_lstm, gru reset after → lbr_gru, reset before → vanilla_gru, in
// every direction and merge, stacked, with or without initial states). Every
// other op (dense, batch_norm, scans of cell ops, ...) runs on the
// interpreter.
#ifndef RNNC_BACKENDS_ONEDNN_ONEDNNBACKEND_H
#define RNNC_BACKENDS_ONEDNN_ONEDNNBACKEND_H

#include <memory>

#include "absl/status/statusor.h"
#include "ir/Graph.h"
#include "runtime/Executable.h"
#include "runtime/Tensor.h"

namespace rnnc::onednn {

// Runs the "onednn" pipeline (passes::PipelineFor), so that scans computing
// a known cell become layer ops; then as interp::CompileForInterpreter (same
// checks, same errors), and converts the recurrent weights into oneDNN's
// gate order and layout now. The
// executable builds the primitives for each (T, N) it is run with on the
// first such run and reuses them and their buffers afterwards. Its Run is
// serialised per layer op; calls from several threads do not overlap.
absl::StatusOr<std::unique_ptr<Executable>> CompileForOnednn(const ir::Graph& graph,
                                                             TensorMap weights);

}  // namespace rnnc::onednn

#endif  // RNNC_BACKENDS_ONEDNN_ONEDNNBACKEND_H
