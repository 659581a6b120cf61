#include "tests/CompiledLibraries.h"

#include <dlfcn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "aot/CompileToLibrary.h"
#include "gtest/gtest.h"

namespace rnnc {

std::string ProcessTempDir() {
  // Made on first use, removed when the process exits (a loaded library
  // stays mapped after its file is gone).
  struct Directory {
    Directory() : path(absl::StrCat(testing::TempDir(), "/rnnc_test_", getpid())) {
      std::filesystem::create_directories(path);
    }
    ~Directory() {
      std::error_code ignored;
      std::filesystem::remove_all(path, ignored);
    }
    std::string path;
  };
  static const Directory directory;
  return directory.path;
}

absl::StatusOr<std::string> CompileTestLibrary(const ir::Graph& graph, const TensorMap& weights,
                                               const std::string& name,
                                               aot::LibraryOptions options) {
  options.name = name;
  const std::string library = absl::StrCat(ProcessTempDir(), "/lib", name, ".so");
  const std::string header = absl::StrCat(ProcessTempDir(), "/", name, ".h");
  if (absl::Status status = aot::CompileToSharedLibrary(graph, weights, library, header, options);
      !status.ok()) {
    return status;
  }
  return library;
}

absl::StatusOr<ModelLibrary> OpenModelLibrary(const std::string& path, const std::string& name) {
  void* handle = dlopen(path.c_str(), RTLD_NOW | RTLD_LOCAL);
  if (!handle) return absl::NotFoundError(dlerror());
  ModelLibrary library;
#define RNNC_TEST_RESOLVE(function, result, parameters, signature)                                 \
  library.function =                                                                               \
      reinterpret_cast<rnnc_model_##function##_fn>(dlsym(handle, (name + "_" #function).c_str())); \
  if (!library.function) return absl::NotFoundError(absl::StrCat(name, "_" #function));
  RNNC_MODEL_FUNCTIONS(RNNC_TEST_RESOLVE)
#undef RNNC_TEST_RESOLVE
  return library;
}

CommandResult RunCommand(const std::string& command) {
  FILE* pipe = popen(absl::StrCat(command, " 2>&1").c_str(), "r");
  std::string output;
  char buffer[4096];
  while (size_t n = fread(buffer, 1, sizeof(buffer), pipe)) output.append(buffer, n);
  const int status = pclose(pipe);
  return {WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status), output};
}

}  // namespace rnnc
