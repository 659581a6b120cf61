// Gradient clipping against values worked out by hand: the global norm of
// grad.a = [3, 0] and grad.b = [4] is 5.
#include "gtest/gtest.h"
#include "tests/TestTensors.h"
#include "training/Optimizers.h"

namespace rnnc::training {
namespace {

TensorMap Gradients() {
  return {{"grad.a", Tensor({2}, {3, 0})}, {"grad.b", Tensor({1}, {4})}, {"loss", Tensor({}, {9})}};
}

TEST(GradientClipping, GlobalNormScalesEveryGradient) {
  TensorMap gradients = Gradients();
  EXPECT_DOUBLE_EQ(ClipGradientsByGlobalNorm(gradients, 1.0), 5.0);
  // Scaled by 1 / (5 + 1e-6); the loss is not a gradient.
  const float scale = static_cast<float>(1.0 / (5.0 + 1e-6));
  ExpectAllClose(gradients.at("grad.a"), Tensor({2}, {3 * scale, 0}), 1e-6, 0);
  ExpectAllClose(gradients.at("grad.b"), Tensor({1}, {4 * scale}), 1e-6, 0);
  ExpectAllClose(gradients.at("loss"), Tensor({}, {9}), 0, 0);
}

TEST(GradientClipping, GlobalNormBelowTheLimitChangesNothing) {
  TensorMap gradients = Gradients();
  EXPECT_DOUBLE_EQ(ClipGradientsByGlobalNorm(gradients, 10.0), 5.0);
  ExpectAllClose(gradients.at("grad.b"), Tensor({1}, {4}), 0, 0);
}

TEST(GradientClipping, ByValueClampsEachElement) {
  TensorMap gradients = Gradients();
  ClipGradientsByValue(gradients, 3.5);
  ExpectAllClose(gradients.at("grad.a"), Tensor({2}, {3, 0}), 0, 0);
  ExpectAllClose(gradients.at("grad.b"), Tensor({1}, {3.5f}), 0, 0);
  ExpectAllClose(gradients.at("loss"), Tensor({}, {9}), 0, 0);
}

}  // namespace
}  // namespace rnnc::training
