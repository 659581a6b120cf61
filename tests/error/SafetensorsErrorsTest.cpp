// Every way a safetensors file can be broken gives an error naming the file,
// the tensor and what is wrong; none crashes or reads past the bytes.
#include <cstring>
#include <random>
#include <string>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runtime/Safetensors.h"

namespace rnnc {
namespace {

using testing::HasSubstr;

// A file: the 8-byte little-endian `length` (the header's own by default),
// the header text, then the data buffer.
std::string File(std::string_view header, std::string_view data = "", int64_t length = -1) {
  uint64_t n = length < 0 ? header.size() : static_cast<uint64_t>(length);
  std::string bytes(8, '\0');
  std::memcpy(bytes.data(), &n, sizeof(n));
  return bytes.append(header).append(data);
}

// The error message of parsing `bytes`, which must fail.
std::string ParseError(const std::string& bytes) {
  absl::StatusOr<SafetensorsFile> file = ParseSafetensors(bytes, "w.safetensors");
  EXPECT_FALSE(file.ok());
  EXPECT_EQ(file.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(file.status().message());
}

// One F32 tensor 'w' with the given entry fields, over an 8-byte buffer.
std::string FileWithEntry(const std::string& fields) {
  return File(absl::StrCat(R"({"w": {)", fields, "}}"), std::string(8, '\0'));
}

TEST(SafetensorsErrors, FileShorterThanLengthField) {
  EXPECT_THAT(ParseError("abc"),
              HasSubstr("w.safetensors: file has 3 bytes, too few for the 8-byte header length"));
  EXPECT_THAT(ParseError(""), HasSubstr("file has 0 bytes"));
}

TEST(SafetensorsErrors, HeaderLengthPastEndOfFile) {
  EXPECT_THAT(
      ParseError(File("{}", "", 100)),
      HasSubstr("w.safetensors: header length 100 is more than the 2 bytes that follow it"));
}

TEST(SafetensorsErrors, HeaderLengthAbsurd) {
  EXPECT_THAT(
      ParseError(File("{}", "", int64_t{1} << 62)),
      HasSubstr("header length 4611686018427387904 is absurd (the limit is 100000000 bytes)"));
  // All ones: the largest u64, which must not overflow the bounds check.
  EXPECT_THAT(ParseError(std::string(8, '\xff') + "{}"), HasSubstr("is absurd"));
}

TEST(SafetensorsErrors, HeaderNotJson) {
  EXPECT_THAT(ParseError(File(R"({"w": )")),
              HasSubstr("w.safetensors: header is not valid JSON: "));
  EXPECT_THAT(ParseError(File("")), HasSubstr("header is not valid JSON"));
  EXPECT_THAT(ParseError(File("{\"w\xff\": 1}")), HasSubstr("header is not valid JSON"));
  // The parser quotes the token it failed in; a huge one is cut short.
  EXPECT_LT(ParseError(File("{\"" + std::string(100'000, 'w'))).size(), 400u);
}

TEST(SafetensorsErrors, HeaderNotObject) {
  EXPECT_THAT(ParseError(File("[1, 2]")),
              HasSubstr("header is an array, expected a JSON object of tensors"));
  EXPECT_THAT(ParseError(File("null")), HasSubstr("header is null, expected"));
}

TEST(SafetensorsErrors, EntryNotObject) {
  EXPECT_THAT(ParseError(File(R"({"w": 5})")),
              HasSubstr("tensor 'w': entry is a number, expected an object with dtype, shape "
                        "and data_offsets"));
}

TEST(SafetensorsErrors, MissingFields) {
  EXPECT_THAT(ParseError(FileWithEntry(R"("shape": [2], "data_offsets": [0, 8])")),
              HasSubstr("w.safetensors: tensor 'w': missing 'dtype'"));
  EXPECT_THAT(ParseError(FileWithEntry(R"("dtype": "F32", "data_offsets": [0, 8])")),
              HasSubstr("tensor 'w': missing 'shape'"));
  EXPECT_THAT(ParseError(FileWithEntry(R"("dtype": "F32", "shape": [2])")),
              HasSubstr("tensor 'w': missing 'data_offsets'"));
}

TEST(SafetensorsErrors, FieldsOfWrongJsonType) {
  EXPECT_THAT(ParseError(FileWithEntry(R"("dtype": 32, "shape": [2], "data_offsets": [0, 8])")),
              HasSubstr("tensor 'w': 'dtype' is a number, expected a string such as \"F32\""));
  EXPECT_THAT(ParseError(FileWithEntry(R"("dtype": "F32", "shape": "2", "data_offsets": [0, 8])")),
              HasSubstr("tensor 'w': 'shape' is a string, expected a list of sizes"));
  EXPECT_THAT(ParseError(FileWithEntry(R"("dtype": "F32", "shape": [2], "data_offsets": "0:8")")),
              HasSubstr("tensor 'w': 'data_offsets' must be two byte offsets [begin, end]"));
}

TEST(SafetensorsErrors, BadDims) {
  EXPECT_THAT(
      ParseError(FileWithEntry(R"("dtype": "F32", "shape": [-1, 2], "data_offsets": [0, 8])")),
      HasSubstr("tensor 'w': dim 0 is -1; sizes must be >= 0"));
  EXPECT_THAT(
      ParseError(FileWithEntry(R"("dtype": "F32", "shape": [2, 1.5], "data_offsets": [0, 8])")),
      HasSubstr("tensor 'w': dim 1 is 1.5, not an integer"));
  EXPECT_THAT(
      ParseError(FileWithEntry(R"("dtype": "F32", "shape": ["2"], "data_offsets": [0, 8])")),
      HasSubstr("tensor 'w': dim 0 is a string, expected an integer"));
  EXPECT_THAT(ParseError(FileWithEntry(
                  R"("dtype": "F32", "shape": [18446744073709551615], "data_offsets": [0, 8])")),
              HasSubstr("dim 0 is 18446744073709551615, too large"));
}

TEST(SafetensorsErrors, BadOffsets) {
  for (const char* offsets : {"[0]", "[0, 4, 8]", "[-1, 8]", "[0, 8.0]", "[0, null]"}) {
    EXPECT_THAT(ParseError(FileWithEntry(
                    absl::StrCat(R"("dtype": "F32", "shape": [2], "data_offsets": )", offsets))),
                HasSubstr("'data_offsets' must be two byte offsets [begin, end], integers >= 0"))
        << offsets;
  }
}

TEST(SafetensorsErrors, OffsetsReversed) {
  EXPECT_THAT(ParseError(FileWithEntry(R"("dtype": "F32", "shape": [2], "data_offsets": [8, 0])")),
              HasSubstr("tensor 'w': data_offsets [8, 0] are reversed"));
}

TEST(SafetensorsErrors, OffsetsOutOfBuffer) {
  EXPECT_THAT(
      ParseError(FileWithEntry(R"("dtype": "F32", "shape": [4], "data_offsets": [0, 16])")),
      HasSubstr("tensor 'w': data_offsets [0, 16] run past the end of the 8-byte data buffer"));
  // Near 2^64, where begin + size arithmetic would wrap.
  EXPECT_THAT(ParseError(FileWithEntry(R"("dtype": "F32", "shape": [0],
                                          "data_offsets": [18446744073709551615, 18446744073709551615])")),
              HasSubstr("run past the end of the 8-byte data buffer"));
}

TEST(SafetensorsErrors, ByteSizeDisagreesWithShape) {
  std::string header =
      R"({"gru1.weight_ih_l0": {"dtype": "F32", "shape": [384, 50], "data_offsets": [0, 100]}})";
  absl::StatusOr<SafetensorsFile> file =
      ParseSafetensors(File(header, std::string(100, '\0')), "weights.safetensors");
  ASSERT_FALSE(file.ok());
  EXPECT_THAT(file.status().message(),
              HasSubstr("weights.safetensors: tensor 'gru1.weight_ih_l0': data_offsets [0, 100] "
                        "hold 100 bytes, but shape [384, 50] of F32 needs 76800"));
  EXPECT_THAT(ParseError(FileWithEntry(R"("dtype": "F16", "shape": [2], "data_offsets": [0, 8])")),
              HasSubstr("hold 8 bytes, but shape [2] of F16 needs 4"));
  // A shape whose byte size overflows 64 bits must not wrap around to a match.
  EXPECT_THAT(ParseError(FileWithEntry(R"("dtype": "F32", "shape": [4611686018427387904, 4],
                                          "data_offsets": [0, 0])")),
              HasSubstr("of F32 needs more than 2^64"));
}

TEST(SafetensorsErrors, BadMetadata) {
  EXPECT_THAT(
      ParseError(File(R"({"__metadata__": {"model": 1}})")),
      HasSubstr("w.safetensors: '__metadata__' entry 'model' is a number, expected a string"));
  EXPECT_THAT(ParseError(File(R"({"__metadata__": ["model"]})")),
              HasSubstr("'__metadata__' is an array, expected an object of strings"));
}

TEST(SafetensorsErrors, UnsupportedDtype) {
  absl::StatusOr<SafetensorsFile> file =
      ReadSafetensors(RNNC_SOURCE_DIR "/tests/golden/data/dtypes.safetensors");
  ASSERT_FALSE(file.ok());
  EXPECT_THAT(file.status().message(),
              HasSubstr("dtypes.safetensors: tensor 'ints': dtype I64 is not supported; rnnc "
                        "reads F32, F64, F16 and BF16 (converted to f32)"));
}

TEST(SafetensorsErrors, MissingFile) {
  absl::StatusOr<SafetensorsFile> file = ReadSafetensors("/nonexistent/w.safetensors");
  ASSERT_FALSE(file.ok());
  EXPECT_EQ(file.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(file.status().message(),
              HasSubstr("/nonexistent/w.safetensors: cannot open: No such file or directory"));
}

TEST(SafetensorsErrors, DirectoryInsteadOfFile) {
  absl::StatusOr<SafetensorsFile> file = ReadSafetensors(testing::TempDir());
  ASSERT_FALSE(file.ok());
  EXPECT_THAT(file.status().message(), HasSubstr("is a directory, not a safetensors file"));
}

TEST(SafetensorsErrors, UnwritablePath) {
  absl::Status status = WriteSafetensors("/nonexistent/w.safetensors", {});
  EXPECT_THAT(status.message(), HasSubstr("/nonexistent/w.safetensors: cannot open for writing"));
}

TEST(SafetensorsErrors, TensorNamedLikeMetadata) {
  absl::Status status =
      WriteSafetensors(testing::TempDir() + "/m.safetensors", {{"__metadata__", Tensor({1})}});
  EXPECT_THAT(status.message(), HasSubstr("a tensor cannot be named '__metadata__'"));
}

// The JSON parser and the error messages must not recurse once per level.
TEST(SafetensorsErrors, DeeplyNestedHeaderDoesNotCrash) {
  const int depth = 1'000'000;
  std::string nested = std::string(depth, '[') + std::string(depth, ']');
  EXPECT_THAT(ParseError(File(nested)), HasSubstr("header is an array"));
  EXPECT_THAT(ParseError(FileWithEntry(absl::StrCat(R"("dtype": "F32", "shape": )", nested))),
              HasSubstr("dim 0 is an array"));
}

// Fuzz-style: damaged copies of a valid file parse or fail, but never crash,
// and whatever parses is self-consistent.
class DamagedFiles : public testing::Test {
 protected:
  std::string Valid() {
    TensorMap tensors;
    tensors["gru.weight_ih_l0"] = Tensor({6, 2}, std::vector<float>(12, 0.5f));
    tensors["gru.bias_ih_l0"] = Tensor({6}, std::vector<float>(6, -1.0f));
    tensors["scalar"] = Tensor(std::vector<int64_t>{}, {3.0f});
    return SerializeSafetensors(tensors, {{"model", "fuzz"}});
  }
  void ExpectConsistentOrError(const std::string& bytes) {
    absl::StatusOr<SafetensorsFile> file = ParseSafetensors(bytes, "fuzz.safetensors");
    if (!file.ok()) {
      EXPECT_THAT(file.status().message(), HasSubstr("fuzz.safetensors: "));
      return;
    }
    for (const auto& [name, tensor] : file->tensors) {
      EXPECT_EQ(tensor.num_elements(), NumElements(tensor.shape())) << name;
    }
  }
};

TEST_F(DamagedFiles, EveryTruncationIsAnError) {
  std::string valid = Valid();
  ASSERT_TRUE(ParseSafetensors(valid, "fuzz.safetensors").ok());
  for (size_t size = 0; size < valid.size(); ++size) {
    EXPECT_FALSE(ParseSafetensors(valid.substr(0, size), "fuzz.safetensors").ok()) << size;
  }
}

TEST_F(DamagedFiles, RandomByteChangesNeverCrash) {
  std::string valid = Valid();
  std::mt19937 rng(12345);
  for (int trial = 0; trial < 500; ++trial) {
    std::string bytes = valid;
    int changes = 1 + static_cast<int>(rng() % 4);
    for (int i = 0; i < changes; ++i) {
      size_t at = rng() % bytes.size();
      // Half the time a single flipped bit, else any byte.
      bytes[at] = (rng() % 2) ? static_cast<char>(bytes[at] ^ (1 << (rng() % 8)))
                              : static_cast<char>(rng() % 256);
    }
    ExpectConsistentOrError(bytes);
  }
}

}  // namespace
}  // namespace rnnc
