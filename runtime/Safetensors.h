// Reads and writes safetensors files, the format PyTorch and Hugging Face
// users keep weights in: an 8-byte little-endian header length N, N bytes of
// JSON naming each tensor's dtype, shape and byte range, then the raw data.
//
// rnnc computes in f32, so reading converts F64, F16 and BF16 tensors to f32
// (state_dicts are often saved in those) and rejects every other dtype;
// writing always stores F32. A corrupt file gives an error that names the
// file and the tensor, never a crash or a read past the end of the bytes.
#ifndef RNNC_RUNTIME_SAFETENSORS_H
#define RNNC_RUNTIME_SAFETENSORS_H

#include <map>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "runtime/Tensor.h"

namespace rnnc {

struct SafetensorsFile {
  TensorMap tensors;
  // The header's free-form "__metadata__" strings.
  std::map<std::string, std::string> metadata;
};

// Parses the bytes of a whole file; `source_name` (the path, usually) starts
// every error message.
absl::StatusOr<SafetensorsFile> ParseSafetensors(std::string_view bytes,
                                                 std::string_view source_name);
absl::StatusOr<SafetensorsFile> ReadSafetensors(const std::string& path);

// The file's bytes: F32 tensors stored contiguously in name order, the header
// padded with spaces to a multiple of 8 bytes so that the data is aligned, as
// the reference implementation does. "__metadata__" is not a tensor name.
std::string SerializeSafetensors(const TensorMap& tensors,
                                 const std::map<std::string, std::string>& metadata = {});
absl::Status WriteSafetensors(const std::string& path, const TensorMap& tensors,
                              const std::map<std::string, std::string>& metadata = {});

}  // namespace rnnc

#endif  // RNNC_RUNTIME_SAFETENSORS_H
