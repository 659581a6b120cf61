// Every way an IDX file can be wrong ends in an error naming the file and
// the fault: bad magic, unknown element type, rank 0, a header or data cut
// short, bytes past the end, a corrupt or truncated gzip stream, a missing
// file, a directory; and image/label files that disagree.
#include "absl/strings/match.h"
#include "gtest/gtest.h"
#include "runtime/Idx.h"
#include "tests/IdxFiles.h"
#include "training/ImageDatasets.h"

namespace rnnc {
namespace {

std::string ParseError(const std::string& bytes) {
  absl::StatusOr<Tensor> tensor = ParseIdx(bytes, "f.idx");
  EXPECT_FALSE(tensor.ok());
  return std::string(tensor.status().message());
}

const std::string kGood = IdxBytes(0x08, {2, 3}, "abcdef");

TEST(IdxErrors, BadMagic) {
  EXPECT_EQ(ParseError("\x01\x00\x08\x01"),
            "f.idx: not an IDX file: it must start with the bytes 00 00 <type> <rank>");
  EXPECT_EQ(ParseError("ab"),
            "f.idx: not an IDX file: it must start with the bytes 00 00 <type> <rank>");
}

TEST(IdxErrors, UnknownType) {
  EXPECT_EQ(ParseError(IdxBytes(0x07, {1}, "a")),
            "f.idx: IDX element type 0x07 is unknown; expected 08 (u8), 09 (i8), 0B (i16), 0C "
            "(i32), 0D (f32) or 0E (f64)");
}

TEST(IdxErrors, RankZero) {
  EXPECT_EQ(ParseError(IdxBytes(0x08, {}, "")),
            "f.idx: IDX rank is 0; expected at least one dimension");
}

TEST(IdxErrors, TruncatedHeader) {
  EXPECT_EQ(ParseError(kGood.substr(0, 9)),
            "f.idx: IDX header of rank 2 needs 12 bytes, the file has 9; it is truncated");
}

TEST(IdxErrors, TruncatedData) {
  EXPECT_EQ(ParseError(kGood.substr(0, kGood.size() - 1)),
            "f.idx: IDX u8 tensor of shape [2, 3] needs 18 bytes, the file has 17; it is "
            "truncated");
}

TEST(IdxErrors, WrongDimsForTheData) {
  EXPECT_EQ(ParseError(kGood + "x"),
            "f.idx: IDX u8 tensor of shape [2, 3] needs 18 bytes, the file has 19; it is longer "
            "than its header says (corrupt)");
  EXPECT_EQ(ParseError(IdxBytes(0x0C, {2}, "abcd")),
            "f.idx: IDX i32 tensor of shape [2] needs 16 bytes, the file has 12; it is truncated");
}

TEST(IdxErrors, CorruptAndTruncatedGzip) {
  std::string gzipped = GzipBytes(kGood);
  std::string corrupt = gzipped;
  corrupt[12] = static_cast<char>(corrupt[12] ^ 0xff);
  corrupt[13] = static_cast<char>(corrupt[13] ^ 0xff);
  absl::StatusOr<Tensor> a = ReadIdx(WriteTestFile("idx_corrupt.gz", corrupt));
  ASSERT_FALSE(a.ok());
  EXPECT_TRUE(absl::StrContains(a.status().message(), "idx_corrupt.gz: corrupt gzip data (zlib: "))
      << a.status();
  absl::StatusOr<Tensor> b =
      ReadIdx(WriteTestFile("idx_truncated.gz", gzipped.substr(0, gzipped.size() - 6)));
  ASSERT_FALSE(b.ok());
  EXPECT_TRUE(absl::StrContains(
      b.status().message(),
      "idx_truncated.gz: the gzip data ends before its stream does; the file is truncated"))
      << b.status();
}

TEST(IdxErrors, MissingFileAndDirectory) {
  absl::StatusOr<Tensor> missing = ReadIdx("/nonexistent/train-images-idx3-ubyte.gz");
  ASSERT_FALSE(missing.ok());
  EXPECT_TRUE(absl::StrContains(missing.status().message(),
                                "/nonexistent/train-images-idx3-ubyte.gz: cannot open"));
  absl::StatusOr<Tensor> directory = ReadIdx("/tmp");
  ASSERT_FALSE(directory.ok());
  EXPECT_EQ(directory.status().message(), "/tmp: is a directory, not an IDX file");
}

TEST(IdxErrors, ImagesAndLabelsThatDisagree) {
  const std::string images = WriteTestFile("idx_err_images", IdxBytes(0x08, {2, 1, 1}, "ab"));
  const std::string labels = WriteTestFile("idx_err_labels", IdxBytes(0x08, {3}, "\x01\x01\x01"));
  absl::StatusOr<training::Dataset> data = training::LoadIdxImageDataset(images, labels, 10);
  ASSERT_FALSE(data.ok());
  EXPECT_EQ(data.status().message(),
            images + " has shape [2, 1, 1] and " + labels +
                " has shape [3]; expected images (N, H, W) and labels (N)");
  const std::string bad_label = WriteTestFile("idx_err_label", IdxBytes(0x08, {2}, "\x01\x0c"));
  data = training::LoadIdxImageDataset(images, bad_label, 10);
  ASSERT_FALSE(data.ok());
  EXPECT_EQ(data.status().message(),
            bad_label + ": one-hot: label 1 is 12, expected a class index in [0, 10)");
}

}  // namespace
}  // namespace rnnc
