// LLJIT: the objects of ObjectCompile.h linked in memory for the host.
#include "backends/llvm/Jit.h"

#include <chrono>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "backends/llvm/HostTarget.h"
#include "backends/llvm/ObjectCompile.h"
#include "backends/llvm/RuntimeSupport.h"
#include "llvm/ExecutionEngine/Orc/ExecutionUtils.h"
#include "llvm/ExecutionEngine/Orc/LLJIT.h"

namespace rnnc::llvm_backend {

namespace {

class LljitCode : public JitCode {
 public:
  LljitCode(std::unique_ptr<llvm::orc::LLJIT> jit, EntryFunction entry, EntryFunction prepare)
      : jit_(std::move(jit)), entry_(entry), prepare_(prepare) {}
  EntryFunction entry() const override { return entry_; }
  EntryFunction prepare() const override { return prepare_; }

 private:
  std::unique_ptr<llvm::orc::LLJIT> jit_;
  EntryFunction entry_;
  EntryFunction prepare_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<JitCode>> JitCompile(LoweredModule lowered, int threads,
                                                    JitTimings& timings) {
  absl::StatusOr<llvm::orc::JITTargetMachineBuilder> machine = HostMachine();
  if (!machine.ok()) return machine.status();
  const auto start = std::chrono::steady_clock::now();
  ObjectCompileTimings stages;
  absl::StatusOr<std::vector<std::unique_ptr<llvm::MemoryBuffer>>> objects =
      CompileToObjects(std::move(lowered), *machine, threads, stages);
  if (!objects.ok()) return objects.status();

  llvm::Expected<std::unique_ptr<llvm::orc::LLJIT>> jit =
      llvm::orc::LLJITBuilder().setJITTargetMachineBuilder(*machine).create();
  if (!jit) return ToStatus(jit.takeError(), "creating the JIT");
  // The runtime's functions by address; libc's (memmove, logf) from the
  // process.
  llvm::orc::JITDylib& library = (*jit)->getMainJITDylib();
  llvm::orc::SymbolMap symbols;
  for (const auto& [name, address] : RuntimeSymbols()) {
    symbols[(*jit)->mangleAndIntern(name)] = llvm::orc::ExecutorSymbolDef(
        llvm::orc::ExecutorAddr::fromPtr(address),
        llvm::JITSymbolFlags::Exported | llvm::JITSymbolFlags::Callable);
  }
  if (llvm::Error error = library.define(llvm::orc::absoluteSymbols(std::move(symbols)))) {
    return ToStatus(std::move(error), "defining the runtime functions");
  }
  llvm::Expected<std::unique_ptr<llvm::orc::DynamicLibrarySearchGenerator>> process =
      llvm::orc::DynamicLibrarySearchGenerator::GetForCurrentProcess(
          (*jit)->getDataLayout().getGlobalPrefix());
  if (!process) return ToStatus(process.takeError(), "searching the process's symbols");
  library.addGenerator(std::move(*process));

  for (std::unique_ptr<llvm::MemoryBuffer>& object : *objects) {
    if (llvm::Error error = (*jit)->addObjectFile(std::move(object))) {
      return ToStatus(std::move(error), "adding the model's code to the JIT");
    }
  }
  llvm::Expected<llvm::orc::ExecutorAddr> entry = (*jit)->lookup(kEntryName);
  if (!entry) return ToStatus(entry.takeError(), "linking the model");
  llvm::Expected<llvm::orc::ExecutorAddr> prepare = (*jit)->lookup(kPrepareName);
  if (!prepare) return ToStatus(prepare.takeError(), "linking the model");
  timings.optimize_ms = stages.whole_module_ms + stages.slowest_optimize_ms;
  timings.machine_code_ms = MillisecondsSince(start) - timings.optimize_ms;
  timings.threads = stages.partitions;
  return std::make_unique<LljitCode>(std::move(*jit), entry->toPtr<EntryFunction>(),
                                     prepare->toPtr<EntryFunction>());
}

absl::StatusOr<std::string> OptimizedIrText(LoweredModule lowered) {
  absl::StatusOr<llvm::orc::JITTargetMachineBuilder> machine = HostMachine();
  if (!machine.ok()) return machine.status();
  if (absl::Status status = OptimizeForMachine(*lowered.module, *machine); !status.ok())
    return status;
  std::string text;
  llvm::raw_string_ostream stream(text);
  lowered.module->print(stream, nullptr);
  return text;
}

}  // namespace rnnc::llvm_backend
