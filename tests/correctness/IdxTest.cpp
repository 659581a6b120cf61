// IDX parsing: a tiny u8 image file and a label file, plain and gzipped,
// every element type, and the two as a sequence-first image dataset.
#include <bit>
#include <cstring>
#include <filesystem>

#include "gtest/gtest.h"
#include "runtime/Idx.h"
#include "tests/IdxFiles.h"
#include "tests/TestTensors.h"
#include "training/ImageDatasets.h"

namespace rnnc {
namespace {

// Two 2×3 images of u8 pixels, and their labels 3 and 0.
const std::string kImages = IdxBytes(0x08, {2, 2, 3}, std::string("\x00\x01\x02\x0a\x0b\xff"
                                                                  "\x64\x65\x66\x6e\x6f\x70", 12));
const std::string kLabels = IdxBytes(0x08, {2}, std::string("\x03\x00", 2));

TEST(Idx, ParsesU8Images) {
  absl::StatusOr<Tensor> images = ParseIdx(kImages, "images");
  ASSERT_TRUE(images.ok()) << images.status();
  ExpectAllClose(*images, Tensor({2, 2, 3}, {0, 1, 2, 10, 11, 255, 100, 101, 102, 110, 111, 112}),
                 0, 0);
}

TEST(Idx, ReadsGzippedAndPlainFilesAlike) {
  const std::string plain = WriteTestFile("idx_test_images", kImages);
  const std::string gzipped = WriteTestFile("idx_test_images.gz", GzipBytes(kImages));
  absl::StatusOr<Tensor> a = ReadIdx(plain);
  absl::StatusOr<Tensor> b = ReadIdx(gzipped);
  ASSERT_TRUE(a.ok()) << a.status();
  ASSERT_TRUE(b.ok()) << b.status();
  ExpectAllClose(*a, *b, 0, 0);
}

TEST(Idx, EveryElementTypeIsBigEndian) {
  absl::StatusOr<Tensor> i8 = ParseIdx(IdxBytes(0x09, {2}, "\xff\x05"), "i8");
  ASSERT_TRUE(i8.ok());
  ExpectAllClose(*i8, Tensor({2}, {-1, 5}), 0, 0);
  absl::StatusOr<Tensor> i16 = ParseIdx(IdxBytes(0x0B, {1}, "\xfe\xff"), "i16");
  ASSERT_TRUE(i16.ok());
  ExpectAllClose(*i16, Tensor({1}, {-257}), 0, 0);
  absl::StatusOr<Tensor> i32 = ParseIdx(IdxBytes(0x0C, {1}, std::string("\x00\x01\x00\x00", 4)), "i32");
  ASSERT_TRUE(i32.ok());
  ExpectAllClose(*i32, Tensor({1}, {65536}), 0, 0);
  // 1.5f is 0x3FC00000; 1.5 as f64 is 0x3FF8000000000000.
  absl::StatusOr<Tensor> f32 = ParseIdx(IdxBytes(0x0D, {1}, std::string("\x3f\xc0\x00\x00", 4)), "f32");
  ASSERT_TRUE(f32.ok());
  ExpectAllClose(*f32, Tensor({1}, {1.5f}), 0, 0);
  absl::StatusOr<Tensor> f64 =
      ParseIdx(IdxBytes(0x0E, {1}, std::string("\x3f\xf8\x00\x00\x00\x00\x00\x00", 8)), "f64");
  ASSERT_TRUE(f64.ok());
  ExpectAllClose(*f64, Tensor({1}, {1.5f}), 0, 0);
}

TEST(Idx, ImageDatasetIsSequenceFirstScaledAndOneHot) {
  const std::string images = WriteTestFile("idx_test_ds_images.gz", GzipBytes(kImages));
  const std::string labels = WriteTestFile("idx_test_ds_labels", kLabels);
  absl::StatusOr<training::Dataset> data = training::LoadIdxImageDataset(images, labels, 4);
  ASSERT_TRUE(data.ok()) << data.status();
  EXPECT_EQ(data->size(), 2);
  const Tensor& x = data->entries().at("x").tensor;
  EXPECT_EQ(x.shape(), (std::vector<int64_t>{2, 2, 3}));  // (T = rows, N, W)
  EXPECT_EQ(data->entries().at("x").example_axis, 1);
  EXPECT_FLOAT_EQ(x.data()[5], 102.0f / 255);  // t 0, image 1, column 2
  EXPECT_FLOAT_EQ(x.data()[8], 1.0f);          // t 1, image 0, column 2: 255
  ExpectAllClose(data->entries().at("y").tensor, Tensor({2, 4}, {0, 0, 0, 1, 1, 0, 0, 0}), 0, 0);
}

// The real files of Debian's dataset-fashion-mnist, when installed
// (scripts/setup.sh installs it): the 10000 test images, gzipped.
TEST(Idx, ReadsFashionMnistTestSplit) {
  if (!std::filesystem::exists(training::kFashionMnistDirectory)) {
    GTEST_SKIP() << "dataset-fashion-mnist is not installed";
  }
  absl::StatusOr<training::Dataset> test =
      training::LoadFashionMnist(training::kFashionMnistDirectory, "t10k");
  ASSERT_TRUE(test.ok()) << test.status();
  EXPECT_EQ(test->size(), 10000);
  EXPECT_EQ(test->entries().at("x").tensor.shape(), (std::vector<int64_t>{28, 10000, 28}));
  double labels = 0;
  for (float v : test->entries().at("y").tensor.values()) labels += v;
  EXPECT_EQ(labels, 10000);  // one class per image
}

}  // namespace
}  // namespace rnnc
