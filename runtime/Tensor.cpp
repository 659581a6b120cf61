#include "runtime/Tensor.h"

#include <cassert>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace rnnc {

int64_t NumElements(const std::vector<int64_t>& shape) {
  int64_t n = 1;
  for (int64_t d : shape) n *= d;
  return n;
}

Tensor::Tensor(std::vector<int64_t> shape)
    : shape_(std::move(shape)), data_(static_cast<size_t>(NumElements(shape_)), 0.0f) {}

Tensor::Tensor(std::vector<int64_t> shape, std::vector<float> data)
    : shape_(std::move(shape)), data_(std::move(data)) {
  assert(static_cast<int64_t>(data_.size()) == NumElements(shape_));
}

void EnsureShape(Tensor& tensor, const std::vector<int64_t>& shape) {
  if (tensor.shape() != shape || tensor.num_elements() != NumElements(shape)) {
    tensor = Tensor(shape);
  }
}

std::string Tensor::ShapeString() const { return absl::StrCat("[", absl::StrJoin(shape_, ", "), "]"); }

}  // namespace rnnc
