// The host target machine and the O2 pipeline (new pass manager).
#include "backends/llvm/HostTarget.h"

#include <unistd.h>

#include <mutex>

#include "absl/strings/str_cat.h"
#include "llvm/MC/MCSubtargetInfo.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Passes/PassBuilder.h"
#include "llvm/Support/TargetSelect.h"
#include "llvm/Target/TargetMachine.h"

namespace rnnc::llvm_backend {

absl::Status ToStatus(llvm::Error error, const char* what) {
  return absl::InternalError(absl::StrCat(what, ": ", llvm::toString(std::move(error))));
}

absl::StatusOr<llvm::orc::JITTargetMachineBuilder> HostMachine() {
  static std::once_flag initialized;
  std::call_once(initialized, [] {
    llvm::InitializeNativeTarget();
    llvm::InitializeNativeTargetAsmPrinter();
  });
  llvm::Expected<llvm::orc::JITTargetMachineBuilder> machine =
      llvm::orc::JITTargetMachineBuilder::detectHost();
  if (!machine) return ToStatus(machine.takeError(), "detecting the host CPU");
  machine->setCodeGenOptLevel(llvm::CodeGenOptLevel::Aggressive);
  return std::move(*machine);
}

namespace {

// The subtarget of `machine`'s triple for `cpu` and `features`.
absl::StatusOr<std::unique_ptr<llvm::MCSubtargetInfo>> Subtarget(
    const llvm::orc::JITTargetMachineBuilder& machine, const std::string& cpu,
    const std::string& features) {
  const llvm::Triple& triple = machine.getTargetTriple();
  std::string error;
  const llvm::Target* target = llvm::TargetRegistry::lookupTarget(triple.str(), error);
  if (!target) return absl::InternalError(absl::StrCat("target ", triple.str(), ": ", error));
  std::unique_ptr<llvm::MCSubtargetInfo> subtarget(
      target->createMCSubtargetInfo(triple.str(), cpu, features));
  if (!subtarget) return absl::InternalError(absl::StrCat("no subtarget for ", triple.str()));
  return subtarget;
}

}  // namespace

absl::StatusOr<llvm::orc::JITTargetMachineBuilder> MachineForCpu(const std::string& cpu) {
  absl::StatusOr<llvm::orc::JITTargetMachineBuilder> machine = HostMachine();
  if (!machine.ok() || cpu.empty() || cpu == "native") return machine;
  // Asked of the host CPU's subtarget: creating one for an unknown CPU
  // prints a warning to stderr.
  absl::StatusOr<std::unique_ptr<llvm::MCSubtargetInfo>> subtarget =
      Subtarget(*machine, machine->getCPU(), "");
  if (!subtarget.ok()) return subtarget.status();
  if (!(*subtarget)->isCPUStringValid(cpu)) {
    const std::string triple = machine->getTargetTriple().str();
    return absl::InvalidArgumentError(absl::StrCat(
        "target CPU '", cpu, "' is not known to LLVM for ", triple,
        "; e.g. x86-64, x86-64-v2, x86-64-v3, x86-64-v4, skylake-avx512, znver4, or native"));
  }
  machine->setCPU(cpu);
  machine->getFeatures() = llvm::SubtargetFeatures();
  return machine;
}

TargetShape TargetShapeOf(const llvm::orc::JITTargetMachineBuilder& machine) {
  TargetShape shape;
  absl::StatusOr<std::unique_ptr<llvm::MCSubtargetInfo>> subtarget =
      Subtarget(machine, machine.getCPU(), machine.getFeatures().getString());
  if (subtarget.ok() && machine.getTargetTriple().isX86()) {
    const bool avx512 = (*subtarget)->checkFeatures("+avx512f");
    shape.vector_registers = avx512 ? 32 : 16;
    shape.register_floats = avx512 ? 16 : (*subtarget)->checkFeatures("+avx") ? 8 : 4;
  }
  const long l2 = sysconf(_SC_LEVEL2_CACHE_SIZE);
  if (l2 > 0) shape.l2_bytes = l2;
  return shape;
}

TargetShape HostTargetShape() {
  static const TargetShape host = [] {
    absl::StatusOr<llvm::orc::JITTargetMachineBuilder> machine = HostMachine();
    return machine.ok() ? TargetShapeOf(*machine) : TargetShape();
  }();
  return host;
}

absl::Status RunPipeline(llvm::Module& module, llvm::TargetMachine& target,
                         const char* pipeline) {
  module.setDataLayout(target.createDataLayout());
  module.setTargetTriple(target.getTargetTriple().str());
  llvm::LoopAnalysisManager loops;
  llvm::FunctionAnalysisManager functions;
  llvm::CGSCCAnalysisManager cgscc;
  llvm::ModuleAnalysisManager modules;
  llvm::PassBuilder builder(&target);
  builder.registerModuleAnalyses(modules);
  builder.registerCGSCCAnalyses(cgscc);
  builder.registerFunctionAnalyses(functions);
  builder.registerLoopAnalyses(loops);
  builder.crossRegisterProxies(loops, functions, cgscc, modules);
  llvm::ModulePassManager passes;
  if (llvm::Error error = builder.parsePassPipeline(passes, pipeline)) {
    return ToStatus(std::move(error), "parsing the LLVM pass pipeline");
  }
  passes.run(module, modules);
  return absl::OkStatus();
}

absl::Status OptimizeForMachine(llvm::Module& module, llvm::orc::JITTargetMachineBuilder& machine) {
  llvm::Expected<std::unique_ptr<llvm::TargetMachine>> target = machine.createTargetMachine();
  if (!target) return ToStatus(target.takeError(), "creating the host target machine");
  return RunPipeline(module, **target, kO2Pipeline);
}

}  // namespace rnnc::llvm_backend
