// Internal to the LLVM backend: the host's target machine and the O2
// pipeline that both the JIT and the object-file emitter run, so that a
// model compiled ahead of time is the machine code the JIT makes (unless it
// asks for another CPU of the host's architecture), but for the inlining
// that the JIT's partitions (ObjectCompile.h) keep within each.
#ifndef RNNC_BACKENDS_LLVM_HOST_TARGET_H
#define RNNC_BACKENDS_LLVM_HOST_TARGET_H

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "backends/llvm/Codegen.h"

#include <string>

#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/IR/Module.h"
#include "llvm/Target/TargetMachine.h"

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

// O2, not O3: the hot loops arrive vectorized by hand (16-lane chunks, GEMM
// tiles), and O3's extra passes cost a third more compile time (2-layer
// LSTM: 106 vs 81 ms of CPU) for no measured speed. MergeFunctions first,
// which O2 leaves out: the layers of a stack of equal widths have identical
// steps (Codegen.h's slot tables), of which one is then compiled.
inline constexpr char kO2Pipeline[] = "mergefunc,default<O2>";

// Sets `module`'s data layout and triple for `target` and runs `pipeline`
// (opt's -passes syntax) on it.
absl::Status RunPipeline(llvm::Module& module, llvm::TargetMachine& target, const char* pipeline);

// RunPipeline(kO2Pipeline) for `machine`.
absl::Status OptimizeForMachine(llvm::Module& module, llvm::orc::JITTargetMachineBuilder& machine);

absl::Status ToStatus(llvm::Error error, const char* what);

}  // namespace rnnc::llvm_backend

#endif  // RNNC_BACKENDS_LLVM_HOST_TARGET_H
