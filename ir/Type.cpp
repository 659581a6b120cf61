#include "ir/Type.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"

namespace rnnc::ir {

std::string Dim::ToString() const {
  return is_static() ? absl::StrCat(size_) : symbol_;
}

bool TensorType::is_static() const {
  for (const Dim& d : dims_) {
    if (d.is_symbolic()) return false;
  }
  return true;
}

std::string TensorType::ToString() const {
  return absl::StrCat(
      "f32[",
      absl::StrJoin(dims_, ", ",
                    [](std::string* out, const Dim& d) { out->append(d.ToString()); }),
      "]");
}

absl::StatusOr<std::vector<int64_t>> TensorType::Resolve(const BoundDims& bound) const {
  std::vector<int64_t> shape;
  shape.reserve(dims_.size());
  for (const Dim& d : dims_) {
    if (d.is_static()) {
      shape.push_back(d.size());
      continue;
    }
    auto it = bound.find(d.symbol());
    if (it == bound.end()) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "dim '%s' of %s is not bound by any input", d.symbol(), ToString()));
    }
    shape.push_back(it->second);
  }
  return shape;
}

std::string ShapeToString(const std::vector<int64_t>& shape) {
  return absl::StrCat("[", absl::StrJoin(shape, ", "), "]");
}

}  // namespace rnnc::ir
