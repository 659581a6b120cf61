// Linking a model's object file into a shared library with the system C++
// compiler (`c++ -shared`, as Halide does), together with the AOT runtime
// archive (and, for the oneDNN GEMM, rnnc_aot_onednn and libdnnl).
#ifndef RNNC_AOT_LINKER_H
#define RNNC_AOT_LINKER_H

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace rnnc::aot {

// The directory that holds librnnc_aot_runtime.a: $RNNC_AOT_RUNTIME_DIR if
// set, else ../lib beside the running program (bin/ and lib/ of an install,
// tools/ and lib/ of the build tree), else the build tree's and the install
// prefix's lib/. The error lists where it looked.
absl::StatusOr<std::string> FindRuntimeDirectory();

// Writes `object` to a temporary file and links `library_path` from it.
// The compiler is $RNNC_CXX, or c++. The library's soname is its file
// name, so that programs linked with it find it by that name. The link
// refuses undefined symbols,
// links libgcc statically, and hides every symbol of the archives, so the
// library exports only the model's functions. The error holds the
// compiler's output.
absl::Status LinkSharedLibrary(const std::string& object, const std::string& library_path,
                               bool onednn_gemm);

}  // namespace rnnc::aot

#endif  // RNNC_AOT_LINKER_H
