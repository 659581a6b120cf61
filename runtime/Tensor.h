// A dense, owning f32 tensor in row-major order: what the interpreter
// computes on and what weights files hold.
#ifndef RNNC_RUNTIME_TENSOR_H
#define RNNC_RUNTIME_TENSOR_H

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace rnnc {

class Tensor {
 public:
  Tensor() = default;
  // Zeros of the given shape.
  explicit Tensor(std::vector<int64_t> shape);
  // `data` must hold exactly the product of `shape` elements.
  Tensor(std::vector<int64_t> shape, std::vector<float> data);

  const std::vector<int64_t>& shape() const { return shape_; }
  int64_t rank() const { return static_cast<int64_t>(shape_.size()); }
  int64_t dim(int64_t i) const { return shape_[i]; }
  int64_t num_elements() const { return static_cast<int64_t>(data_.size()); }

  float* data() { return data_.data(); }
  const float* data() const { return data_.data(); }
  std::vector<float>& values() { return data_; }
  const std::vector<float>& values() const { return data_; }

  // "[2, 3]"
  std::string ShapeString() const;

 private:
  std::vector<int64_t> shape_;
  std::vector<float> data_;
};

// Tensors by name, ordered so that listings and files are deterministic.
using TensorMap = std::map<std::string, Tensor>;

int64_t NumElements(const std::vector<int64_t>& shape);

// Makes `tensor` one of `shape`: left as it is (buffer and values) when it
// is one already, else zeros of `shape`. How an executable writes into a
// caller's kept outputs. A default-constructed Tensor has no elements, so
// it is not a scalar (shape []) and gets replaced.
void EnsureShape(Tensor& tensor, const std::vector<int64_t>& shape);

}  // namespace rnnc

#endif  // RNNC_RUNTIME_TENSOR_H
