#include "tests/TestTensors.h"

#include <algorithm>
#include <cmath>
#include <random>

#include "gtest/gtest.h"

namespace rnnc {

Tensor RandomTensor(std::vector<int64_t> shape, uint32_t seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> normal;
  Tensor tensor(std::move(shape));
  for (float& v : tensor.values()) v = normal(rng);
  return tensor;
}

Tensor Transpose01(const Tensor& tensor) {
  std::vector<int64_t> shape = tensor.shape();
  std::swap(shape[0], shape[1]);
  const int64_t a = tensor.dim(0), b = tensor.dim(1), inner = tensor.num_elements() / (a * b);
  Tensor out(shape);
  for (int64_t i = 0; i < a; ++i) {
    for (int64_t j = 0; j < b; ++j) {
      for (int64_t k = 0; k < inner; ++k) {
        out.data()[(j * a + i) * inner + k] = tensor.data()[(i * b + j) * inner + k];
      }
    }
  }
  return out;
}

Tensor Reshape(const Tensor& tensor, std::vector<int64_t> shape) {
  return Tensor(std::move(shape), tensor.values());
}

void ExpectAllClose(const Tensor& got, const Tensor& want, double rtol, double atol) {
  ASSERT_EQ(got.shape(), want.shape()) << "shapes differ: got " << got.ShapeString() << ", want "
                                       << want.ShapeString();
  int64_t worst = -1;
  double worst_excess = 0;
  double largest = 0;
  for (int64_t i = 0; i < got.num_elements(); ++i) {
    const double g = got.data()[i], w = want.data()[i];
    largest = std::max(largest, std::abs(w));
    const double excess = std::abs(g - w) - (rtol * std::abs(w) + atol);
    if (!(excess <= 0) && (worst < 0 || !(excess <= worst_excess))) {
      worst = i;
      worst_excess = excess;
    }
  }
  if (worst >= 0) {
    ADD_FAILURE() << "values differ beyond rtol " << rtol << ", atol " << atol << "; worst at flat index "
                  << worst << ": got " << got.data()[worst] << ", want " << want.data()[worst]
                  << " (largest |want| " << largest << ")";
  }
}

}  // namespace rnnc
