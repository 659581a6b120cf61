// The layer ops rnn, lstm and gru in the interpreter: a stack of recurrent
// layers, each forward, reverse or bidirectional, exactly as docs/IR.md
// ("Layer ops") and PyTorch's nn.RNN, nn.LSTM and nn.GRU define them.
#ifndef RNNC_BACKENDS_INTERP_RECURRENTLAYERS_H
#define RNNC_BACKENDS_INTERP_RECURRENTLAYERS_H

#include <vector>

#include "ir/Graph.h"
#include "runtime/Tensor.h"

namespace rnnc::interp {

// Runs `op` (an rnn, lstm or gru) on `operands`, given in the op's operand
// order: x (T, N, I), four weights per layer and direction, then optionally
// h0 (and c0 for lstm), each (L·D, N, H). The operands must have the shapes
// ir::InferResultTypes accepts for the op. Returns output (T, N, H_out),
// h_n (L·D, N, H) and, for lstm, c_n (L·D, N, H).
std::vector<Tensor> RunRecurrentLayers(const ir::Op& op,
                                       const std::vector<const Tensor*>& operands);

}  // namespace rnnc::interp

#endif  // RNNC_BACKENDS_INTERP_RECURRENTLAYERS_H
