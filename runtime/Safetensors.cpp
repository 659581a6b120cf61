// Safetensors reading and writing. Every field of the header is checked
// before any data is touched, so a corrupt or hostile file ends in an error.
#include "runtime/Safetensors.h"

#include <bit>
#include <cerrno>
#include <cmath>
#include <cstring>
#include <fstream>
#include <limits>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "ir/Type.h"
#include "nlohmann/json.hpp"
#include "runtime/FileBytes.h"

namespace rnnc {

// Values are copied byte for byte from and to the file, which is
// little-endian.
static_assert(std::endian::native == std::endian::little,
              "safetensors I/O assumes a little-endian host");

namespace {

using nlohmann::json;

constexpr uint64_t kLengthFieldSize = 8;
// The reference implementation refuses headers above 100 MB; a larger length
// means the file is corrupt or not safetensors at all.
constexpr uint64_t kMaxHeaderSize = 100'000'000;
constexpr std::string_view kMetadataKey = "__metadata__";

float DecodeF32(const unsigned char* bytes) {
  float value;
  std::memcpy(&value, bytes, sizeof(value));
  return value;
}

float DecodeF64(const unsigned char* bytes) {
  double value;
  std::memcpy(&value, bytes, sizeof(value));
  return static_cast<float>(value);
}

// IEEE half: 1 sign bit, 5 exponent bits (bias 15), 10 mantissa bits.
float DecodeF16(const unsigned char* bytes) {
  uint32_t half = bytes[0] | (uint32_t{bytes[1]} << 8);
  uint32_t sign = (half & 0x8000u) << 16;
  uint32_t exponent = (half >> 10) & 0x1fu;
  uint32_t mantissa = half & 0x3ffu;
  if (exponent == 0) {
    // Zero or subnormal: mantissa * 2^-24, exact in f32.
    float magnitude = std::ldexp(static_cast<float>(mantissa), -24);
    return sign ? -magnitude : magnitude;
  }
  if (exponent == 0x1f) {
    return std::bit_cast<float>(sign | 0x7f800000u | (mantissa << 13));  // inf or NaN
  }
  // Rebias the exponent from 15 to 127.
  return std::bit_cast<float>(sign | ((exponent + 112) << 23) | (mantissa << 13));
}

// bfloat16 is the top half of an f32.
float DecodeBF16(const unsigned char* bytes) {
  uint32_t bits = bytes[0] | (uint32_t{bytes[1]} << 8);
  return std::bit_cast<float>(bits << 16);
}

struct Dtype {
  std::string_view name;
  uint64_t size;
  float (*decode)(const unsigned char*);
};

constexpr Dtype kDtypes[] = {
    {"F32", 4, DecodeF32},
    {"F64", 8, DecodeF64},
    {"F16", 2, DecodeF16},
    {"BF16", 2, DecodeBF16},
};

const Dtype* FindDtype(std::string_view name) {
  for (const Dtype& dtype : kDtypes) {
    if (dtype.name == name) return &dtype;
  }
  return nullptr;
}

// Errors about the file as a whole and about one tensor in it.
absl::Status Corrupt(std::string_view source, std::string_view message) {
  return absl::InvalidArgumentError(absl::StrFormat("%s: %s", source, message));
}
absl::Status BadTensor(std::string_view source, std::string_view tensor, std::string_view message) {
  return Corrupt(source, absl::StrFormat("tensor '%s': %s", tensor, message));
}

// "a string", "an array": JSON type names for messages. Values themselves
// are never printed, since a hostile header can nest them arbitrarily deep.
std::string Described(const json& value) {
  std::string type = value.type_name();
  if (value.is_null()) return type;
  return absl::StrCat(type[0] == 'a' || type[0] == 'o' ? "an " : "a ", type);
}

absl::StatusOr<std::vector<int64_t>> ReadShape(std::string_view source, std::string_view name,
                                               const json& entry) {
  auto it = entry.find("shape");
  if (it == entry.end()) return BadTensor(source, name, "missing 'shape'");
  if (!it->is_array()) {
    return BadTensor(source, name,
                     absl::StrCat("'shape' is ", Described(*it), ", expected a list of sizes"));
  }
  std::vector<int64_t> shape;
  for (size_t i = 0; i < it->size(); ++i) {
    const json& dim = (*it)[i];
    if (dim.is_number_unsigned() &&
        dim.get<uint64_t>() <= static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
      shape.push_back(static_cast<int64_t>(dim.get<uint64_t>()));
    } else if (dim.is_number_unsigned()) {
      return BadTensor(source, name,
                       absl::StrFormat("dim %d is %d, too large", i, dim.get<uint64_t>()));
    } else if (dim.is_number_integer()) {
      return BadTensor(source, name,
                       absl::StrFormat("dim %d is %d; sizes must be >= 0", i, dim.get<int64_t>()));
    } else if (dim.is_number_float()) {
      return BadTensor(source, name,
                       absl::StrFormat("dim %d is %g, not an integer", i, dim.get<double>()));
    } else {
      return BadTensor(source, name,
                       absl::StrFormat("dim %d is %s, expected an integer", i, Described(dim)));
    }
  }
  return shape;
}

struct ByteRange {
  uint64_t begin;
  uint64_t end;
};

absl::StatusOr<ByteRange> ReadOffsets(std::string_view source, std::string_view name,
                                      const json& entry, uint64_t buffer_size) {
  auto it = entry.find("data_offsets");
  if (it == entry.end()) return BadTensor(source, name, "missing 'data_offsets'");
  if (!it->is_array() || it->size() != 2 || !(*it)[0].is_number_unsigned() ||
      !(*it)[1].is_number_unsigned()) {
    return BadTensor(source, name,
                     "'data_offsets' must be two byte offsets [begin, end], integers >= 0");
  }
  ByteRange range{(*it)[0].get<uint64_t>(), (*it)[1].get<uint64_t>()};
  if (range.begin > range.end) {
    return BadTensor(source, name,
                     absl::StrFormat("data_offsets [%d, %d] are reversed", range.begin, range.end));
  }
  if (range.end > buffer_size) {
    return BadTensor(source, name,
                     absl::StrFormat("data_offsets [%d, %d] run past the end of the %d-byte data "
                                     "buffer; the file is truncated or corrupt",
                                     range.begin, range.end, buffer_size));
  }
  return range;
}

absl::StatusOr<Tensor> ReadTensor(std::string_view source, std::string_view name, const json& entry,
                                  std::string_view buffer) {
  if (!entry.is_object()) {
    return BadTensor(source, name,
                     absl::StrCat("entry is ", Described(entry),
                                  ", expected an object with dtype, shape and data_offsets"));
  }
  auto dtype_it = entry.find("dtype");
  if (dtype_it == entry.end()) return BadTensor(source, name, "missing 'dtype'");
  if (!dtype_it->is_string()) {
    return BadTensor(
        source, name,
        absl::StrCat("'dtype' is ", Described(*dtype_it), ", expected a string such as \"F32\""));
  }
  const std::string& dtype_name = dtype_it->get_ref<const std::string&>();
  const Dtype* dtype = FindDtype(dtype_name);
  if (dtype == nullptr) {
    return BadTensor(source, name,
                     absl::StrFormat("dtype %s is not supported; rnnc reads F32, F64, F16 and BF16 "
                                     "(converted to f32), so save floating-point weights",
                                     dtype_name));
  }
  absl::StatusOr<std::vector<int64_t>> shape = ReadShape(source, name, entry);
  if (!shape.ok()) return shape.status();
  absl::StatusOr<ByteRange> range = ReadOffsets(source, name, entry, buffer.size());
  if (!range.ok()) return range.status();

  uint64_t held = range->end - range->begin;
  uint64_t needed = dtype->size;
  bool overflow = false;
  for (int64_t dim : *shape) {
    overflow |= __builtin_mul_overflow(needed, static_cast<uint64_t>(dim), &needed);
  }
  if (overflow || needed != held) {
    return BadTensor(
        source, name,
        absl::StrFormat("data_offsets [%d, %d] hold %d bytes, but shape %s of %s needs %s",
                        range->begin, range->end, held, ir::ShapeToString(*shape), dtype_name,
                        overflow ? "more than 2^64" : absl::StrCat(needed)));
  }

  // held == elements * dtype size <= the file size, so this allocation is bounded.
  std::vector<float> values(held / dtype->size);
  const auto* bytes = reinterpret_cast<const unsigned char*>(buffer.data()) + range->begin;
  for (size_t i = 0; i < values.size(); ++i) values[i] = dtype->decode(bytes + i * dtype->size);
  return Tensor(*std::move(shape), std::move(values));
}

absl::Status ReadMetadata(std::string_view source, const json& entry,
                          std::map<std::string, std::string>& metadata) {
  if (!entry.is_object()) {
    return Corrupt(source, absl::StrCat("'__metadata__' is ", Described(entry),
                                        ", expected an object of strings"));
  }
  for (const auto& [key, value] : entry.items()) {
    if (!value.is_string()) {
      return Corrupt(source, absl::StrFormat("'__metadata__' entry '%s' is %s, expected a string",
                                             key, Described(value)));
    }
    metadata[key] = value.get<std::string>();
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<SafetensorsFile> ParseSafetensors(std::string_view bytes,
                                                 std::string_view source_name) {
  if (bytes.size() < kLengthFieldSize) {
    return Corrupt(source_name,
                   absl::StrFormat("file has %d bytes, too few for the 8-byte header length; "
                                   "not a safetensors file",
                                   bytes.size()));
  }
  uint64_t header_size;
  std::memcpy(&header_size, bytes.data(), kLengthFieldSize);
  uint64_t rest = bytes.size() - kLengthFieldSize;
  if (header_size > kMaxHeaderSize) {
    return Corrupt(source_name,
                   absl::StrFormat("header length %d is absurd (the limit is %d bytes); the file "
                                   "is corrupt or not a safetensors file",
                                   header_size, kMaxHeaderSize));
  }
  if (header_size > rest) {
    return Corrupt(source_name,
                   absl::StrFormat("header length %d is more than the %d bytes that follow it; the "
                                   "file is truncated or not a safetensors file",
                                   header_size, rest));
  }

  std::string_view header_text = bytes.substr(kLengthFieldSize, header_size);
  json header;
  try {
    header = json::parse(header_text);
  } catch (const json::parse_error& error) {
    // what() is "[json.exception.parse_error.101] parse error at ...": keep the part after the tag.
    std::string_view what = error.what();
    if (size_t tag_end = what.find("] "); tag_end != std::string_view::npos) {
      what.remove_prefix(tag_end + 2);
    }
    // It quotes the token it stopped in, which a corrupt header can make huge.
    constexpr size_t kMaxDetail = 200;
    if (what.size() > kMaxDetail) what = what.substr(0, kMaxDetail);
    return Corrupt(source_name, absl::StrFormat("header is not valid JSON: %s", what));
  }
  if (!header.is_object()) {
    return Corrupt(source_name, absl::StrCat("header is ", Described(header),
                                             ", expected a JSON object of tensors"));
  }

  std::string_view buffer = bytes.substr(kLengthFieldSize + header_size);
  SafetensorsFile file;
  for (const auto& [name, entry] : header.items()) {
    if (name == kMetadataKey) {
      if (absl::Status status = ReadMetadata(source_name, entry, file.metadata); !status.ok()) {
        return status;
      }
      continue;
    }
    absl::StatusOr<Tensor> tensor = ReadTensor(source_name, name, entry, buffer);
    if (!tensor.ok()) return tensor.status();
    file.tensors.emplace(name, *std::move(tensor));
  }
  return file;
}

absl::StatusOr<SafetensorsFile> ReadSafetensors(const std::string& path) {
  absl::StatusOr<std::string> bytes = ReadFileBytes(path, "a safetensors file");
  if (!bytes.ok()) return bytes.status();
  return ParseSafetensors(*bytes, path);
}

std::string SerializeSafetensors(const TensorMap& tensors,
                                 const std::map<std::string, std::string>& metadata) {
  // ordered_json keeps "__metadata__" first and the tensors in name order.
  nlohmann::ordered_json header = nlohmann::ordered_json::object();
  if (!metadata.empty()) header[std::string(kMetadataKey)] = metadata;
  uint64_t offset = 0;
  for (const auto& [name, tensor] : tensors) {
    uint64_t size = static_cast<uint64_t>(tensor.num_elements()) * sizeof(float);
    header[name] = {
        {"dtype", "F32"}, {"shape", tensor.shape()}, {"data_offsets", {offset, offset + size}}};
    offset += size;
  }
  // Names that are not valid UTF-8 are written with U+FFFD rather than throwing.
  std::string text = header.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
  // Pad so the data starts 8-byte aligned: the length field is 8 bytes too.
  text.append((8 - text.size() % 8) % 8, ' ');

  uint64_t header_size = text.size();
  std::string bytes(kLengthFieldSize, '\0');
  std::memcpy(bytes.data(), &header_size, kLengthFieldSize);
  bytes.reserve(kLengthFieldSize + header_size + offset);
  bytes += text;
  for (const auto& [name, tensor] : tensors) {
    bytes.append(reinterpret_cast<const char*>(tensor.data()),
                 tensor.num_elements() * sizeof(float));
  }
  return bytes;
}

absl::Status WriteSafetensors(const std::string& path, const TensorMap& tensors,
                              const std::map<std::string, std::string>& metadata) {
  if (tensors.count(std::string(kMetadataKey))) {
    return absl::InvalidArgumentError(absl::StrCat(
        path,
        ": a tensor cannot be named '__metadata__', the key safetensors reserves for metadata"));
  }
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (!out) return absl::ErrnoToStatus(errno, absl::StrCat(path, ": cannot open for writing"));
  std::string bytes = SerializeSafetensors(tensors, metadata);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  out.close();
  if (!out) return absl::ErrnoToStatus(errno, absl::StrCat(path, ": cannot write"));
  return absl::OkStatus();
}

}  // namespace rnnc
