// The AOT module: rnnc_main as the JIT gets it (made internal), the model's
// descriptor and weights as private constants, the rnnc_aot_model that
// points at them, one exported wrapper per function of rnnc_model_abi.h,
// and the three fixed-name functions a loader asks first.
#include "backends/llvm/AotObject.h"

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "backends/llvm/Codegen.h"
#include "backends/llvm/HostTarget.h"
#include "ir/BindDims.h"
#include "ir/Verifier.h"
#include "llvm/IR/LegacyPassManager.h"
#include "llvm/MC/TargetRegistry.h"
#include "llvm/Support/raw_ostream.h"
#include "llvm/Target/TargetMachine.h"
#include "runtime/Safetensors.h"
#include "runtime/Weights.h"
#include "runtime/aot/AotModel.h"
#include "runtime/aot/ModelDescriptor.h"
#include "runtime/aot/rnnc_model_abi.h"

namespace rnnc::llvm_backend {

namespace {

std::vector<aot::DimDescriptor> DescribeDims(const ir::TensorType& type) {
  std::vector<aot::DimDescriptor> dims;
  for (const ir::Dim& dim : type.dims()) {
    dims.push_back(dim.is_static() ? aot::DimDescriptor{dim.size(), ""}
                                   : aot::DimDescriptor{-1, dim.symbol()});
  }
  return dims;
}

int SlotOf(const BufferLayout& layout, const ir::Value* value) {
  auto it = value ? layout.slot_of.find(value) : layout.slot_of.end();
  return it == layout.slot_of.end() ? -1 : it->second;
}

// `original` names the params a weights file must hold; `prepared` is what
// was lowered into `layout`.
absl::StatusOr<aot::ModelDescriptor> Describe(const ir::Graph& original, const ir::Graph& prepared,
                                              const BufferLayout& layout, const std::string& name) {
  aot::ModelDescriptor d;
  d.name = name;
  d.rnnc_version = RNNC_VERSION;
  d.dims = ir::InputSymbols(prepared);
  for (const ir::Value* input : prepared.inputs()) {
    d.inputs.push_back({input->name(), DescribeDims(input->type()), SlotOf(layout, input)});
  }
  for (const std::string& symbol : layout.symbols) {
    if (std::find(d.dims.begin(), d.dims.end(), symbol) == d.dims.end()) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "graph %s: dim %s is used but no input's shape binds it", original.name(), symbol));
    }
  }
  d.entry_dims = layout.symbols;
  for (const ir::GraphOutput& output : prepared.outputs()) {
    d.outputs.push_back(
        {output.name, DescribeDims(output.value->type()), SlotOf(layout, output.value)});
  }
  for (const ir::Value* param : original.params()) {
    d.params.push_back({param->name(), DescribeDims(param->type()),
                        SlotOf(layout, prepared.FindParam(param->name()))});
  }
  for (size_t i = 0; i < layout.slots.size(); ++i) {
    if (auto derived = layout.derived_floats.find(static_cast<int>(i));
        derived != layout.derived_floats.end()) {
      d.slots.push_back({aot::SlotKind::kBuffer, {{derived->second, ""}},
                         layout.prepared_slots.contains(static_cast<int>(i))});
      continue;
    }
    const ir::Value* value = layout.slots[i];
    const aot::SlotKind kind = value->origin() == ir::Value::Origin::kInput ? aot::SlotKind::kInput
                               : value->origin() == ir::Value::Origin::kParam
                                   ? aot::SlotKind::kParam
                                   : aot::SlotKind::kBuffer;
    d.slots.push_back({kind, DescribeDims(value->type()),
                       layout.prepared_slots.contains(static_cast<int>(i))});
  }
  return d;
}

llvm::GlobalVariable* PrivateBytes(llvm::Module& module, const std::string& bytes,
                                   const std::string& name, unsigned alignment) {
  llvm::Constant* data = llvm::ConstantDataArray::getRaw(
      bytes, bytes.size(), llvm::Type::getInt8Ty(module.getContext()));
  auto* global = new llvm::GlobalVariable(module, data->getType(), /*isConstant=*/true,
                                          llvm::GlobalValue::PrivateLinkage, data, name);
  global->setAlignment(llvm::Align(alignment));
  return global;
}

