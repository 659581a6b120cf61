// Whole recurrent layers in the spirit of the PyTorch C++ frontend, with the
// Keras conveniences: nn::RNN, nn::LSTM and nn::GRU, stacked and
// bidirectional, each one `rnn`/`lstm`/`gru` layer op in the IR.
//
//   nn::GRU gru(m, "gru1", nn::GRUOptions(50, 128).num_layers(2));
//   Var seq = gru(x);                       // (T, N, 128)
//   nn::RecurrentOutputs all = gru.Forward(x, {h0});
//
// Parameters are PyTorch's: `<name>.weight_ih_l0`, `..._reverse`, gate order
// i,f,g,o (LSTM) and r,z,n (GRU), initialised as PyTorch does, U(-1/√H, 1/√H).
#ifndef RNNC_FRONTEND_RECURRENT_H
#define RNNC_FRONTEND_RECURRENT_H

#include <string>

#include "frontend/Model.h"

namespace rnnc::nn {

enum class Merge { kConcat, kSum, kMul, kAve };
enum class Reset { kAfter, kBefore };

#define RNNC_OPTION(Type, name)        \
  auto& name(Type value) {             \
    name##_ = std::move(value);        \
    return *this;                      \
  }                                    \
  const Type& name() const { return name##_; }

// Options of all three layers; nonlinearity is read by RNN only, reset by GRU
// only.
class RecurrentOptions {
 public:
  RecurrentOptions(int64_t input_size, int64_t hidden_size)
      : input_size_(input_size), hidden_size_(hidden_size) {}
  RNNC_OPTION(int64_t, input_size)
  RNNC_OPTION(int64_t, hidden_size)
  RNNC_OPTION(int64_t, num_layers)
  RNNC_OPTION(bool, bidirectional)
  // Keras's merge_mode for bidirectional layers; PyTorch concatenates.
  RNNC_OPTION(Merge, merge)
  // "tanh" or "relu", as nn.RNN's nonlinearity.
  RNNC_OPTION(std::string, nonlinearity)
  // After the recurrent matmul as PyTorch and Keras reset_after=True, or
  // before it as Cho et al. 2014 and Keras reset_after=False.
  RNNC_OPTION(Reset, reset)
  // Inputs (and sequence outputs) are (N, T, features), as PyTorch's
  // batch_first=True and Keras take them.
  RNNC_OPTION(bool, batch_first)
  // Keras's return_sequences: false gives the last step, (N, H_out).
  RNNC_OPTION(bool, return_sequences)

 private:
  int64_t input_size_;
  int64_t hidden_size_;
  int64_t num_layers_ = 1;
  bool bidirectional_ = false;
  Merge merge_ = Merge::kConcat;
  std::string nonlinearity_ = "tanh";
  Reset reset_ = Reset::kAfter;
  bool batch_first_ = false;
  bool return_sequences_ = true;
};

#undef RNNC_OPTION

using RNNOptions = RecurrentOptions;
using LSTMOptions = RecurrentOptions;
using GRUOptions = RecurrentOptions;

// What a layer computes: `output` as the options shape it (sequence or last
// step, batch-first or not), and the final states (L·D, N, H); `c_n` is LSTM's.
struct RecurrentOutputs {
  Var output;
  Var h_n;
  Var c_n;
};

// Initial states (L·D, N, H); absent ones are zeros.
struct InitialStates {
  Var h0;
  Var c0;
};

class Recurrent {
 public:
  // The output, shaped by the options.
  Var operator()(Var x) { return Forward(x).output; }
  RecurrentOutputs Forward(Var x, InitialStates initial = {});
  const RecurrentOptions& options() const { return options_; }

 protected:
  // `name` prefixes the parameters ("gru1" gives "gru1.weight_ih_l0"); an
  // empty name gives PyTorch's names for a bare layer ("weight_ih_l0").
  Recurrent(Model& model, ir::OpKind kind, const std::string& name, RecurrentOptions options);

 private:
  Model& model_;
  ir::OpKind kind_;
  RecurrentOptions options_;
  Vars weights_;  // operand order of the layer op
};

class RNN : public Recurrent {
 public:
  RNN(Model& model, const std::string& name, RNNOptions options)
      : Recurrent(model, ir::OpKind::Rnn, name, std::move(options)) {}
};

class LSTM : public Recurrent {
 public:
  LSTM(Model& model, const std::string& name, LSTMOptions options)
      : Recurrent(model, ir::OpKind::Lstm, name, std::move(options)) {}
};

class GRU : public Recurrent {
 public:
  GRU(Model& model, const std::string& name, GRUOptions options)
      : Recurrent(model, ir::OpKind::Gru, name, std::move(options)) {}
};

}  // namespace rnnc::nn

#endif  // RNNC_FRONTEND_RECURRENT_H
