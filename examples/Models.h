// The example models, written with the DSL. The programs in this folder
// build them, and the tests check them against PyTorch.
#ifndef RNNC_EXAMPLES_MODELS_H
#define RNNC_EXAMPLES_MODELS_H

#include "frontend/DSL.h"

namespace rnnc::examples {

// The stacked-GRU binary classifier: GRU 50→128 returning sequences,
// GRU 128→64 returning its last step, Dense 64→1, sigmoid.
// Input x (T, N, 50); output y (N, 1), the probability of class 1.
// Parameters are named as the PyTorch module with submodules gru1, gru2 and
// dense, so its state_dict loads as it is.
inline void BuildGruClassifier(Model& m) {
  Var x = m.Input("x", {dims::T, dims::N, 50});
  Var sequence = nn::GRU(m, "gru1", nn::GRUOptions(50, 128))(x);      // (T, N, 128)
  Var last = nn::GRU(m, "gru2", nn::GRUOptions(128, 64).return_sequences(false))(sequence);  // (N, 64)
  Var y = nn::Dense(m, "dense", nn::DenseOptions(64, 1).activation("sigmoid"))(last);  // (N, 1)
  m.Output("y", y);
}

// A bidirectional GRU sequence tagger: each time step of x (T, N, 16) gets a
// distribution over 5 tags, tags (T, N, 5), from a bidirectional GRU of 32
// units per direction (concatenated, 64) and a softmax Dense head.
inline void BuildGruTagger(Model& m) {
  Var x = m.Input("x", {dims::T, dims::N, 16});
  Var states = nn::GRU(m, "gru", nn::GRUOptions(16, 32).bidirectional(true))(x);  // (T, N, 64)
  Var tags = nn::Dense(m, "tagger", nn::DenseOptions(64, 5).activation("softmax"))(states);
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
  Var logits = nn::Dense(m, "dense", nn::DenseOptions(128, 10))(last);              // (N, 10)
  m.Output("logits", logits);
}

}  // namespace rnnc::examples

#endif  // RNNC_EXAMPLES_MODELS_H
