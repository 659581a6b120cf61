// Ahead-of-time compilation in the LLVM backend: the same lowering and O2
// pipeline as the JIT, plus what a shared library needs to stand alone, in
// one module: the model's descriptor (runtime/aot/ModelDescriptor.h), its
// weights as embedded safetensors bytes, and the exported C functions of
// runtime/aot/rnnc_model_abi.h named <name>_<function>, each a call into the
// AOT runtime archive. The result is a relocatable object (position-
// independent) for the host CPU or one named, or its LLVM IR.
#ifndef RNNC_BACKENDS_LLVM_AOT_OBJECT_H
#define RNNC_BACKENDS_LLVM_AOT_OBJECT_H

#include <string>

#include "absl/status/statusor.h"
#include "ir/Graph.h"
#include "runtime/Tensor.h"

namespace rnnc::llvm_backend {

struct AotOptions {
  // The C prefix of the exported functions: a C identifier (aot/ checks).
  std::string name;
  // Off: --external-weights; the library reads them at create time and
  // `weights` may be empty.
  bool embed_weights = true;
  // On: large matmuls between two activations call rnnc_gemm (oneDNN's
  // sgemm), which the library must then get from the rnnc_aot_onednn
  // archive and libdnnl. Off (the default): every matmul is inline code and
  // the object needs only libc and libm besides the runtime archive.
  bool call_gemm_library = false;
  // The CPU to compile for (HostTarget.h's MachineForCpu): empty, the
  // host's CPU and all its features, as the JIT.
  std::string target_cpu;
};

// The position-independent object file's bytes.
absl::StatusOr<std::string> EmitAotObject(const ir::Graph& graph, const TensorMap& weights,
                                          const AotOptions& options);
// The same module after the O2 pipeline, as LLVM IR text.
absl::StatusOr<std::string> EmitAotLlvmIr(const ir::Graph& graph, const TensorMap& weights,
                                          const AotOptions& options);

}  // namespace rnnc::llvm_backend

#endif  // RNNC_BACKENDS_LLVM_AOT_OBJECT_H
