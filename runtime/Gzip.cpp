#include "runtime/Gzip.h"

#include <zlib.h>

#include "absl/strings/str_cat.h"

namespace rnnc {

bool IsGzip(std::string_view bytes) {
  return bytes.size() >= 2 && static_cast<unsigned char>(bytes[0]) == 0x1f &&
         static_cast<unsigned char>(bytes[1]) == 0x8b;
}

absl::StatusOr<std::string> Gunzip(std::string_view bytes, std::string_view source_name) {
  z_stream stream{};
  // 16 + MAX_WBITS: a gzip wrapper, not zlib's own.
  if (inflateInit2(&stream, 16 + MAX_WBITS) != Z_OK) {
    return absl::InternalError(absl::StrCat(std::string(source_name), ": zlib cannot start decompressing"));
  }
  stream.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(bytes.data()));
  stream.avail_in = static_cast<uInt>(bytes.size());
  std::string out;
  char chunk[1 << 16];
  int code = Z_OK;
  while (true) {
    stream.next_out = reinterpret_cast<Bytef*>(chunk);
    stream.avail_out = sizeof(chunk);
    code = inflate(&stream, Z_NO_FLUSH);
    out.append(chunk, sizeof(chunk) - stream.avail_out);
    if (code == Z_STREAM_END) {
      // Concatenated members (gzip allows them) decompress as one stream.
      if (stream.avail_in == 0) break;
      if (inflateReset(&stream) != Z_OK) break;
      continue;
    }
    if (code != Z_OK) break;
  }
  const std::string message = stream.msg != nullptr ? stream.msg : "";
  inflateEnd(&stream);
  if (code == Z_STREAM_END) return out;
  if (code == Z_BUF_ERROR) {
    return absl::DataLossError(absl::StrCat(
        std::string(source_name), ": the gzip data ends before its stream does; the file is truncated"));
  }
  return absl::DataLossError(absl::StrCat(std::string(source_name), ": corrupt gzip data (zlib: ",
                                          message.empty() ? "error" : message, ")"));
}

}  // namespace rnnc
