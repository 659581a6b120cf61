// Decompresses gzip data in memory with zlib: datasets such as MNIST and
// Fashion-MNIST are distributed (and packaged by Debian) as .gz files.
#ifndef RNNC_RUNTIME_GZIP_H
#define RNNC_RUNTIME_GZIP_H

#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace rnnc {

// True when `bytes` start with gzip's magic number 1f 8b.
bool IsGzip(std::string_view bytes);

// The decompressed bytes of every gzip member in `bytes`. A corrupt or
// truncated stream is an error that starts with `source_name`.
absl::StatusOr<std::string> Gunzip(std::string_view bytes, std::string_view source_name);

}  // namespace rnnc

#endif  // RNNC_RUNTIME_GZIP_H
