// Reads the IDX format of the MNIST and Fashion-MNIST files: the magic
// 00 00 <type> <rank>, then `rank` big-endian u32 sizes, then the elements
// in row-major order, big-endian. Types: 08 u8, 09 i8, 0B i16, 0C i32,
// 0D f32, 0E f64; every element becomes an f32 (exact for u8 pixels and
// labels). A gzipped file (what Debian's dataset-fashion-mnist ships) is
// decompressed first. Errors name the file and what is wrong with it: bad
// magic, unknown type, zero rank, data shorter or longer than the sizes say.
#ifndef RNNC_RUNTIME_IDX_H
#define RNNC_RUNTIME_IDX_H

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "runtime/Tensor.h"

namespace rnnc {

// Parses the (already decompressed) bytes of an IDX file.
absl::StatusOr<Tensor> ParseIdx(std::string_view bytes, std::string_view source_name);
// Reads `path`, gunzipping it when it starts with gzip's magic.
absl::StatusOr<Tensor> ReadIdx(const std::string& path);

}  // namespace rnnc

#endif  // RNNC_RUNTIME_IDX_H
