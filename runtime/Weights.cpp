// Matching weights against a graph's params, reported all at once so that a
// user fixing a converted state_dict sees every problem in one run.
#include "runtime/Weights.h"

#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace rnnc {

namespace {

// A symbolic dim matches any size: only inputs bind symbols, and a param
// with one (rare) cannot be checked any further here.
bool ShapeFits(const ir::TensorType& type, const std::vector<int64_t>& shape) {
  if (type.rank() != static_cast<int64_t>(shape.size())) return false;
  for (int64_t i = 0; i < type.rank(); ++i) {
    if (type.dim(i).is_static() && type.dim(i).size() != shape[i]) return false;
  }
  return true;
}

}  // namespace

absl::Status CheckWeights(const ir::Graph& graph, const TensorMap& weights) {
  std::vector<std::string> problems;
  absl::flat_hash_set<std::string> param_names;
  for (const ir::Value* param : graph.params()) {
    param_names.insert(param->name());
    auto it = weights.find(param->name());
    if (it == weights.end()) {
      problems.push_back(
          absl::StrFormat("missing '%s' (expected %s)", param->name(), param->type().ToString()));
    } else if (!ShapeFits(param->type(), it->second.shape())) {
      problems.push_back(absl::StrFormat("'%s' has shape %s, expected %s", param->name(),
                                         it->second.ShapeString(), param->type().ToString()));
    }
  }
  for (const auto& [name, tensor] : weights) {
    if (!param_names.contains(name)) {
      problems.push_back(absl::StrFormat("unexpected '%s' (shape %s)", name, tensor.ShapeString()));
    }
  }
  if (problems.empty()) return absl::OkStatus();
  return absl::InvalidArgumentError(absl::StrFormat("weights do not match model '%s': %s",
                                                    graph.name(), absl::StrJoin(problems, "; ")));
}

}  // namespace rnnc
