// LLJIT: machine code in memory for the host, after the O2 pipeline.
#include "backends/llvm/Jit.h"

#include <chrono>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "backends/llvm/HostTarget.h"
#include "backends/llvm/RuntimeSupport.h"
#include "llvm/ExecutionEngine/Orc/ExecutionUtils.h"
#include "llvm/ExecutionEngine/Orc/LLJIT.h"

namespace rnnc::llvm_backend {

namespace {

double MillisecondsSince(std::chrono::steady_clock::time_point start) {
  return std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start)
      .count();
}

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

absl::StatusOr<std::unique_ptr<JitCode>> JitCompile(LoweredModule lowered, JitTimings& timings) {
  absl::StatusOr<llvm::orc::JITTargetMachineBuilder> machine = HostMachine();
  if (!machine.ok()) return machine.status();
  auto start = std::chrono::steady_clock::now();
  if (absl::Status status = OptimizeForMachine(*lowered.module, *machine); !status.ok())
    return status;
  timings.optimize_ms = MillisecondsSince(start);

  start = std::chrono::steady_clock::now();
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

  if (llvm::Error error = (*jit)->addIRModule(
          llvm::orc::ThreadSafeModule(std::move(lowered.module), std::move(lowered.context)))) {
    return ToStatus(std::move(error), "adding the module to the JIT");
  }
  llvm::Expected<llvm::orc::ExecutorAddr> entry = (*jit)->lookup(kEntryName);
  if (!entry) return ToStatus(entry.takeError(), "compiling the model");
  llvm::Expected<llvm::orc::ExecutorAddr> prepare = (*jit)->lookup(kPrepareName);
  if (!prepare) return ToStatus(prepare.takeError(), "compiling the model");
  timings.machine_code_ms = MillisecondsSince(start);
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
