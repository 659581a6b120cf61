#include "runtime/FileBytes.h"

#include <cerrno>
#include <filesystem>
#include <fstream>
#include <iterator>

#include "absl/strings/str_cat.h"

namespace rnnc {

absl::StatusOr<std::string> ReadFileBytes(const std::string& path, std::string_view kind) {
  std::error_code error;
  if (std::filesystem::is_directory(path, error)) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": is a directory, not ", std::string(kind)));
  }
  std::ifstream in(path, std::ios::binary);
  if (!in) return absl::ErrnoToStatus(errno, absl::StrCat(path, ": cannot open"));
  std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (in.bad()) return absl::ErrnoToStatus(errno, absl::StrCat(path, ": cannot read"));
  return bytes;
}

}  // namespace rnnc
