// Non-recurrent layers of the DSL: nn::Dense (PyTorch's nn.Linear, Keras's
// Dense with its activation) and nn::BatchNorm (inference form).
#ifndef RNNC_FRONTEND_LAYERS_H
#define RNNC_FRONTEND_LAYERS_H

#include <string>

#include "frontend/Model.h"

namespace rnnc::nn {

class DenseOptions {
 public:
  DenseOptions(int64_t in_features, int64_t out_features)
      : in_features_(in_features), out_features_(out_features) {}
  DenseOptions& bias(bool value) { bias_ = value; return *this; }
  // Keras's activation argument: "linear" (none), "sigmoid", "tanh", "relu",
  // "softmax".
  DenseOptions& activation(std::string value) { activation_ = std::move(value); return *this; }
  int64_t in_features() const { return in_features_; }
  int64_t out_features() const { return out_features_; }
  bool bias() const { return bias_; }
  const std::string& activation() const { return activation_; }

 private:
  int64_t in_features_;
  int64_t out_features_;
  bool bias_ = true;
  std::string activation_ = "linear";
};

// y = activation(x · weightᵀ + bias) over the last axis. Parameters
// `<name>.weight` (Out, In) and `<name>.bias` (Out), initialised as
// nn.Linear: U(-1/√In, 1/√In).
class Dense {
 public:
  Dense(Model& model, const std::string& name, DenseOptions options);
  Var operator()(Var x);

 private:
  Model& model_;
  DenseOptions options_;
  Var weight_;
  Var bias_;
};

// (x - running_mean) / sqrt(running_var + epsilon) * weight + bias over the
// last axis. Parameters `<name>.weight`, `.bias`, `.running_mean`,
// `.running_var`, started as PyTorch does (1, 0, 0, 1).
class BatchNorm {
 public:
  // `momentum` is PyTorch's: how far one training step moves the running
  // statistics towards the batch's (training::TrainingForm).
  BatchNorm(Model& model, const std::string& name, int64_t features, double epsilon = 1e-5,
            double momentum = 0.1);
  Var operator()(Var x);

 private:
  Model& model_;
  double epsilon_;
  double momentum_;
  Vars params_;
};

// An activation by its Keras name; an unknown name is kept as the model's error.
Var Activation(Var x, const std::string& name);

}  // namespace rnnc::nn

#endif  // RNNC_FRONTEND_LAYERS_H
