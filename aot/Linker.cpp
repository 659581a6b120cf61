// Finding the runtime archive and running the system compiler as a linker.
#include "aot/Linker.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"

namespace rnnc::aot {

namespace {

namespace fs = std::filesystem;

constexpr char kRuntimeArchive[] = "librnnc_aot_runtime.a";
constexpr char kOnednnArchive[] = "librnnc_aot_onednn.a";

std::string ShellQuoted(const std::string& text) {
  return absl::StrCat("'", absl::StrReplaceAll(text, {{"'", "'\\''"}}), "'");
}

std::vector<std::string> CandidateDirectories() {
  std::vector<std::string> candidates;
  if (const char* dir = std::getenv("RNNC_AOT_RUNTIME_DIR")) candidates.push_back(dir);
  std::error_code error;
  const fs::path program = fs::read_symlink("/proc/self/exe", error);
  if (!error) candidates.push_back((program.parent_path().parent_path() / "lib").string());
  candidates.push_back(RNNC_AOT_RUNTIME_BUILD_DIR);
  candidates.push_back(RNNC_AOT_RUNTIME_INSTALL_DIR);
  return candidates;
}

}  // namespace

absl::StatusOr<std::string> FindRuntimeDirectory() {
  const std::vector<std::string> candidates = CandidateDirectories();
  for (const std::string& dir : candidates) {
    if (fs::exists(fs::path(dir) / kRuntimeArchive)) return dir;
  }
  return absl::NotFoundError(
      absl::StrCat("cannot find ", kRuntimeArchive, ", which every model library links; looked in ",
                   absl::StrJoin(candidates, ", "), "; set RNNC_AOT_RUNTIME_DIR to its directory"));
}

absl::Status LinkSharedLibrary(const std::string& object, const std::string& library_path,
                               bool onednn_gemm) {
  absl::StatusOr<std::string> runtime = FindRuntimeDirectory();
  if (!runtime.ok()) return runtime.status();
  const fs::path object_path =
      fs::temp_directory_path() /
      absl::StrCat("rnnc-", getpid(), "-", fs::path(library_path).filename().string(), ".o");
  {
    std::ofstream file(object_path, std::ios::binary);
    file.write(object.data(), static_cast<std::streamsize>(object.size()));
    if (!file) return absl::InternalError(absl::StrCat(object_path.string(), ": cannot write"));
  }
  const char* compiler = std::getenv("RNNC_CXX");
  std::string command =
      absl::StrCat(compiler ? compiler : "c++", " -shared -o ", ShellQuoted(library_path),
                   " -Wl,-soname,", ShellQuoted(fs::path(library_path).filename().string()), " ",
                   ShellQuoted(object_path.string()));
  // The oneDNN archive first: its GEMMs call the runtime's thread team.
  if (onednn_gemm) {
    absl::StrAppend(&command, " ", ShellQuoted((fs::path(*runtime) / kOnednnArchive).string()));
  }
  absl::StrAppend(&command, " ", ShellQuoted((fs::path(*runtime) / kRuntimeArchive).string()));
  if (onednn_gemm) absl::StrAppend(&command, " -ldnnl -fopenmp");
  absl::StrAppend(&command,
                  " -static-libgcc -Wl,--exclude-libs,ALL -Wl,-z,defs -Wl,--as-needed -lm 2>&1");
  FILE* pipe = popen(command.c_str(), "r");
  if (!pipe) return absl::InternalError(absl::StrCat("cannot run: ", command));
  std::string output;
  char buffer[4096];
  while (size_t n = fread(buffer, 1, sizeof(buffer), pipe)) output.append(buffer, n);
  const int status = pclose(pipe);
  std::error_code ignored;
  fs::remove(object_path, ignored);
  if (status != 0) {
    return absl::InternalError(
        absl::StrCat("linking ", library_path, " failed: ", command, ": ", output));
  }
  return absl::OkStatus();
}

}  // namespace rnnc::aot
