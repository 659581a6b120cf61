// How `rnnc compile` and the generator API build a model library.
#ifndef RNNC_AOT_LIBRARY_OPTIONS_H
#define RNNC_AOT_LIBRARY_OPTIONS_H

#include <string>

namespace rnnc::aot {

struct LibraryOptions {
  // The C prefix of the library's functions (<name>_create, ...); empty:
  // the graph's name, which must then be a C identifier.
  std::string name;
  // False: --external-weights. The library embeds no weights and its
  // create reads them from a safetensors path.
  bool embed_weights = true;
  // True: large matmuls between two activations call oneDNN's sgemm, as
  // the JIT does, and a library with such a matmul needs libdnnl. False
  // (the default): every matmul is inline code and the library needs only
  // libc, libm and libstdc++.
  bool onednn_gemm = false;
  // The CPU the code is for, an LLVM CPU name (x86-64, x86-64-v3,
  // skylake-avx512, ...); empty or "native": the compiling machine's CPU
  // with all its features, which may not run on older CPUs.
  std::string target_cpu;
};

}  // namespace rnnc::aot

#endif  // RNNC_AOT_LIBRARY_OPTIONS_H
