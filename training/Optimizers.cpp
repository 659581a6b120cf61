// SGD and Adam/AdamW, as torch.optim computes them (see Optimizers.h).
#include "training/Optimizers.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_format.h"

namespace rnnc::training {

namespace {

bool IsGradient(const std::string& name) { return name.rfind("grad.", 0) == 0; }

}  // namespace

double ClipGradientsByGlobalNorm(TensorMap& gradients, double max_norm) {
  double sum_of_squares = 0;
  for (const auto& [name, gradient] : gradients) {
    if (!IsGradient(name)) continue;
    for (float g : gradient.values()) sum_of_squares += double{g} * g;
  }
  const double norm = std::sqrt(sum_of_squares);
  const double factor = max_norm / (norm + 1e-6);
  if (factor < 1) {
    for (auto& [name, gradient] : gradients) {
      if (!IsGradient(name)) continue;
      for (float& g : gradient.values()) g = static_cast<float>(g * factor);
    }
  }
  return norm;
}

void ClipGradientsByValue(TensorMap& gradients, double limit) {
  for (auto& [name, gradient] : gradients) {
    if (!IsGradient(name)) continue;
    for (float& g : gradient.values()) {
      g = static_cast<float>(std::clamp<double>(g, -limit, limit));
    }
  }
}

absl::Status Optimizer::Step(TensorMap& weights, const TensorMap& gradients) {
  for (const auto& [name, weight] : weights) {
    auto it = gradients.find("grad." + name);
    if (it == gradients.end()) {
      return absl::InvalidArgumentError(
          absl::StrFormat("optimizer step: no gradient 'grad.%s' for weight '%s'", name, name));
    }
    if (it->second.shape() != weight.shape()) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "optimizer step: gradient 'grad.%s' has shape %s, weight '%s' has %s", name,
          it->second.ShapeString(), name, weight.ShapeString()));
    }
  }
  ++steps_;
  for (auto& [name, weight] : weights) {
    const Tensor& gradient = gradients.at("grad." + name);
    std::vector<double> theta(weight.values().begin(), weight.values().end());
    const std::vector<double> g(gradient.values().begin(), gradient.values().end());
    Update(theta, g, state_[name]);
    for (size_t e = 0; e < theta.size(); ++e) weight.data()[e] = static_cast<float>(theta[e]);
  }
  return absl::OkStatus();
}

// With weight decay λ, momentum μ, dampening τ (torch.optim.SGD):
//   g ← g + λθ
//   b ← g on the first step, else μb + (1 - τ)g
//   g ← g + μb (Nesterov), else b
//   θ ← θ - lr·g
void Sgd::Update(std::vector<double>& theta, const std::vector<double>& gradient,
                 std::vector<std::vector<double>>& state) {
  const double mu = options_.momentum();
  const bool first = state.empty();
  if (mu != 0 && first) state.emplace_back(theta.size(), 0.0);
  for (size_t e = 0; e < theta.size(); ++e) {
    double g = gradient[e] + options_.weight_decay() * theta[e];
    if (mu != 0) {
      double& b = state[0][e];
      b = first ? g : mu * b + (1 - options_.dampening()) * g;
      g = options_.nesterov() ? g + mu * b : b;
    }
    theta[e] -= options_.lr() * g;
  }
}

// Step t (from 1), torch.optim.Adam / AdamW:
//   θ ← θ(1 - lr·λ) (AdamW)         or  g ← g + λθ (Adam)
//   m ← β₁m + (1 - β₁)g               v ← β₂v + (1 - β₂)g²
//   θ ← θ - (lr / (1 - β₁ᵗ)) · m / (√v / √(1 - β₂ᵗ) + ε)
void Adam::Update(std::vector<double>& theta, const std::vector<double>& gradient,
                  std::vector<std::vector<double>>& state) {
  if (state.empty()) state.assign(2, std::vector<double>(theta.size(), 0.0));
  const double t = static_cast<double>(steps());
  const double beta1 = options_.beta1();
  const double beta2 = options_.beta2();
  const double step_size = options_.lr() / (1 - std::pow(beta1, t));
  const double root_correction2 = std::sqrt(1 - std::pow(beta2, t));
  for (size_t e = 0; e < theta.size(); ++e) {
    double g = gradient[e];
    if (options_.decoupled_weight_decay()) {
      theta[e] *= 1 - options_.lr() * options_.weight_decay();
    } else {
      g += options_.weight_decay() * theta[e];
    }
    double& m = state[0][e];
    double& v = state[1][e];
    m = beta1 * m + (1 - beta1) * g;
    v = beta2 * v + (1 - beta2) * g * g;
    theta[e] -= step_size * m / (std::sqrt(v) / root_correction2 + options_.epsilon());
  }
}

}  // namespace rnnc::training
