// rnn, lstm and gru layer stacks. One driver walks layers, directions and
// time steps for all three; the cells differ only in their step function,
// which computes one time step from the equations of docs/IR.md using the
// kernels of TensorOps.h.
//
// Notation as in docs/IR.md: W = weight_ih, U = weight_hh, b = bias_ih,
// c = bias_hh, each in blocks of H rows in PyTorch's gate order (LSTM i, f,
// g, o; GRU r, z, n); σ is the logistic sigmoid; x is one time step (N, I_l)
// of the layer's input and h, c the state (N, H).
#include "backends/interp/RecurrentLayers.h"

#include <functional>
#include <string>

#include "backends/interp/TensorOps.h"

namespace rnnc::interp {

namespace {

// The four weights of one direction of one layer.
struct DirectionWeights {
  const Tensor& weight_ih;  // W (G·H, I_l)
  const Tensor& weight_hh;  // U (G·H, H)
  const Tensor& bias_ih;    // b (G·H)
  const Tensor& bias_hh;    // c (G·H)
};

// The recurrent state between time steps; `c` is the LSTM's cell state and
// is empty for rnn and gru.
struct CellState {
  Tensor h;  // (N, H)
  Tensor c;  // (N, H)
};

// One time step: the state after reading x (N, I_l).
using StepFunction =
    std::function<CellState(const DirectionWeights& w, const Tensor& x, const CellState& state)>;

// rnn:  h' = act(W x + b + U h + c),  act = tanh or relu
StepFunction RnnStep(bool relu) {
  return [relu](const DirectionWeights& w, const Tensor& x, const CellState& state) {
    Tensor pre_activation =
        Add(Dense(x, w.weight_ih, &w.bias_ih), Dense(state.h, w.weight_hh, &w.bias_hh));  // (N, H)
    return CellState{relu ? Relu(pre_activation) : Tanh(pre_activation), Tensor()};
  };
}

// lstm: i = σ(W_i x + b_i + U_i h + c_i)      f = σ(W_f x + b_f + U_f h + c_f)
//       g = tanh(W_g x + b_g + U_g h + c_g)   o = σ(W_o x + b_o + U_o h + c_o)
//       c' = f * c + i * g
//       h' = o * tanh(c')
CellState LstmStep(const DirectionWeights& w, const Tensor& x, const CellState& state) {
  const int64_t hidden = w.weight_hh.dim(1);
  Tensor gates =
      Add(Dense(x, w.weight_ih, &w.bias_ih), Dense(state.h, w.weight_hh, &w.bias_hh));  // (N, 4H)
  std::vector<Tensor> ifgo = Split(gates, 1, {hidden, hidden, hidden, hidden});  // 4 × (N, H)
  Tensor i = Sigmoid(ifgo[0]);
  Tensor f = Sigmoid(ifgo[1]);
  Tensor g = Tanh(ifgo[2]);
  Tensor o = Sigmoid(ifgo[3]);
  Tensor c_next = Add(Mul(f, state.c), Mul(i, g));  // (N, H)
  Tensor h_next = Mul(o, Tanh(c_next));             // (N, H)
  return CellState{std::move(h_next), std::move(c_next)};
}

// gru:  r = σ(W_r x + b_r + U_r h + c_r)      z = σ(W_z x + b_z + U_z h + c_z)
//   reset after:  n = tanh(W_n x + b_n + r * (U_n h + c_n))
//   reset before: n = tanh(W_n x + b_n + U_n (r * h) + c_n)
//       h' = z * h + (1 - z) * n
StepFunction GruStep(bool reset_after) {
  return [reset_after](const DirectionWeights& w, const Tensor& x, const CellState& state) {
    const int64_t hidden = w.weight_hh.dim(1);
    const std::vector<int64_t> rzn_sizes = {hidden, hidden, hidden};
    std::vector<Tensor> input_part = Split(Dense(x, w.weight_ih, &w.bias_ih), 1, rzn_sizes);
    std::vector<Tensor> recurrent_part =
        Split(Dense(state.h, w.weight_hh, &w.bias_hh), 1, rzn_sizes);  // 3 × (N, H)
    Tensor r = Sigmoid(Add(input_part[0], recurrent_part[0]));
    Tensor z = Sigmoid(Add(input_part[1], recurrent_part[1]));
    Tensor recurrent_n;  // the recurrent term inside n's tanh, (N, H)
    if (reset_after) {
      recurrent_n = Mul(r, recurrent_part[2]);
    } else {
      Tensor weight_hh_n = Slice(w.weight_hh, 0, 2 * hidden, 3 * hidden);  // U_n (H, H)
      Tensor bias_hh_n = Slice(w.bias_hh, 0, 2 * hidden, 3 * hidden);      // c_n (H)
      recurrent_n = Dense(Mul(r, state.h), weight_hh_n, &bias_hh_n);
    }
    Tensor n = Tanh(Add(input_part[2], recurrent_n));
    const Tensor one({}, {1.0f});
    return CellState{Add(Mul(z, state.h), Mul(Sub(one, z), n)), Tensor()};
  };
}

StepFunction StepFor(const ir::Op& op) {
  switch (op.kind()) {
    case ir::OpKind::Lstm:
      return LstmStep;
    case ir::OpKind::Gru:
      return GruStep(op.string_attribute("reset", "after") == "after");
    default:
      return RnnStep(op.string_attribute("activation", "tanh") == "relu");
  }
}

// Runs one direction of one layer over x (T, N, I_l), starting from `state`
// and leaving the final state in it. A reverse direction reads t = T-1 down
// to 0; either way h_t is written at position t (PyTorch's convention).
// Returns every h_t, (T, N, H).
Tensor RunDirection(const StepFunction& step, const DirectionWeights& w, const Tensor& x,
                    bool reverse, CellState& state) {
  const int64_t steps = x.dim(0);
  Tensor outputs({steps, x.dim(1), w.weight_hh.dim(1)});
  for (int64_t i = 0; i < steps; ++i) {
    const int64_t t = reverse ? steps - 1 - i : i;
    state = step(w, Select(x, 0, t), state);
    StoreSlice(outputs, t, state.h);
  }
  return outputs;
}

// How a bidirectional stack's last layer combines its forward and reverse
// outputs (T, N, H): concat gives (T, N, 2H), the Keras modes sum, mul and
// ave (the mean) keep (T, N, H).
Tensor MergeDirections(const std::string& merge, const Tensor& forward, const Tensor& reverse) {
  if (merge == "sum") return Add(forward, reverse);
  if (merge == "mul") return Mul(forward, reverse);
  if (merge == "ave") return Div(Add(forward, reverse), Tensor({}, {2.0f}));
  return Concat({&forward, &reverse}, 2);
}

}  // namespace

std::vector<Tensor> RunRecurrentLayers(const ir::Op& op,
                                       const std::vector<const Tensor*>& operands) {
  const bool is_lstm = op.kind() == ir::OpKind::Lstm;
  const int64_t hidden = op.int_attribute("hidden_size");
  const int64_t num_layers = op.int_attribute("num_layers");
  const std::string direction = op.string_attribute("direction");
  const int64_t num_directions = direction == "bidirectional" ? 2 : 1;
  const StepFunction step = StepFor(op);

  const Tensor& x = *operands[0];  // (T, N, I)
  const int64_t batch = x.dim(1);
  // The initial states, when given, follow the 4 weights of each layer and
  // direction: h0 and, for lstm, c0, each (L·D, N, H). Absent states are zeros.
  const size_t first_state = 1 + 4 * num_layers * num_directions;
  const Tensor* h0 = operands.size() > first_state ? operands[first_state] : nullptr;
  const Tensor* c0 = is_lstm && h0 ? operands[first_state + 1] : nullptr;

  Tensor h_n({num_layers * num_directions, batch, hidden});  // (L·D, N, H)
  Tensor c_n = is_lstm ? Tensor(h_n.shape()) : Tensor();     // (L·D, N, H)
  Tensor layer_input = x;                                    // (T, N, I_l)
  std::vector<Tensor> direction_outputs;                     // D × (T, N, H)
  for (int64_t layer = 0; layer < num_layers; ++layer) {
    direction_outputs.clear();
    for (int64_t d = 0; d < num_directions; ++d) {
      // State index and weight group l·D + d: layer l, direction d (0
      // forward, 1 reverse), as PyTorch orders them.
      const int64_t k = layer * num_directions + d;
      const DirectionWeights weights{*operands[1 + 4 * k], *operands[2 + 4 * k],
                                     *operands[3 + 4 * k], *operands[4 + 4 * k]};
      CellState state{h0 ? Select(*h0, 0, k) : Tensor({batch, hidden}),
                      is_lstm ? (c0 ? Select(*c0, 0, k) : Tensor({batch, hidden})) : Tensor()};
      const bool reverse = d == 1 || direction == "reverse";
      direction_outputs.push_back(RunDirection(step, weights, layer_input, reverse, state));
      StoreSlice(h_n, k, state.h);
      if (is_lstm) StoreSlice(c_n, k, state.c);
    }
    // Between stacked layers the directions are always concatenated, as in
    // PyTorch: the next layer reads (T, N, D·H).
    if (layer + 1 < num_layers) {
      layer_input = num_directions == 2 ? Concat({&direction_outputs[0], &direction_outputs[1]}, 2)
                                        : direction_outputs[0];
    }
  }

  std::vector<Tensor> results;
  results.push_back(num_directions == 2
                        ? MergeDirections(op.string_attribute("merge", "concat"),
                                          direction_outputs[0], direction_outputs[1])
                        : std::move(direction_outputs[0]));
  results.push_back(std::move(h_n));
  if (is_lstm) results.push_back(std::move(c_n));
  return results;
}

}  // namespace rnnc::interp
