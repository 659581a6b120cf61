// PyTorch → oneDNN weights. The facts, checked against oneDNN 2.6's RNN
// documentation and against the interpreter by the golden and differential
// tests:
//
// - Layout: PyTorch's weight_ih (G·H, I) is row-major with row g·H + o, so
//   element (g, o, i) sits at (g·H + o)·I + i: exactly oneDNN's `ldgoi`
//   layout of the logical dims (L, D, I, G, O) for one layer and direction.
//   Stacking the (l, d) groups in PyTorch's l·D + d order gives the whole
//   ldgoi tensor; no transpose is needed, only gate blocks reordered.
// - rnn:  h' = act(W x + U h + B), B = b + c.
// - lstm: oneDNN's gates i, f, c̃, o are PyTorch's i, f, g, o in that order;
//   B = b + c per gate.
// - gru, reset after = oneDNN lbr_gru, gates u, r, o:
//     u = σ(W_u x + U_u h + B_u)   r = σ(W_r x + U_r h + B_r)
//     o = tanh(W_o x + B_o + r * (U_o h + B_o'))   h' = u * h + (1 - u) * o
//   u is PyTorch's z (h' = z * h + (1 - z) * n, same side), r is r, o is n:
//   the first two gate blocks swap (r, z, n → z, r, n), and the bias has four
//   blocks [b_z + c_z, b_r + c_r, b_n, c_n].
// - gru, reset before = oneDNN vanilla_gru, same gates:
//     o = tanh(W_o x + U_o (r * h) + B_o)
//   with one bias per gate: [b_z + c_z, b_r + c_r, b_n + c_n], blocks
//   swapped as for lbr_gru. oneDNN's u again weighs the old state.
#include "backends/onednn/WeightLayout.h"

namespace rnnc::onednn {

namespace {

bool IsGru(Cell cell) { return cell == Cell::kGruResetAfter || cell == Cell::kGruResetBefore; }

// The PyTorch gate block that oneDNN's gate `gate` takes.
int64_t PyTorchGate(Cell cell, int64_t gate) {
  if (IsGru(cell) && gate < 2) return 1 - gate;  // z, r from r, z
  return gate;
}

// Appends the G·H rows of `weight` (G·H, K), gate blocks in oneDNN's order.
void AppendGateRows(Cell cell, const Tensor& weight, int64_t hidden, std::vector<float>& out) {
  const int64_t block = hidden * weight.dim(1);  // one gate's H rows
  for (int64_t gate = 0; gate < NumGates(cell); ++gate) {
    const float* begin = weight.data() + PyTorchGate(cell, gate) * block;
    out.insert(out.end(), begin, begin + block);
  }
}

void AppendBias(Cell cell, const DirectionWeights& w, int64_t hidden, std::vector<float>& out) {
  const float* b = w.bias_ih->data();
  const float* c = w.bias_hh->data();
  for (int64_t gate = 0; gate < NumGates(cell); ++gate) {
    const int64_t from = PyTorchGate(cell, gate) * hidden;
    // lbr_gru keeps n's recurrent bias inside r * (U h + c_n): its own block.
    const bool split = cell == Cell::kGruResetAfter && gate == 2;
    for (int64_t o = 0; o < hidden; ++o) out.push_back(split ? b[from + o] : b[from + o] + c[from + o]);
  }
  if (cell == Cell::kGruResetAfter) out.insert(out.end(), c + 2 * hidden, c + 3 * hidden);
}

}  // namespace

int64_t NumGates(Cell cell) {
  switch (cell) {
    case Cell::kLstm:
      return 4;
    case Cell::kGruResetAfter:
    case Cell::kGruResetBefore:
      return 3;
    default:
      return 1;
  }
}

int64_t NumBiasGates(Cell cell) { return cell == Cell::kGruResetAfter ? 4 : NumGates(cell); }

OnednnWeights ConvertWeights(Cell cell, const std::vector<DirectionWeights>& directions) {
  OnednnWeights converted;
  for (const DirectionWeights& w : directions) {
    const int64_t hidden = w.weight_hh->dim(1);
    AppendGateRows(cell, *w.weight_ih, hidden, converted.layer);
    AppendGateRows(cell, *w.weight_hh, hidden, converted.iter);
    AppendBias(cell, w, hidden, converted.bias);
  }
  return converted;
}

}  // namespace rnnc::onednn
