// Safetensors files written by rnnc read back unchanged, files written by
// Python read with their dtypes converted, and the layout is the reference's.
#include <bit>
#include <cmath>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ir/Graph.h"
#include "nlohmann/json.hpp"
#include "runtime/Safetensors.h"
#include "runtime/Weights.h"

namespace rnnc {
namespace {

const std::string kDataDir = RNNC_SOURCE_DIR "/tests/golden/data";

std::string ReadBytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
}

uint64_t HeaderLength(const std::string& bytes) {
  uint64_t length;
  std::memcpy(&length, bytes.data(), sizeof(length));
  return length;
}

nlohmann::json Header(const std::string& bytes) {
  return nlohmann::json::parse(bytes.substr(8, HeaderLength(bytes)));
}

// Bit patterns, so that -0 and NaN compare too.
std::vector<uint32_t> Bits(const Tensor& tensor) {
  std::vector<uint32_t> bits;
  for (float value : tensor.values()) bits.push_back(std::bit_cast<uint32_t>(value));
  return bits;
}

// The file with one header entry removed: its bytes stay in the buffer,
// unreferenced, which the format allows.
std::string WithoutTensor(const std::string& bytes, const std::string& name) {
  nlohmann::json header = Header(bytes);
  header.erase(name);
  std::string text = header.dump();
  uint64_t length = text.size();
  std::string result(reinterpret_cast<const char*>(&length), sizeof(length));
  return result + text + bytes.substr(8 + HeaderLength(bytes));
}

TEST(Safetensors, RoundTripKeepsTensorsAndMetadata) {
  TensorMap tensors;
  tensors["b.weight"] = Tensor({2, 3}, {1.5f, -2.0f, 0.0f, 1e-30f, 3e38f, -0.0f});
  tensors["a.scalar"] = Tensor(std::vector<int64_t>{}, {42.0f});
  tensors["empty"] = Tensor({0, 4});
  tensors["nan"] = Tensor({1}, {std::nanf("")});
  std::map<std::string, std::string> metadata = {{"model", "tagger"}, {"format", "pt"}};
  std::string path = testing::TempDir() + "/round_trip.safetensors";

  ASSERT_TRUE(WriteSafetensors(path, tensors, metadata).ok());
  absl::StatusOr<SafetensorsFile> file = ReadSafetensors(path);
  ASSERT_TRUE(file.ok()) << file.status();

  EXPECT_EQ(file->metadata, metadata);
  ASSERT_EQ(file->tensors.size(), tensors.size());
  for (const auto& [name, tensor] : tensors) {
    const Tensor& read = file->tensors.at(name);
    EXPECT_EQ(read.shape(), tensor.shape()) << name;
    EXPECT_EQ(Bits(read), Bits(tensor)) << name;
  }
}

TEST(Safetensors, LayoutFollowsTheReference) {
  TensorMap tensors;
  tensors["z"] = Tensor({3}, {1, 2, 3});
  tensors["a"] = Tensor({1, 2}, {4, 5});
  std::string bytes = SerializeSafetensors(tensors, {{"k", "v"}});

  // The header is padded with spaces so that the data starts 8-byte aligned.
  uint64_t length = HeaderLength(bytes);
  EXPECT_EQ(length % 8, 0u);
  std::string text = bytes.substr(8, length);
  EXPECT_EQ(text.front(), '{');
  size_t json_end = text.rfind('}') + 1;
  EXPECT_EQ(text.substr(json_end), std::string(text.size() - json_end, ' '));
  EXPECT_LT(text.size() - json_end, 8u);
  EXPECT_EQ(bytes.size(), 8 + length + 5 * sizeof(float));

  // Metadata first, then the tensors in name order, stored contiguously.
  nlohmann::ordered_json header = nlohmann::ordered_json::parse(text);
  std::vector<std::string> keys;
  for (const auto& [key, value] : header.items()) keys.push_back(key);
  EXPECT_THAT(keys, testing::ElementsAre("__metadata__", "a", "z"));
  EXPECT_EQ(header["a"]["dtype"], "F32");
  EXPECT_EQ(header["a"]["shape"], nlohmann::ordered_json({1, 2}));
  EXPECT_EQ(header["a"]["data_offsets"], nlohmann::ordered_json({0, 8}));
  EXPECT_EQ(header["z"]["data_offsets"], nlohmann::ordered_json({8, 20}));
  float first;
  std::memcpy(&first, bytes.data() + 8 + length, sizeof(first));
  EXPECT_EQ(first, 4.0f);
}

TEST(Safetensors, NoMetadataWritesNoMetadataKey) {
  std::string bytes = SerializeSafetensors({{"w", Tensor({1}, {1})}});
  EXPECT_FALSE(Header(bytes).contains("__metadata__"));
  absl::StatusOr<SafetensorsFile> file = ParseSafetensors(bytes, "w.safetensors");
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_TRUE(file->metadata.empty());
}

// dtypes.safetensors, from gen.py, holds one (2, 4) tensor as F32, F64, F16
// and BF16 (and an I64 tensor, which the reader rejects; see the error tests).
TEST(Safetensors, ConvertsPythonDtypesToF32) {
  std::string bytes = WithoutTensor(ReadBytes(kDataDir + "/dtypes.safetensors"), "ints");
  absl::StatusOr<SafetensorsFile> file = ParseSafetensors(bytes, "dtypes.safetensors");
  ASSERT_TRUE(file.ok()) << file.status();
  const Tensor& f32 = file->tensors.at("f32");
  ASSERT_EQ(f32.shape(), (std::vector<int64_t>{2, 4}));
  for (const char* name : {"f64", "f16", "bf16"}) {
    ASSERT_EQ(file->tensors.at(name).shape(), f32.shape()) << name;
  }
  const std::vector<float>& f64 = file->tensors.at("f64").values();
  const std::vector<float>& f16 = file->tensors.at("f16").values();
  const std::vector<float>& bf16 = file->tensors.at("bf16").values();
  for (int64_t i = 0; i < f32.num_elements(); ++i) {
    float want = f32.values()[i];
    // F64 holds the f32 values exactly. Rounding to F16 (11-bit significand)
    // errs by at most 2^-11 relative, or half the 2^-24 subnormal step; BF16
    // (8-bit significand) by 2^-8 relative.
    EXPECT_EQ(f64[i], want) << i;
    EXPECT_LE(std::abs(f16[i] - want), std::ldexp(std::abs(want), -11) + std::ldexp(1.0f, -25))
        << i;
    EXPECT_LE(std::abs(bf16[i] - want), std::ldexp(std::abs(want), -8)) << i;
  }
  // Values PyTorch gives for the rounded tensors, exactly: a normal, a
  // subnormal (17 * 2^-24), the largest-exponent range, and BF16 rounding.
  EXPECT_EQ(f16[3], 0.0999755859375f);
  EXPECT_EQ(f16[5], std::ldexp(17.0f, -24));
  EXPECT_EQ(f16[6], 60000.0f);
  EXPECT_EQ(f16[7], -0.0078125f);
  EXPECT_EQ(bf16[3], 0.10009765625f);
  EXPECT_EQ(bf16[6], 59904.0f);
}

TEST(Safetensors, ReadsEveryGoldenFile) {
  int cases = 0;
  for (const auto& entry : std::filesystem::directory_iterator(kDataDir)) {
    std::string stem = entry.path().stem();
    if (entry.path().extension() != ".safetensors" || stem == "dtypes") continue;
    absl::StatusOr<SafetensorsFile> file = ReadSafetensors(entry.path());
    ASSERT_TRUE(file.ok()) << file.status();
    if (stem == "classifier") continue;
    ++cases;
    EXPECT_TRUE(file->metadata.contains("cell")) << stem;
    for (const char* name : {"x", "output", "h_n", "weight_ih_l0", "bias_hh_l0"}) {
      EXPECT_TRUE(file->tensors.contains(name)) << stem << " lacks " << name;
    }
    EXPECT_EQ(file->tensors.at("x").dim(0), std::stoi(file->metadata.at("seq_len"))) << stem;
  }
  EXPECT_GE(cases, 50);
}

// classifier.safetensors is a PyTorch state_dict (plus x and y): it fits a
// graph whose params carry the state_dict's names, with no renaming.
TEST(Safetensors, ReadsPyTorchStateDict) {
  absl::StatusOr<SafetensorsFile> file = ReadSafetensors(kDataDir + "/classifier.safetensors");
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(file->metadata.at("model"), "classifier");
  TensorMap& tensors = file->tensors;
  EXPECT_EQ(tensors.at("x").shape(), (std::vector<int64_t>{12, 4, 50}));
  EXPECT_EQ(tensors.at("y").shape(), (std::vector<int64_t>{4, 1}));
  tensors.erase("x");
  tensors.erase("y");

  ir::Graph graph("classifier");
  auto add_gru = [&](const std::string& name, int64_t input, int64_t hidden) {
    graph.AddParam(name + ".weight_ih_l0", std::vector<ir::Dim>{3 * hidden, input});
    graph.AddParam(name + ".weight_hh_l0", std::vector<ir::Dim>{3 * hidden, hidden});
    graph.AddParam(name + ".bias_ih_l0", std::vector<ir::Dim>{3 * hidden});
    graph.AddParam(name + ".bias_hh_l0", std::vector<ir::Dim>{3 * hidden});
  };
  add_gru("gru1", 50, 128);
  add_gru("gru2", 128, 64);
  graph.AddParam("dense.weight", std::vector<ir::Dim>{1, 64});
  graph.AddParam("dense.bias", std::vector<ir::Dim>{1});
  absl::Status status = CheckWeights(graph, tensors);
  EXPECT_TRUE(status.ok()) << status;
}

}  // namespace
}  // namespace rnnc
