// Datasets and batching: gathering examples along each tensor's own axis
// (into a kept batch without allocating),
// the epoch's batches (a permutation, the same from the same seed and
// epoch, another for another epoch, a smaller last batch as Keras), the
// sequence view of images and one-hot labels.
#include <algorithm>
#include <filesystem>
#include <numeric>

#include "gtest/gtest.h"
#include "runtime/Safetensors.h"
#include "tests/TestTensors.h"
#include "training/Dataset.h"
#include "training/ImageDatasets.h"

namespace rnnc::training {
namespace {

TEST(Dataset, GatherTakesExamplesAlongEachTensorsAxis) {
  Dataset data;
  // x (T=2, N=3, F=1): x[t][n] = 10t + n; y (N=3, 1): y[n] = n.
  ASSERT_TRUE(data.Add("x", Tensor({2, 3, 1}, {0, 1, 2, 10, 11, 12}), 1).ok());
  ASSERT_TRUE(data.Add("y", Tensor({3, 1}, {0, 1, 2}), 0).ok());
  EXPECT_EQ(data.size(), 3);
  TensorMap batch = data.Gather({2, 0});
  ExpectAllClose(batch.at("x"), Tensor({2, 2, 1}, {2, 0, 12, 10}), 0, 0);
  ExpectAllClose(batch.at("y"), Tensor({2, 1}, {2, 0}), 0, 0);
  Dataset tail = data.Slice(1, 3);
  EXPECT_EQ(tail.size(), 2);
  ExpectAllClose(tail.Gather({0, 1}).at("x"), Tensor({2, 2, 1}, {1, 2, 11, 12}), 0, 0);
}

// Gathering into a kept batch writes a tensor of the right shape in place
// (the same buffer), replaces one of another shape and drops entries that
// are not the dataset's.
TEST(Dataset, GatherIntoAKeptBatchReusesItsBuffers) {
  Dataset data;
  ASSERT_TRUE(data.Add("x", Tensor({2, 3, 1}, {0, 1, 2, 10, 11, 12}), 1).ok());
  ASSERT_TRUE(data.Add("y", Tensor({3, 1}, {0, 1, 2}), 0).ok());
  TensorMap batch = {{"stale", Tensor({1})}};
  data.Gather({2, 0}, batch);
  EXPECT_EQ(batch.count("stale"), 0u);
  const float* x_buffer = batch.at("x").data();
  data.Gather({1, 2}, batch);
  EXPECT_EQ(batch.at("x").data(), x_buffer);
  ExpectAllClose(batch.at("x"), Tensor({2, 2, 1}, {1, 2, 11, 12}), 0, 0);
  ExpectAllClose(batch.at("y"), Tensor({2, 1}, {1, 2}), 0, 0);
  data.Gather({1}, batch);  // a smaller last batch
  ExpectAllClose(batch.at("x"), Tensor({2, 1, 1}, {1, 11}), 0, 0);
}

TEST(Dataset, EpochBatchesAreADeterministicPermutationWithASmallerLastBatch) {
  const auto batches = EpochBatches(10, 4, /*shuffle=*/true, /*seed=*/42, /*epoch=*/0);
  ASSERT_EQ(batches.size(), 3u);
  EXPECT_EQ(batches[0].size(), 4u);
  EXPECT_EQ(batches[1].size(), 4u);
  EXPECT_EQ(batches[2].size(), 2u);
  std::vector<int64_t> all;
  for (const auto& b : batches) all.insert(all.end(), b.begin(), b.end());
  std::vector<int64_t> sorted = all;
  std::sort(sorted.begin(), sorted.end());
  std::vector<int64_t> identity(10);
  std::iota(identity.begin(), identity.end(), 0);
  EXPECT_EQ(sorted, identity);
  EXPECT_NE(all, identity);
  EXPECT_EQ(EpochBatches(10, 4, true, 42, 0), batches);
  EXPECT_NE(EpochBatches(10, 4, true, 42, 1), batches);
  EXPECT_NE(EpochBatches(10, 4, true, 43, 0), batches);
  EXPECT_EQ(EpochBatches(5, 2, /*shuffle=*/false, 42, 0),
            (std::vector<std::vector<int64_t>>{{0, 1}, {2, 3}, {4}}));
}

TEST(Dataset, LoadsFromSafetensorsWithEachTensorsExampleAxis) {
  const std::string path =
      (std::filesystem::temp_directory_path() / "dataset_test.safetensors").string();
  ASSERT_TRUE(WriteSafetensors(path, {{"x", Tensor({2, 3, 1}, {0, 1, 2, 10, 11, 12})},
                                      {"y", Tensor({3, 1}, {5, 6, 7})},
                                      {"unused", Tensor({1})}})
                  .ok());
  absl::StatusOr<Dataset> data = LoadSafetensorsDataset(path, {{"x", 1}, {"y", 0}});
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_EQ(data->size(), 3);
  ExpectAllClose(data->Gather({1}).at("x"), Tensor({2, 1, 1}, {1, 11}), 0, 0);
  EXPECT_EQ(LoadSafetensorsDataset(path, {{"z", 0}}).status().message(),
            path + ": no tensor named 'z' for the dataset");
  EXPECT_EQ(LoadSafetensorsDataset(path, {{"x", 0}, {"y", 0}}).status().message(),
            path + ": dataset: tensor 'y' of shape [3, 1] has 3 examples along axis 0, the "
                   "others have 2");
}

TEST(ImageDatasets, ImagesBecomeSequencesOfRows) {
  // Two 2×3 images: image n, row t, column w holds 100n + 10t + w.
  Tensor images({2, 2, 3}, {0, 1, 2, 10, 11, 12, 100, 101, 102, 110, 111, 112});
  absl::StatusOr<Tensor> sequences = ImagesAsSequences(images);
  ASSERT_TRUE(sequences.ok());
  ExpectAllClose(*sequences,
                 Tensor({2, 2, 3}, {0, 1, 2, 100, 101, 102, 10, 11, 12, 110, 111, 112}), 0, 0);
}

TEST(ImageDatasets, OneHot) {
  absl::StatusOr<Tensor> one_hot = OneHot(Tensor({3}, {2, 0, 1}), 3);
  ASSERT_TRUE(one_hot.ok());
  ExpectAllClose(*one_hot, Tensor({3, 3}, {0, 0, 1, 1, 0, 0, 0, 1, 0}), 0, 0);
}

}  // namespace
}  // namespace rnnc::training
