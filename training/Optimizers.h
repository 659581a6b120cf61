// Optimizers: update weights in place from the gradients differentiate's
// graph outputs (`grad.<param>`), with PyTorch's update rules and defaults.
//
//   training::Adam adam(training::AdamOptions().lr(1e-3));
//   absl::Status status = adam.Step(weights, outputs);  // outputs hold grad.<name>
//
// State (momentum buffers, moments, step count) lives in the optimizer, per
// weight name, and starts on the first step as PyTorch's does. Arithmetic is
// in double per element; weights and state buffers are stored back as f32,
// as torch.optim keeps an f32 model's state, so that State() is exact and a
// run resumed from a checkpoint continues bit for bit.
#ifndef RNNC_TRAINING_OPTIMIZERS_H
#define RNNC_TRAINING_OPTIMIZERS_H

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "runtime/Tensor.h"

namespace rnnc::training {

#define RNNC_OPTIMIZER_OPTION(Type, name) \
  auto& name(Type value) {                \
    name##_ = value;                      \
    return *this;                         \
  }                                       \
  Type name() const { return name##_; }

// torch.optim.SGD's options and defaults (lr has none there; 0.01 here).
class SgdOptions {
 public:
  RNNC_OPTIMIZER_OPTION(double, lr)
  RNNC_OPTIMIZER_OPTION(double, momentum)
  RNNC_OPTIMIZER_OPTION(double, dampening)
  RNNC_OPTIMIZER_OPTION(double, weight_decay)
  RNNC_OPTIMIZER_OPTION(bool, nesterov)

 private:
  double lr_ = 0.01;
  double momentum_ = 0;
  double dampening_ = 0;
  double weight_decay_ = 0;
  bool nesterov_ = false;
};

// torch.optim.Adam's (and, with decoupled_weight_decay, AdamW's) options.
// Keras's Adam is the same update with epsilon = 1e-7: AdamOptions::Keras().
class AdamOptions {
 public:
  RNNC_OPTIMIZER_OPTION(double, lr)
  RNNC_OPTIMIZER_OPTION(double, beta1)
  RNNC_OPTIMIZER_OPTION(double, beta2)
  RNNC_OPTIMIZER_OPTION(double, epsilon)
  RNNC_OPTIMIZER_OPTION(double, weight_decay)
  // AdamW (Loshchilov & Hutter): decay the weights directly, not through
  // the gradient.
  RNNC_OPTIMIZER_OPTION(bool, decoupled_weight_decay)
  // AdamW's defaults: weight_decay 0.01, decoupled.
  static AdamOptions AdamW() { return AdamOptions().weight_decay(0.01).decoupled_weight_decay(true); }
  // tf.keras.optimizers.Adam's defaults: learning_rate 0.001, beta_1 0.9,
  // beta_2 0.999, epsilon 1e-7.
  static AdamOptions Keras() { return AdamOptions().epsilon(1e-7); }

 private:
  double lr_ = 1e-3;
  double beta1_ = 0.9;
  double beta2_ = 0.999;
  double epsilon_ = 1e-8;
  double weight_decay_ = 0;
  bool decoupled_weight_decay_ = false;
};

#undef RNNC_OPTIMIZER_OPTION

// Gradient clipping, on the `grad.*` tensors of `gradients` (other entries,
// such as the loss, are left alone), before an optimizer step.
//
// torch.nn.utils.clip_grad_norm_: with n = √(Σ g²) over every element of
// every gradient, each is scaled by max_norm / (n + 1e-6) when that is < 1.
// Returns n, the norm before clipping.
double ClipGradientsByGlobalNorm(TensorMap& gradients, double max_norm);
// torch.nn.utils.clip_grad_value_: every element clamped to [-limit, limit].
void ClipGradientsByValue(TensorMap& gradients, double limit);

class Optimizer {
 public:
  virtual ~Optimizer() = default;
  // Updates every tensor of `weights` from `gradients`["grad.<name>"], which
  // must be there with the weight's shape (else an error naming it, and no
  // weight is changed).
  absl::Status Step(TensorMap& weights, const TensorMap& gradients);

  // "sgd" or "adam": what a checkpoint records, to refuse a mismatch.
  virtual std::string name() const = 0;
  // The learning rate of the next steps; a schedule (LearningRate.h) sets it.
  virtual double lr() const = 0;
  virtual void set_lr(double lr) = 0;

  // Steps taken so far (Adam's bias correction counts them).
  int64_t steps() const { return steps_; }
  // The buffers, flat, named "<weight>.<buffer>" with torch.optim's buffer
  // names (momentum_buffer; exp_avg, exp_avg_sq). Empty before the first
  // step.
  TensorMap State() const;
  // Replaces the state with one State() gave after `steps` steps. Every
  // tensor must name a weight of `weights` and a buffer of this optimizer,
  // with the weight's element count, and a weight has all its buffers or
  // none. On error nothing changes.
  absl::Status RestoreState(const TensorMap& state, int64_t steps, const TensorMap& weights);

 protected:
  // θ (one weight's elements) updated in place from g, each element in
  // double and stored back as f32; `state` holds the optimizer's buffers of
  // that weight (BufferNames() order), created empty on its first step.
  virtual void Update(std::span<float> theta, std::span<const float> g,
                      std::vector<std::vector<float>>& state) = 0;
  virtual std::vector<std::string> BufferNames() const = 0;

 private:
  int64_t steps_ = 0;
  std::map<std::string, std::vector<std::vector<float>>> state_;
};

class Sgd : public Optimizer {
 public:
  explicit Sgd(SgdOptions options) : options_(options) {}
  std::string name() const override { return "sgd"; }
  double lr() const override { return options_.lr(); }
  void set_lr(double lr) override { options_.lr(lr); }

 private:
  void Update(std::span<float> theta, std::span<const float> g,
              std::vector<std::vector<float>>& state) override;
  std::vector<std::string> BufferNames() const override { return {"momentum_buffer"}; }
  SgdOptions options_;
};

class Adam : public Optimizer {
 public:
  explicit Adam(AdamOptions options) : options_(options) {}
  std::string name() const override { return "adam"; }
  double lr() const override { return options_.lr(); }
  void set_lr(double lr) override { options_.lr(lr); }

 private:
  void Update(std::span<float> theta, std::span<const float> g,
              std::vector<std::vector<float>>& state) override;
  std::vector<std::string> BufferNames() const override { return {"exp_avg", "exp_avg_sq"}; }
  AdamOptions options_;
};

}  // namespace rnnc::training

#endif  // RNNC_TRAINING_OPTIMIZERS_H
