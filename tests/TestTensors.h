// Tensors for tests: seeded random data, small reshuffles, and the
// elementwise comparison every numeric test uses.
#ifndef RNNC_TESTS_TEST_TENSORS_H
#define RNNC_TESTS_TEST_TENSORS_H

#include <cstdint>
#include <vector>

#include "runtime/Tensor.h"

namespace rnnc {

// Standard-normal values, reproducible from `seed`.
Tensor RandomTensor(std::vector<int64_t> shape, uint32_t seed);
// Swaps the first two axes: (T, N, ...) <-> (N, T, ...).
Tensor Transpose01(const Tensor& tensor);
// The same data under another shape of equal size.
Tensor Reshape(const Tensor& tensor, std::vector<int64_t> shape);

// Asserts equal shapes and |got - want| <= rtol·|want| + atol everywhere.
// The absolute term exists because a relative error means nothing at an
// exact zero. On failure, names the worst element with both values.
void ExpectAllClose(const Tensor& got, const Tensor& want, double rtol, double atol);

}  // namespace rnnc

#endif  // RNNC_TESTS_TEST_TENSORS_H