llvm::Type* SignatureType(llvm::LLVMContext& context, char code) {
  switch (code) {
    case 'v':
      return llvm::Type::getVoidTy(context);
    case 'i':
      return llvm::Type::getInt32Ty(context);
    case 'l':
      return llvm::Type::getInt64Ty(context);
    default:
      return llvm::PointerType::get(context, 0);
  }
}

// <name>_<function>(parameters) { return rnnc_aot_<function>(model, parameters); }
void AddWrapper(llvm::Module& module, llvm::GlobalVariable* model, const std::string& name,
                const char* function, const char* signature) {
  llvm::LLVMContext& context = module.getContext();
  std::vector<llvm::Type*> parameters;
  for (const char* code = signature + 1; *code; ++code) {
    parameters.push_back(SignatureType(context, *code));
  }
  llvm::Type* result = SignatureType(context, signature[0]);
  std::vector<llvm::Type*> runtime_parameters = {model->getType()};
  runtime_parameters.insert(runtime_parameters.end(), parameters.begin(), parameters.end());
  auto* runtime = llvm::Function::Create(
      llvm::FunctionType::get(result, runtime_parameters, false), llvm::Function::ExternalLinkage,
      std::string(aot::kRuntimeFunctionPrefix) + function, module);
  runtime->setVisibility(llvm::GlobalValue::HiddenVisibility);
  auto* wrapper =
      llvm::Function::Create(llvm::FunctionType::get(result, parameters, false),
                             llvm::Function::ExternalLinkage, name + "_" + function, module);
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(context, "entry", wrapper));
  std::vector<llvm::Value*> arguments = {model};
  for (llvm::Argument& argument : wrapper->args()) arguments.push_back(&argument);
  llvm::CallInst* call = b.CreateCall(runtime, arguments);
  call->setTailCall();
  if (result->isVoidTy()) {
    b.CreateRetVoid();
  } else {
    b.CreateRet(call);
  }
}

// A function of no arguments, exported under `symbol`, returning `value`.
void AddConstantFunction(llvm::Module& module, const char* symbol, llvm::Constant* value) {
  auto* function = llvm::Function::Create(llvm::FunctionType::get(value->getType(), {}, false),
                                          llvm::Function::ExternalLinkage, symbol, module);
  llvm::IRBuilder<> b(llvm::BasicBlock::Create(module.getContext(), "entry", function));
  b.CreateRet(value);
}

llvm::Constant* StringPointer(llvm::Module& module, const std::string& text,
                              const std::string& name) {
  llvm::Constant* data = llvm::ConstantDataArray::getString(module.getContext(), text);
  return new llvm::GlobalVariable(module, data->getType(), true, llvm::GlobalValue::PrivateLinkage,
                                  data, name);
}

