// Writing the running statistics of a training step back (see the header).
#include "training/StatisticsUpdates.h"

#include "absl/strings/str_format.h"

namespace rnnc::training {

std::vector<std::string> AssignedParams(const ir::Graph& graph) {
  std::vector<std::string> assigned;
  for (const ir::Value* param : graph.params()) {
    for (const ir::GraphOutput& output : graph.outputs()) {
      if (output.name == kUpdatePrefix + param->name()) {
        assigned.push_back(param->name());
        break;
      }
    }
  }
  return assigned;
}

absl::Status ApplyStatisticsUpdates(const TensorMap& outputs, TensorMap& weights) {
  for (const auto& [name, value] : outputs) {
    if (!name.starts_with(kUpdatePrefix)) continue;
    const std::string param = name.substr(sizeof(kUpdatePrefix) - 1);
    auto it = weights.find(param);
    if (it == weights.end()) {
      return absl::InvalidArgumentError(
          absl::StrFormat("output '%s' updates weight '%s', which is not among the weights",
                          name, param));
    }
    if (it->second.shape() != value.shape()) {
      return absl::InvalidArgumentError(
          absl::StrFormat("output '%s' has shape %s, weight '%s' has %s", name,
                          value.ShapeString(), param, it->second.ShapeString()));
    }
    it->second = value;
  }
  return absl::OkStatus();
}

}  // namespace rnnc::training
