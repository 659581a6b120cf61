// SGD and Adam/AdamW, as torch.optim computes them (see Optimizers.h).
#include "training/Optimizers.h"

#include <algorithm>
#include <cmath>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

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
    Update(weight.values(), gradient.values(), state_[name]);
  }
  return absl::OkStatus();
}

TensorMap Optimizer::State() const {
  TensorMap state;
  const std::vector<std::string> buffers = BufferNames();
  for (const auto& [weight, values] : state_) {
    for (size_t k = 0; k < values.size(); ++k) {
      state[absl::StrCat(weight, ".", buffers[k])] =
          Tensor({static_cast<int64_t>(values[k].size())}, values[k]);
    }
  }
  return state;
}

absl::Status Optimizer::RestoreState(const TensorMap& state, int64_t steps,
                                     const TensorMap& weights) {
  if (steps < 0) {
    return absl::InvalidArgumentError(
        absl::StrFormat("%s state: step count %d, expected >= 0", name(), steps));
  }
  const std::vector<std::string> buffers = BufferNames();
  std::map<std::string, std::vector<std::vector<float>>> restored;
  size_t used = 0;
  for (const auto& [weight_name, weight] : weights) {
    std::vector<std::vector<float>> values;
    for (const std::string& buffer : buffers) {
      auto it = state.find(absl::StrCat(weight_name, ".", buffer));
      if (it == state.end()) continue;
      if (it->second.num_elements() != weight.num_elements()) {
        return absl::InvalidArgumentError(absl::StrFormat(
            "%s state '%s': %d elements, but weight '%s' has %d (shape %s)", name(), it->first,
            it->second.num_elements(), weight_name, weight.num_elements(), weight.ShapeString()));
      }
      values.push_back(it->second.values());
    }
    if (values.empty()) continue;
    if (values.size() != buffers.size()) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "%s state of weight '%s' has %d of its %d buffers (%s)", name(), weight_name,
          values.size(), buffers.size(), absl::StrJoin(buffers, ", ")));
    }
    used += values.size();
    restored[weight_name] = std::move(values);
  }
  if (used != state.size()) {
    for (const auto& [state_name, tensor] : state) {
      bool known = false;
      for (const auto& [weight_name, values] : restored) {
        for (const std::string& buffer : buffers) {
          known = known || state_name == absl::StrCat(weight_name, ".", buffer);
        }
      }
      if (!known) {
        return absl::InvalidArgumentError(absl::StrFormat(
            "%s state '%s' is not '<weight>.<buffer>' for a weight of this model and a buffer "
            "of %s (%s)",
            name(), state_name, name(), absl::StrJoin(buffers, ", ")));
      }
    }
  }
  state_ = std::move(restored);
  steps_ = steps;
  return absl::OkStatus();
}

// With weight decay λ, momentum μ, dampening τ (torch.optim.SGD):
//   g ← g + λθ
//   b ← g on the first step, else μb + (1 - τ)g
//   g ← g + μb (Nesterov), else b
//   θ ← θ - lr·g
void Sgd::Update(std::span<float> theta, std::span<const float> gradient,
                 std::vector<std::vector<float>>& state) {
  const double mu = options_.momentum();
  const bool first = state.empty();
  if (mu != 0 && first) state.emplace_back(theta.size(), 0.0f);
  for (size_t e = 0; e < theta.size(); ++e) {
    const double weight = theta[e];
    double g = gradient[e] + options_.weight_decay() * weight;
    if (mu != 0) {
      const double b = first ? g : mu * state[0][e] + (1 - options_.dampening()) * g;
      state[0][e] = static_cast<float>(b);
      g = options_.nesterov() ? g + mu * b : b;
    }
    theta[e] = static_cast<float>(weight - options_.lr() * g);
  }
}

// Step t (from 1), torch.optim.Adam / AdamW:
//   θ ← θ(1 - lr·λ) (AdamW)         or  g ← g + λθ (Adam)
//   m ← β₁m + (1 - β₁)g               v ← β₂v + (1 - β₂)g²
//   θ ← θ - (lr / (1 - β₁ᵗ)) · m / (√v / √(1 - β₂ᵗ) + ε)
void Adam::Update(std::span<float> theta, std::span<const float> gradient,
                  std::vector<std::vector<float>>& state) {
  if (state.empty()) state.assign(2, std::vector<float>(theta.size(), 0.0f));
  const double t = static_cast<double>(steps());
  const double beta1 = options_.beta1();
  const double beta2 = options_.beta2();
  const double step_size = options_.lr() / (1 - std::pow(beta1, t));
  const double root_correction2 = std::sqrt(1 - std::pow(beta2, t));
  for (size_t e = 0; e < theta.size(); ++e) {
    double weight = theta[e];
    double g = gradient[e];
    if (options_.decoupled_weight_decay()) {
      weight *= 1 - options_.lr() * options_.weight_decay();
    } else {
      g += options_.weight_decay() * weight;
    }
    const double m = beta1 * state[0][e] + (1 - beta1) * g;
    const double v = beta2 * state[1][e] + (1 - beta2) * g * g;
    state[0][e] = static_cast<float>(m);
    state[1][e] = static_cast<float>(v);
    const double denominator = std::sqrt(v) / root_correction2 + options_.epsilon();
    theta[e] = static_cast<float>(weight - step_size * m / denominator);
  }
}

}  // namespace rnnc::training
