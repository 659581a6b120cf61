#include "runtime/Idx.h"

#include <bit>
#include <cstdint>
#include <cstring>
#include <vector>

#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "runtime/FileBytes.h"
#include "runtime/Gzip.h"

namespace rnnc {

namespace {

constexpr size_t kMagicSize = 4;
// Fashion-MNIST's training images are 47 MB; a size past this means a
// corrupt header, not data, and is refused before anything is allocated.
constexpr uint64_t kMaxElements = uint64_t{1} << 32;

uint64_t ReadBigEndian(const unsigned char* p, size_t size) {
  uint64_t value = 0;
  for (size_t i = 0; i < size; ++i) value = (value << 8) | p[i];
  return value;
}

struct ElementType {
  const char* name;
  size_t size;
};

bool LookUpType(unsigned char code, ElementType& type) {
  switch (code) {
    case 0x08: type = {"u8", 1}; return true;
    case 0x09: type = {"i8", 1}; return true;
    case 0x0B: type = {"i16", 2}; return true;
    case 0x0C: type = {"i32", 4}; return true;
    case 0x0D: type = {"f32", 4}; return true;
    case 0x0E: type = {"f64", 8}; return true;
    default: return false;
  }
}

float Decode(unsigned char code, const unsigned char* p) {
  switch (code) {
    case 0x08: return static_cast<float>(p[0]);
    case 0x09: return static_cast<float>(static_cast<int8_t>(p[0]));
    case 0x0B: return static_cast<float>(static_cast<int16_t>(ReadBigEndian(p, 2)));
    case 0x0C: return static_cast<float>(static_cast<int32_t>(ReadBigEndian(p, 4)));
    case 0x0D: return std::bit_cast<float>(static_cast<uint32_t>(ReadBigEndian(p, 4)));
    default: return static_cast<float>(std::bit_cast<double>(ReadBigEndian(p, 8)));
  }
}

}  // namespace

absl::StatusOr<Tensor> ParseIdx(std::string_view bytes, std::string_view source_name) {
  const auto* data = reinterpret_cast<const unsigned char*>(bytes.data());
  if (bytes.size() < kMagicSize || data[0] != 0 || data[1] != 0) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "%s: not an IDX file: it must start with the bytes 00 00 <type> <rank>", source_name));
  }
  ElementType type;
  const unsigned char code = data[2];
  if (!LookUpType(code, type)) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "%s: IDX element type 0x%02X is unknown; expected 08 (u8), 09 (i8), 0B (i16), "
        "0C (i32), 0D (f32) or 0E (f64)",
        source_name, code));
  }
  const size_t rank = data[3];
  if (rank == 0) {
    return absl::InvalidArgumentError(
        absl::StrFormat("%s: IDX rank is 0; expected at least one dimension", source_name));
  }
  const size_t header = kMagicSize + 4 * rank;
  if (bytes.size() < header) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "%s: IDX header of rank %d needs %d bytes, the file has %d; it is truncated",
        source_name, rank, header, bytes.size()));
  }
  std::vector<int64_t> shape;
  uint64_t elements = 1;
  for (size_t i = 0; i < rank; ++i) {
    const uint64_t size = ReadBigEndian(data + kMagicSize + 4 * i, 4);
    shape.push_back(static_cast<int64_t>(size));
    elements *= size;
    if (elements > kMaxElements) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "%s: IDX sizes [%s, ...] give more than %d elements; the header is corrupt",
          source_name, absl::StrJoin(shape, ", "), kMaxElements));
    }
  }
  const uint64_t expected = header + elements * type.size;
  if (bytes.size() != expected) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "%s: IDX %s tensor of shape [%s] needs %d bytes, the file has %d; it is %s", source_name,
        type.name, absl::StrJoin(shape, ", "), expected, bytes.size(),
        bytes.size() < expected ? "truncated" : "longer than its header says (corrupt)"));
  }
  std::vector<float> values(elements);
  const unsigned char* p = data + header;
  for (uint64_t e = 0; e < elements; ++e, p += type.size) values[e] = Decode(code, p);
  return Tensor(std::move(shape), std::move(values));
}

absl::StatusOr<Tensor> ReadIdx(const std::string& path) {
  absl::StatusOr<std::string> bytes = ReadFileBytes(path, "an IDX file");
  if (!bytes.ok()) return bytes.status();
  if (!IsGzip(*bytes)) return ParseIdx(*bytes, path);
  absl::StatusOr<std::string> inflated = Gunzip(*bytes, path);
  if (!inflated.ok()) return inflated.status();
  return ParseIdx(*inflated, path);
}

}  // namespace rnnc
