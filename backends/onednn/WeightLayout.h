// PyTorch's recurrent weights in oneDNN's gate order and layout: what the
// oneDNN backend converts once, at compile time, before oneDNN reorders the
// result into whatever layout its primitive prefers.
#ifndef RNNC_BACKENDS_ONEDNN_WEIGHTLAYOUT_H
#define RNNC_BACKENDS_ONEDNN_WEIGHTLAYOUT_H

#include <cstdint>
#include <vector>

#include "runtime/Tensor.h"

namespace rnnc::onednn {

// The recurrent cells oneDNN has a primitive for, as the IR spells them.
enum class Cell { kRnnTanh, kRnnRelu, kLstm, kGruResetAfter, kGruResetBefore };

// G: PyTorch's gate blocks per weight matrix (rnn 1, lstm 4, gru 3).
int64_t NumGates(Cell cell);
// oneDNN's bias blocks: G, except lbr_gru's 4.
int64_t NumBiasGates(Cell cell);

// One direction of one layer, as PyTorch stores it.
struct DirectionWeights {
  const Tensor* weight_ih;  // W (G·H, I_l)
  const Tensor* weight_hh;  // U (G·H, H)
  const Tensor* bias_ih;    // b (G·H)
  const Tensor* bias_hh;    // c (G·H)
};

// Weights of L layers × D directions in oneDNN's order, as plain buffers:
// `layer` is ldgoi (L, D, G, H, I_l) — oneDNN's name for the dims
// (L, D, I_l, G, H) stored gate-major, which is PyTorch's (G·H, I_l)
// matrix — `iter` likewise with H for I_l, and `bias` is ldgo (L, D, G_b, H).
struct OnednnWeights {
  std::vector<float> layer;
  std::vector<float> iter;
  std::vector<float> bias;
};

// `directions` holds the L·D groups in PyTorch's order, layer-major
// (index l·D + d), which is also oneDNN's (l, d) order. All must have the
// same I_l and H.
OnednnWeights ConvertWeights(Cell cell, const std::vector<DirectionWeights>& directions);

}  // namespace rnnc::onednn

#endif  // RNNC_BACKENDS_ONEDNN_WEIGHTLAYOUT_H
