// Parallel O2 and instruction selection over partitions of a module.
#include "backends/llvm/ObjectCompile.h"

#include <algorithm>
#include <chrono>
#include <system_error>
#include <thread>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "backends/llvm/HostTarget.h"
#include "backends/llvm/Jit.h"
#include "llvm/Bitcode/BitcodeReader.h"
#include "llvm/Bitcode/BitcodeWriter.h"
#include "llvm/ExecutionEngine/Orc/CompileUtils.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/Transforms/Utils/Cloning.h"

namespace rnnc::llvm_backend {

namespace {

// What must see every function or every call site: the always-inliner
// (EmitMathCall), MergeFunctions (see kO2Pipeline), and the start of LLVM's
// module simplification pipeline. O2 runs them again in each partition,
// where they find nothing left to do across the split.
constexpr char kWholeModulePipeline[] =
    "always-inline,mergefunc,ipsccp,called-value-propagation,globalopt,deadargelim";

size_t InstructionCount(const llvm::Function& function) {
  size_t count = 0;
  for (const llvm::BasicBlock& block : function) count += block.size();
  return count;
}

// A rough guess of what a function costs to optimize and compile, in
// instructions: each block counts as twenty more, for the loop passes and
// the register allocator work per block and per loop. Chosen by measuring a
// 2-layer LSTM on two threads (Zen 5, back to back): by instructions alone
// it compiled in 108-119 ms, at six per block in 104-112, at twenty in
// 97-104 (its steps of the time loop, 387 instructions in 69 blocks, took
// longer than a GEMM tile of 436 in 16); on one thread, 154-172.
size_t CompileCost(const llvm::Function& function) {
  return InstructionCount(function) + 20 * function.size();
}

// The partition of each defined function: the costliest first, each to the
// partition that costs least so far (longest processing time first). Fewer
// partitions than asked when there are fewer functions.
llvm::DenseMap<const llvm::Function*, int> AssignPartitions(const llvm::Module& module,
                                                            int& partitions) {
  std::vector<std::pair<size_t, const llvm::Function*>> functions;
  for (const llvm::Function& function : module) {
    if (!function.isDeclaration()) functions.push_back({CompileCost(function), &function});
  }
  std::stable_sort(functions.begin(), functions.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  partitions = std::max(1, std::min(partitions, static_cast<int>(functions.size())));
  std::vector<size_t> load(partitions, 0);
  llvm::DenseMap<const llvm::Function*, int> owner;
  for (const auto& [size, function] : functions) {
    const int lightest =
        static_cast<int>(std::min_element(load.begin(), load.end()) - load.begin());
    owner[function] = lightest;
    load[lightest] += size;
  }
  return owner;
}

// A global variable that is not a private constant (of which each partition
// can have its own copy) would need one definition that every partition
// reaches; the lowering makes none, and a module that has one compiles
// whole.
bool HasSharedGlobals(const llvm::Module& module) {
  return std::any_of(module.global_begin(), module.global_end(),
                     [](const llvm::GlobalVariable& global) {
                       return !global.isConstant() || !global.hasLocalLinkage();
                     });
}

struct Partition {
  std::unique_ptr<llvm::LLVMContext> context;
  std::unique_ptr<llvm::Module> module;
  llvm::SmallVector<char, 0> bitcode;
  double optimize_ms = 0;
  absl::StatusOr<std::unique_ptr<llvm::MemoryBuffer>> object =
      absl::InternalError("partition not compiled");
};

// On the calling thread; `machine` is a copy because making a target machine
// is not const.
void CompilePartition(Partition& partition, llvm::orc::JITTargetMachineBuilder machine) {
  if (!partition.module) {
    partition.context = std::make_unique<llvm::LLVMContext>();
    llvm::Expected<std::unique_ptr<llvm::Module>> parsed = llvm::parseBitcodeFile(
        llvm::MemoryBufferRef(llvm::StringRef(partition.bitcode.data(), partition.bitcode.size()),
                              "partition"),
        *partition.context);
    if (!parsed) {
      partition.object = ToStatus(parsed.takeError(), "reading a module partition");
      return;
    }
    partition.module = std::move(*parsed);
  }
  llvm::Expected<std::unique_ptr<llvm::TargetMachine>> target = machine.createTargetMachine();
  if (!target) {
    partition.object = ToStatus(target.takeError(), "creating the host target machine");
    return;
  }
  const auto start = std::chrono::steady_clock::now();
  if (absl::Status status = RunPipeline(*partition.module, **target, kO2Pipeline); !status.ok()) {
    partition.object = status;
    return;
  }
  partition.optimize_ms = MillisecondsSince(start);
  llvm::Expected<std::unique_ptr<llvm::MemoryBuffer>> object =
      llvm::orc::SimpleCompiler(**target)(*partition.module);
  if (!object) {
    partition.object = ToStatus(object.takeError(), "compiling the model");
    return;
  }
  partition.object = std::move(*object);
}

}  // namespace

absl::StatusOr<std::vector<std::unique_ptr<llvm::MemoryBuffer>>> CompileToObjects(
    LoweredModule lowered, const llvm::orc::JITTargetMachineBuilder& machine, int threads,
    ObjectCompileTimings& timings) {
  const auto start = std::chrono::steady_clock::now();
  llvm::Module& module = *lowered.module;
  int partitions = HasSharedGlobals(module) ? 1 : threads;
  std::vector<Partition> work;
  if (partitions > 1) {
    llvm::orc::JITTargetMachineBuilder builder = machine;
    llvm::Expected<std::unique_ptr<llvm::TargetMachine>> target = builder.createTargetMachine();
    if (!target) return ToStatus(target.takeError(), "creating the host target machine");
    if (absl::Status status = RunPipeline(module, **target, kWholeModulePipeline); !status.ok())
      return status;
    const llvm::DenseMap<const llvm::Function*, int> owner = AssignPartitions(module, partitions);
    for (llvm::Function& function : module) {
      if (function.hasLocalLinkage()) {
        function.setLinkage(llvm::GlobalValue::ExternalLinkage);
        function.setVisibility(llvm::GlobalValue::HiddenVisibility);
      }
    }
    work.resize(partitions);
    for (int index = 1; index < partitions; ++index) {
      llvm::ValueToValueMapTy values;
      std::unique_ptr<llvm::Module> part =
          llvm::CloneModule(module, values, [&](const llvm::GlobalValue* value) {
            const auto* function = llvm::dyn_cast<llvm::Function>(value);
            return !function || owner.lookup(function) == index;
          });
      llvm::raw_svector_ostream stream(work[index].bitcode);
      llvm::WriteBitcodeToFile(*part, stream);
    }
    for (llvm::Function& function : module) {
      if (!function.isDeclaration() && owner.lookup(&function) != 0) function.deleteBody();
    }
  } else {
    work.resize(1);
  }
  work[0].context = std::move(lowered.context);
  work[0].module = std::move(lowered.module);
  timings.whole_module_ms = MillisecondsSince(start);

  std::vector<std::thread> helpers;
  std::vector<Partition*> without_thread;
  for (size_t index = 1; index < work.size(); ++index) {
    // A process out of threads compiles the rest on this one.
    try {
      helpers.emplace_back(CompilePartition, std::ref(work[index]), machine);
    } catch (const std::system_error&) {
      without_thread.push_back(&work[index]);
    }
  }
  CompilePartition(work[0], machine);
  for (Partition* partition : without_thread) CompilePartition(*partition, machine);
  for (std::thread& helper : helpers) helper.join();
  timings.partitions = partitions;

  std::vector<std::unique_ptr<llvm::MemoryBuffer>> objects;
  for (Partition& partition : work) {
    if (!partition.object.ok()) return partition.object.status();
    timings.slowest_optimize_ms = std::max(timings.slowest_optimize_ms, partition.optimize_ms);
    objects.push_back(*std::move(partition.object));
  }
  return objects;
}

}  // namespace rnnc::llvm_backend
