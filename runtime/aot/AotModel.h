// What the object file of a compiled model hands the AOT runtime: the
// descriptor of the model, its embedded weights and its entry function. The
// compiler (backends/llvm/AotObject.cpp) emits one of these as a constant
// with exactly this layout, and the exported wrappers <model>_<function>
// call rnnc_aot_<function>(&that constant, arguments...), which
// ModelContext.cpp defines.
#ifndef RNNC_RUNTIME_AOT_AOT_MODEL_H
#define RNNC_RUNTIME_AOT_AOT_MODEL_H

#include <cstdint>

extern "C" {

struct rnnc_aot_model {
  // ModelDescriptor.h's JSON text.
  const char* descriptor;
  int64_t descriptor_size;
  // A safetensors file's bytes, 64-byte aligned; null and 0 when the
  // weights are external.
  const unsigned char* weights;
  int64_t weights_size;
  // backends/llvm/Codegen.h's rnnc_main, and rnnc_prepare, which computes
  // what derives from the weights once the buffers are allocated.
  void (*entry)(float** slots, const int64_t* dims);
  void (*prepare)(float** slots, const int64_t* dims);
};

}  // extern "C"

namespace rnnc::aot {

// The prefix of the runtime's functions that the wrappers call.
inline constexpr char kRuntimeFunctionPrefix[] = "rnnc_aot_";

}  // namespace rnnc::aot

#endif  // RNNC_RUNTIME_AOT_AOT_MODEL_H