// The lowered AOT module, optimized for `machine`, which is made PIC.
absl::StatusOr<LoweredModule> BuildAotModule(const ir::Graph& graph, const TensorMap& weights,
                                             const AotOptions& options,
                                             llvm::orc::JITTargetMachineBuilder& machine) {
  if (absl::Status status = ir::Verify(graph); !status.ok()) return status;
  if (options.embed_weights) {
    if (absl::Status status = CheckWeights(graph, weights); !status.ok()) return status;
  }
  absl::StatusOr<ir::Graph> prepared = PrepareGraph(graph);
  if (!prepared.ok()) return prepared.status();
  absl::StatusOr<LoweredModule> lowered =
      LowerGraph(*prepared, LowerOptions{.call_gemm_library = options.call_gemm_library,
                                     .target = TargetShapeOf(machine)});
  if (!lowered.ok()) return lowered.status();
  absl::StatusOr<aot::ModelDescriptor> descriptor =
      Describe(graph, *prepared, lowered->layout, options.name);
  if (!descriptor.ok()) return descriptor.status();

  llvm::Module& module = *lowered->module;
  llvm::LLVMContext& context = module.getContext();
  llvm::Function* entry = module.getFunction(kEntryName);
  entry->setLinkage(llvm::GlobalValue::InternalLinkage);
  llvm::Function* prepare = module.getFunction(kPrepareName);
  prepare->setLinkage(llvm::GlobalValue::InternalLinkage);
  const std::string descriptor_text = aot::SerializeModelDescriptor(*descriptor);
  llvm::Type* ptr = llvm::PointerType::get(context, 0);
  llvm::Type* i64 = llvm::Type::getInt64Ty(context);
  llvm::Constant* weights_pointer =
      llvm::ConstantPointerNull::get(llvm::PointerType::get(context, 0));
  int64_t weights_size = 0;
  if (options.embed_weights) {
    const std::string bytes = SerializeSafetensors(weights);
    weights_pointer = PrivateBytes(module, bytes, "rnnc.weights", 64);
    weights_size = static_cast<int64_t>(bytes.size());
  }
  // rnnc_aot_model, field for field (runtime/aot/AotModel.h).
  auto* model_type = llvm::StructType::get(context, {ptr, i64, ptr, i64, ptr, ptr});
  llvm::Constant* model_value = llvm::ConstantStruct::get(
      model_type, {PrivateBytes(module, descriptor_text, "rnnc.descriptor", 1),
                   llvm::ConstantInt::get(i64, descriptor_text.size()), weights_pointer,
                   llvm::ConstantInt::get(i64, weights_size), entry, prepare});
  auto* model = new llvm::GlobalVariable(
      module, model_type, true, llvm::GlobalValue::PrivateLinkage, model_value, "rnnc.model");
#define RNNC_ADD_WRAPPER(function, result, parameters, signature) \
  AddWrapper(module, model, options.name, #function, signature);
  RNNC_MODEL_FUNCTIONS(RNNC_ADD_WRAPPER)
#undef RNNC_ADD_WRAPPER
  AddConstantFunction(module, RNNC_MODEL_ABI_VERSION_SYMBOL,
                      llvm::ConstantInt::get(llvm::Type::getInt32Ty(context), RNNC_ABI_VERSION));
  AddConstantFunction(module, RNNC_MODEL_COMPILER_SYMBOL,
                      StringPointer(module, RNNC_VERSION, "rnnc.compiler_version"));
  AddConstantFunction(module, RNNC_MODEL_NAME_SYMBOL,
                      StringPointer(module, options.name, "rnnc.name"));

  machine.setRelocationModel(llvm::Reloc::PIC_);
  if (absl::Status status = OptimizeForMachine(module, machine); !status.ok()) return status;
  return lowered;
}

}  // namespace

absl::StatusOr<std::string> EmitAotObject(const ir::Graph& graph, const TensorMap& weights,
                                          const AotOptions& options) {
  absl::StatusOr<llvm::orc::JITTargetMachineBuilder> machine = MachineForCpu(options.target_cpu);
  if (!machine.ok()) return machine.status();
  absl::StatusOr<LoweredModule> lowered = BuildAotModule(graph, weights, options, *machine);
  if (!lowered.ok()) return lowered.status();
  llvm::Expected<std::unique_ptr<llvm::TargetMachine>> target = machine->createTargetMachine();
  if (!target) return ToStatus(target.takeError(), "creating the host target machine");
  llvm::SmallVector<char, 0> object;
  llvm::raw_svector_ostream stream(object);
  llvm::legacy::PassManager passes;
  if ((*target)->addPassesToEmitFile(passes, stream, nullptr, llvm::CodeGenFileType::ObjectFile)) {
    return absl::InternalError("the host target machine cannot emit object files");
  }
  passes.run(*lowered->module);
  return std::string(object.begin(), object.end());
}

absl::StatusOr<std::string> EmitAotLlvmIr(const ir::Graph& graph, const TensorMap& weights,
                                          const AotOptions& options) {
  absl::StatusOr<llvm::orc::JITTargetMachineBuilder> machine = MachineForCpu(options.target_cpu);
  if (!machine.ok()) return machine.status();
  absl::StatusOr<LoweredModule> lowered = BuildAotModule(graph, weights, options, *machine);
  if (!lowered.ok()) return lowered.status();
  std::string text;
  llvm::raw_string_ostream stream(text);
  lowered->module->print(stream, nullptr);
  return text;
}

}  // namespace rnnc::llvm_backend
