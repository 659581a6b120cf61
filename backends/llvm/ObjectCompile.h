// Internal to the LLVM backend: a lowered module to object code on several
// threads at once, the way LTO's parallel code generation does it
// (llvm/lib/LTO/LTOBackend.cpp, splitCodeGen).
//
// The passes that need every function or every call site run on the whole
// module first (MergeFunctions folds the identical steps of a stack's
// layers; IPSCCP gives the GEMM tiles their constant K and M); then its
// functions are dealt into `threads` modules of about the same estimated
// cost, the costliest first, and each is optimized at O2 and
// compiled to an object on its own thread, in its own LLVMContext (a context
// is not thread-safe; the partitions travel between them as bitcode). A
// function called from another partition becomes a hidden external symbol
// that the JIT's linker resolves. With one thread this is the whole module
// at O2 in one object, as OptimizeForMachine and an AOT object have it.
#ifndef RNNC_BACKENDS_LLVM_OBJECT_COMPILE_H
#define RNNC_BACKENDS_LLVM_OBJECT_COMPILE_H

#include <memory>
#include <vector>

#include "absl/status/statusor.h"
#include "backends/llvm/Codegen.h"
#include "llvm/ExecutionEngine/Orc/JITTargetMachineBuilder.h"
#include "llvm/Support/MemoryBuffer.h"

namespace rnnc::llvm_backend {

struct ObjectCompileTimings {
  // Wall milliseconds of the whole-module passes and the split, and of the
  // slowest partition's O2.
  double whole_module_ms = 0;
  double slowest_optimize_ms = 0;
  int partitions = 1;
};

absl::StatusOr<std::vector<std::unique_ptr<llvm::MemoryBuffer>>> CompileToObjects(
    LoweredModule lowered, const llvm::orc::JITTargetMachineBuilder& machine, int threads,
    ObjectCompileTimings& timings);

}  // namespace rnnc::llvm_backend

#endif  // RNNC_BACKENDS_LLVM_OBJECT_COMPILE_H
