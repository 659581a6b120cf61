// Binding symbolic dims from the shapes of a run's inputs.
#include "ir/BindDims.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace rnnc::ir {

absl::StatusOr<BoundDims> BindDims(
    const Graph& graph, const std::map<std::string, std::vector<int64_t>>& input_shapes) {
  // A misspelt name is reported as such, rather than as the input it should
  // have been being missing.
  for (const auto& [name, shape] : input_shapes) {
    if (graph.FindInput(name) != nullptr) continue;
    std::vector<std::string> known;
    for (const Value* input : graph.inputs()) known.push_back(input->name());
    return absl::InvalidArgumentError(
        known.empty() ? absl::StrFormat("unknown input '%s'; the graph has no inputs", name)
                      : absl::StrFormat("unknown input '%s'; the graph's inputs are: %s", name,
                                        absl::StrJoin(known, ", ")));
  }

  BoundDims bound;
  absl::flat_hash_map<std::string, std::string> bound_by;  // symbol -> input that bound it
  for (const Value* input : graph.inputs()) {
    const std::string& name = input->name();
    const TensorType& type = input->type();
    auto found = input_shapes.find(name);
    if (found == input_shapes.end()) {
      return absl::InvalidArgumentError(
          absl::StrFormat("missing input '%s' (expected %s)", name, type.ToString()));
    }
    const std::vector<int64_t>& shape = found->second;
    auto mismatch = [&](const std::string& why) {
      return absl::InvalidArgumentError(absl::StrFormat("input '%s' has shape %s, expected %s: %s",
                                                        name, ShapeToString(shape), type.ToString(),
                                                        why));
    };
    if (static_cast<int64_t>(shape.size()) != type.rank()) {
      return mismatch(absl::StrFormat("rank %d, expected %d", shape.size(), type.rank()));
    }
    for (int64_t d = 0; d < type.rank(); ++d) {
      const Dim& dim = type.dim(d);
      const int64_t size = shape[d];
      if (dim.is_static()) {
        if (size == dim.size()) continue;
        return mismatch(absl::StrFormat("dim %d is %d, expected %d", d, size, dim.size()));
      }
      // Kernels size buffers and loops by symbols; an empty sequence or batch
      // is almost surely a caller's mistake, so it is reported here.
      if (size < 1) {
        return mismatch(
            absl::StrFormat("dim %d is %d, but %s must be at least 1", d, size, dim.symbol()));
      }
      auto [it, inserted] = bound.emplace(dim.symbol(), size);
      if (inserted) {
        bound_by[dim.symbol()] = name;
      } else if (it->second != size) {
        return absl::InvalidArgumentError(
            absl::StrFormat("input '%s' binds %s = %d, but input '%s' bound %s = %d", name,
                            dim.symbol(), size, bound_by[dim.symbol()], dim.symbol(), it->second));
      }
    }
  }
  return bound;
}

std::vector<std::string> InputSymbols(const Graph& graph) {
  std::vector<std::string> symbols;
  for (const Value* input : graph.inputs()) {
    for (const Dim& dim : input->type().dims()) {
      if (dim.is_symbolic() &&
          std::find(symbols.begin(), symbols.end(), dim.symbol()) == symbols.end()) {
        symbols.push_back(dim.symbol());
      }
    }
  }
  return symbols;
}

}  // namespace rnnc::ir
