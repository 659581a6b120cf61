// examples/fashion_mnist trains on the LLVM backend: a few steps of two
// short epochs on the real data run, and the training loss falls from the
// first epoch to the second. Runs the real binary; seconds, not minutes.
#include <filesystem>
#include <regex>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"
#include "tests/CompiledLibraries.h"
#include "training/ImageDatasets.h"

namespace rnnc {
namespace {

TEST(FashionMnistExample, TrainsOnLlvmAndItsLossFalls) {
  if (!std::filesystem::exists(training::kFashionMnistDirectory)) {
    GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  }
  const CommandResult result = RunCommand(absl::StrCat(
      RNNC_BINARY_DIR, "/examples/fashion_mnist --backend=llvm --epochs=2",
      " --max_steps_per_epoch=25 --max_test_examples=640 --curves=", ProcessTempDir(),
      "/fashion_mnist_curves.svg"));
  ASSERT_EQ(result.exit_code, 0) << result.output;

  // "epoch 1: loss 2.1234, test accuracy 0.3125, training ..."
  const std::regex line(R"(epoch (\d+): loss ([0-9.]+), test accuracy ([0-9.]+))");
  std::vector<double> losses, accuracies;
  for (auto it = std::sregex_iterator(result.output.begin(), result.output.end(), line);
       it != std::sregex_iterator(); ++it) {
    losses.push_back(std::stod((*it)[2]));
    accuracies.push_back(std::stod((*it)[3]));
  }
  ASSERT_EQ(losses.size(), 2u) << result.output;
  // Softmax cross-entropy over 10 classes starts near ln 10 = 2.30.
  EXPECT_LT(losses[0], 2.4) << result.output;
  EXPECT_LT(losses[1], losses[0] - 0.1) << result.output;
  // Better than chance (0.1) on the test images after 50 steps.
  EXPECT_GT(accuracies[1], 0.2) << result.output;
}

}  // namespace
}  // namespace rnnc
