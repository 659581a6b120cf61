// Every header field is checked before any tensor byte is read.
#include "runtime/aot/WeightsFile.h"

#include <cstdint>
#include <cstring>
#include <map>

#include "nlohmann/json.hpp"

namespace rnnc::aot {

namespace {

using nlohmann::json;

std::string ShapeText(const json& shape) {
  std::string text = "[";
  for (size_t i = 0; i < shape.size(); ++i) {
    if (i > 0) text += ", ";
    text += shape[i].dump();
  }
  return text + "]";
}

}  // namespace

bool BindWeights(std::string_view bytes, std::string_view source,
                 const std::vector<TensorDescriptor>& params, std::vector<const float*>& data,
                 std::vector<std::vector<float>>& copies, std::string& error) {
  const std::string where(source);
  auto fail = [&](const std::string& why) {
    error = where + ": " + why;
    return false;
  };
  if (bytes.size() < 8)
    return fail("shorter than the 8-byte header length; not a safetensors file");
  uint64_t header_size = 0;
  std::memcpy(&header_size, bytes.data(), 8);  // little-endian, as the host
  if (header_size > bytes.size() - 8) {
    return fail("header length " + std::to_string(header_size) + " runs past the end of the " +
                std::to_string(bytes.size()) + "-byte file; the file is truncated or corrupt");
  }
  const json header = json::parse(bytes.substr(8, header_size), nullptr, false);
  if (!header.is_object()) return fail("the header is not a JSON object");
  const std::string_view buffer = bytes.substr(8 + header_size);

  std::map<std::string, const TensorDescriptor*> expected;
  for (const TensorDescriptor& param : params) expected[param.name] = &param;
  for (const auto& [name, entry] : header.items()) {
    if (name != "__metadata__" && !expected.count(name)) {
      return fail("tensor '" + name + "' is not a parameter of the model");
    }
  }
  data.assign(params.size(), nullptr);
  for (size_t i = 0; i < params.size(); ++i) {
    const TensorDescriptor& param = params[i];
    const std::string tensor = "tensor '" + param.name + "'";
    if (!header.contains(param.name)) {
      return fail("missing " + tensor + " (expected " + DimsToString(param.dims) + ")");
    }
    const json& entry = header[param.name];
    if (!entry.is_object() || !entry.contains("dtype") || !entry.contains("shape") ||
        !entry.contains("data_offsets") || !entry["shape"].is_array() ||
        !entry["data_offsets"].is_array() || entry["data_offsets"].size() != 2 ||
        !entry["data_offsets"][0].is_number_unsigned() ||
        !entry["data_offsets"][1].is_number_unsigned()) {
      return fail(tensor + ": the header entry lacks dtype, shape or data_offsets");
    }
    if (entry["dtype"] != "F32") {
      return fail(tensor + " has dtype " + entry["dtype"].dump() +
                  "; a compiled model reads F32 weights only");
    }
    const json& shape = entry["shape"];
    bool shape_fits = shape.size() == param.dims.size();
    uint64_t count = 1;
    for (size_t d = 0; shape_fits && d < shape.size(); ++d) {
      shape_fits = shape[d].is_number_unsigned() &&
                   (!param.dims[d].symbol.empty() || shape[d].get<int64_t>() == param.dims[d].size);
      if (shape_fits) count *= shape[d].get<uint64_t>();
    }
    if (!shape_fits) {
      return fail(tensor + " has shape " + ShapeText(shape) + ", expected " +
                  DimsToString(param.dims));
    }
    const uint64_t begin = entry["data_offsets"][0].get<uint64_t>();
    const uint64_t end = entry["data_offsets"][1].get<uint64_t>();
    if (begin > end || end > buffer.size() || end - begin != count * sizeof(float)) {
      return fail(tensor + ": data_offsets [" + std::to_string(begin) + ", " + std::to_string(end) +
                  "] do not hold " + std::to_string(count) + " floats within the " +
                  std::to_string(buffer.size()) +
                  "-byte data buffer; the file is truncated or corrupt");
    }
    const char* start = buffer.data() + begin;
    if (reinterpret_cast<uintptr_t>(start) % alignof(float) == 0) {
      data[i] = reinterpret_cast<const float*>(start);
    } else {
      copies.emplace_back(count);
      std::memcpy(copies.back().data(), start, count * sizeof(float));
      data[i] = copies.back().data();
    }
  }
  return true;
}

}  // namespace rnnc::aot
