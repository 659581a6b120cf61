// Reads a whole file into memory: what every file-format reader of runtime/
// (safetensors, IDX) starts from, with the errors a user can act on (the
// path is a directory, cannot be opened, cannot be read).
#ifndef RNNC_RUNTIME_FILE_BYTES_H
#define RNNC_RUNTIME_FILE_BYTES_H

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace rnnc {

// `kind` names what the file should be ("a safetensors file") in the error
// for a directory.
absl::StatusOr<std::string> ReadFileBytes(const std::string& path, std::string_view kind);

}  // namespace rnnc

#endif  // RNNC_RUNTIME_FILE_BYTES_H
