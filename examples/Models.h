// The example models, written with the DSL. The programs in this folder
// build them, and the tests check them against PyTorch.
#ifndef RNNC_EXAMPLES_MODELS_H
#define RNNC_EXAMPLES_MODELS_H

#include <cstdint>
#include <string>

#include "frontend/DSL.h"

namespace rnnc::examples {

// The recurrent layers of BuildGruClassifier: PyTorch's GRU, or the GRU
// with batch norm on its input projections (nn::BatchNormGRU), whose
// parameters differ only in that BN's weight and bias (bn_ih.*) replace
// bias_ih_l0.
enum class Recurrence { kGru, kBatchNormGru };

// The stacked-GRU binary classifier: GRU 50→128 returning sequences,
// GRU 128→64 returning its last step, Dense 64→1, sigmoid.
// Input x (T, N, 50); output y (N, 1), the probability of class 1.
// Parameters are named as the PyTorch module with submodules gru1, gru2 and
// dense, so its state_dict loads as it is.
inline void BuildGruClassifier(Model& m, Recurrence recurrence = Recurrence::kGru) {
  auto layer = [&](const std::string& name, nn::GRUOptions options, Var x) {
    return recurrence == Recurrence::kGru ? nn::GRU(m, name, options)(x)
                                          : nn::BatchNormGRU(m, name, options)(x);
  };
  Var x = m.Input("x", {dims::T, dims::N, 50});
  Var sequence = layer("gru1", nn::GRUOptions(50, 128), x);  // (T, N, 128)
  Var last = layer("gru2", nn::GRUOptions(128, 64).return_sequences(false), sequence);  // (N, 64)
  Var y = nn::Dense(m, "dense", nn::DenseOptions(64, 1).activation("sigmoid"))(last);   // (N, 1)
  m.Output("y", y);
}

// A bidirectional GRU sequence tagger: each time step of x (T, N, features)
// gets a score per tag, tags (T, N, tags), from a bidirectional GRU of
// `hidden` units per direction (concatenated, 2·hidden) and a Dense head
// with `activation`: softmax gives a distribution over the tags; "linear"
// gives logits for losses::SoftmaxCrossEntropy.
struct TaggerOptions {
  int64_t features = 16;
  int64_t hidden = 32;
  int64_t tags = 5;
  std::string activation = "softmax";
};
inline void BuildGruTagger(Model& m, const TaggerOptions& options = {}) {
  Var x = m.Input("x", {dims::T, dims::N, options.features});
  Var states =
      nn::GRU(m, "gru", nn::GRUOptions(options.features, options.hidden).bidirectional(true))(
          x);  // (T, N, 2·hidden)
  Var tags =
      nn::Dense(m, "tagger",
                nn::DenseOptions(2 * options.hidden, options.tags).activation(options.activation))(
          states);  // (T, N, tags)
  m.Output("tags", tags);
}

// The Fashion-MNIST classifier: each 28×28 image read as a sequence of 28
// rows of 28 pixels, x (T = 28, N, 28); a GRU of 128 units whose last state
// (N, 128) a Dense layer maps to logits (N, 10), the output "logits". The
// softmax is in the loss (losses::SoftmaxCrossEntropy), as PyTorch's
// nn.CrossEntropyLoss takes logits.
inline void BuildFashionMnistGru(Model& m) {
  Var x = m.Input("x", {dims::T, dims::N, 28});
  Var last = nn::GRU(m, "gru", nn::GRUOptions(28, 128).return_sequences(false))(x);  // (N, 128)
  Var logits = nn::Dense(m, "dense", nn::DenseOptions(128, 10))(last);               // (N, 10)
  m.Output("logits", logits);
}

}  // namespace rnnc::examples

#endif  // RNNC_EXAMPLES_MODELS_H
