// Internal to the LLVM backend: the host's target machine and the O2
// pipeline that both the JIT and the object-file emitter run, so that a
// model compiled ahead of time is the same machine code the JIT makes
// (unless it asks for another CPU of the host's architecture).
#ifndef RNNC_BACKENDS_LLVM_HOST_TARGET_H
#define RNNC_BACKENDS_LLVM_HOST_TARGET_H

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "backends/llvm/Codegen.h"

#include <string>

#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/IR/Module.h"

namespace rnnc::llvm_backend {

// The host's CPU and features (detectHost asks LLVM's getHostCPUName and
// getHostCPUFeatures), at the highest code generation level.
absl::StatusOr<llvm::orc::JITTargetMachineBuilder> HostMachine();

// The host's triple with the CPU `cpu` (an LLVM CPU name such as x86-64,
// x86-64-v3, skylake-avx512 or znver4) and that CPU's features, so that a
// library compiled here runs on such CPUs; "" or "native" is HostMachine().
// An unknown name is an error that says so.
absl::StatusOr<llvm::orc::JITTargetMachineBuilder> MachineForCpu(const std::string& cpu);

// The register file of `machine`'s CPU and features, and the host's L2.
TargetShape TargetShapeOf(const llvm::orc::JITTargetMachineBuilder& machine);

// Sets `module`'s data layout and triple for `machine` and runs the O2
// pipeline on it.
absl::Status OptimizeForMachine(llvm::Module& module, llvm::orc::JITTargetMachineBuilder& machine);

absl::Status ToStatus(llvm::Error error, const char* what);

}  // namespace rnnc::llvm_backend

#endif  // RNNC_BACKENDS_LLVM_HOST_TARGET_H
