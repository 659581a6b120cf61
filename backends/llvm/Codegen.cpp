// The entry function's frame (slots, dims, loops, copies) and the dispatch
// of each op to its emitter; LowerGraph drives them over a whole graph.
#include "backends/llvm/Codegen.h"

#include <algorithm>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "llvm/IR/Verifier.h"
#include "llvm/Support/raw_ostream.h"

namespace rnnc::llvm_backend {

std::string OpLabel(const ir::Op& op) {
  if (op.num_results() == 0) return absl::StrFormat("op %s (no results)", op.name());
  return absl::StrFormat("op %%%s = %s", op.result(0)->name(), op.name());
}

bool IsElementwise(ir::OpKind kind) {
  switch (kind) {
    case ir::OpKind::Add:
    case ir::OpKind::Sub:
    case ir::OpKind::Mul:
    case ir::OpKind::Div:
    case ir::OpKind::Neg:
    case ir::OpKind::Sigmoid:
    case ir::OpKind::Tanh:
    case ir::OpKind::Relu:
    case ir::OpKind::Exp:
    case ir::OpKind::Log:
    case ir::OpKind::Sqrt:
    case ir::OpKind::Step:
      return true;
    default:
      return false;
  }
}

Emitter::Emitter(llvm::Module& module, BufferLayout& layout, const LowerOptions& options)
    : module_(module), layout_(layout), options_(options), builder_(module.getContext()) {
  // Contraction lets a*b + c become one FMA; every other IEEE rule stands,
  // so results stay within an ulp or two of the interpreter's per op.
  llvm::FastMathFlags flags;
  flags.setAllowContract(true);
  builder_.setFastMathFlags(flags);
}

Emitter::Frame Emitter::StartFunction(llvm::Function* function) {
  Frame frame;
  frame.function = function;
  auto* entry = llvm::BasicBlock::Create(context(), "entry", function);
  auto* body = llvm::BasicBlock::Create(context(), "body", function);
  frame.prologue = std::make_unique<llvm::IRBuilder<>>(llvm::BranchInst::Create(body, entry));
  frame.insert_point = llvm::IRBuilderBase::InsertPoint(body, body->end());
  return frame;
}

Emitter::Frame Emitter::SwitchTo(Frame frame) {
  frame_.insert_point = builder_.saveIP();
  std::swap(frame_, frame);
  builder_.restoreIP(frame_.insert_point);
  return frame;
}

void Emitter::Begin() {
  llvm::Type* ptr = builder_.getPtrTy();
  auto* type = llvm::FunctionType::get(builder_.getVoidTy(), {ptr, ptr}, false);
  auto start = [&](const char* name) {
    llvm::Function* function =
        llvm::Function::Create(type, llvm::Function::ExternalLinkage, name, module_);
    function->addFnAttr(llvm::Attribute::NoUnwind);
    // Nothing else points into the slot and dim arrays, so stores to
    // tensors never force the slot pointers to be reloaded.
    for (unsigned i = 0; i < 2; ++i) {
      function->addParamAttr(i, llvm::Attribute::NoAlias);
      function->addParamAttr(i, llvm::Attribute::ReadOnly);
    }
    Frame frame = StartFunction(function);
    frame.slots_arg = function->getArg(0);
    frame.dims_arg = function->getArg(1);
    return frame;
  };
  prepare_ = start(kPrepareName);
  SwitchTo(start(kEntryName));
}

void Emitter::Finish() {
  builder_.CreateRetVoid();
  Frame main = SwitchTo(*std::move(prepare_));
  builder_.CreateRetVoid();
  prepare_ = SwitchTo(std::move(main));
}

absl::Status Emitter::InPrepare(const std::function<absl::Status()>& emit) {
  if (!prepare_) return emit();  // in rnnc_prepare already
  Frame caller = SwitchTo(*std::move(prepare_));
  prepare_.reset();
  absl::Status status = OutsideRegion(emit);
  prepare_ = SwitchTo(std::move(caller));
  return status;
}

absl::Status Emitter::OutsideRegion(const std::function<absl::Status()>& emit) {
  const std::optional<Partition> partition = partition_;
  const bool in_region = in_region_;
  partition_.reset();
  in_region_ = false;
  absl::Status status = emit();
  partition_ = partition;
  in_region_ = in_region;
  return status;
}

llvm::Function* Emitter::HelperFunction(const std::string& name, llvm::FunctionType* type,
                                        const std::function<void(llvm::Function*)>& emit) {
  if (llvm::Function* existing = module_.getFunction(name)) return existing;
  llvm::Function* function =
      llvm::Function::Create(type, llvm::Function::InternalLinkage, name, module_);
  function->addFnAttr(llvm::Attribute::NoUnwind);
  function->addFnAttr(llvm::Attribute::NoInline);
  Frame caller = SwitchTo(StartFunction(function));
  (void)OutsideRegion([&] {
    emit(function);
    return absl::OkStatus();
  });
  SwitchTo(std::move(caller));
  return function;
}

llvm::Value* Emitter::DerivedBuffer(const ir::Value* source, const std::string& kind,
                                    int64_t floats,
                                    const std::function<void(llvm::Value*)>& fill) {
  auto [it, inserted] = derived_slots_.try_emplace({source, kind}, layout_.slots.size());
  if (inserted) {
    layout_.slots.push_back(source);
    layout_.derived_floats[it->second] = floats;
    (void)InPrepare([&] {
      fill(SlotPointer(it->second, source->name() + ".derived"));
      return absl::OkStatus();
    });
  }
  return SlotPointer(it->second, source->name() + ".derived");
}

llvm::Value* Emitter::SlotPointer(int slot, const std::string& name) {
  llvm::Type* ptr = builder_.getPtrTy();
  llvm::IRBuilder<>& prologue = *frame_.prologue;
  llvm::Value* index = Int(slot);
  if (frame_.slot_table_arg) {
    std::vector<uint64_t>& table = frame_.table_slots;
    auto known = std::find(table.begin(), table.end(), static_cast<uint64_t>(slot));
    const uint64_t entry = known - table.begin();
    if (known == table.end()) table.push_back(slot);
    index = prologue.CreateLoad(i64(),
                                prologue.CreateConstGEP1_64(i64(), frame_.slot_table_arg, entry));
  }
  return prologue.CreateLoad(ptr, prologue.CreateGEP(ptr, frame_.slots_arg, index), name);
}

llvm::Value* Emitter::Dim(const ir::Dim& dim) {
  if (dim.is_static()) return Int(dim.size());
  auto [it, inserted] = frame_.symbol_values.try_emplace(dim.symbol(), nullptr);
  if (inserted) {
    // The symbol's index in `dims`, which it may have from another function.
    auto known = std::find(layout_.symbols.begin(), layout_.symbols.end(), dim.symbol());
    const int64_t index = known - layout_.symbols.begin();
    if (known == layout_.symbols.end()) layout_.symbols.push_back(dim.symbol());
    llvm::Value* address = frame_.prologue->CreateConstGEP1_64(i64(), frame_.dims_arg, index);
    it->second = frame_.prologue->CreateLoad(i64(), address, dim.symbol());
  }
  return it->second;
}

std::vector<llvm::Value*> Emitter::Shape(const ir::TensorType& type) {
  std::vector<llvm::Value*> shape;
  for (const ir::Dim& dim : type.dims()) shape.push_back(Dim(dim));
  return shape;
}

std::vector<llvm::Value*> Emitter::Strides(const std::vector<llvm::Value*>& shape) {
  std::vector<llvm::Value*> strides(shape.size());
  llvm::Value* stride = Int(1);
  for (size_t k = shape.size(); k-- > 0;) {
    strides[k] = stride;
    stride = builder_.CreateMul(stride, shape[k]);
  }
  return strides;
}

llvm::Value* Emitter::Product(const std::vector<llvm::Value*>& sizes) {
  llvm::Value* product = Int(1);
  for (llvm::Value* size : sizes) product = builder_.CreateMul(product, size);
  return product;
}

llvm::Value* Emitter::Pointer(const ir::Value* value) {
  if (auto it = frame_.pointers.find(value); it != frame_.pointers.end()) return it->second;
  // A value with a slot already, first used in another function (a
  // parallel region's), loads that slot in this one.
  auto [it, inserted] = layout_.slot_of.try_emplace(value, layout_.slots.size());
  if (inserted) layout_.slots.push_back(value);
  llvm::Value* pointer = SlotPointer(it->second, value->name());
  if (auto offset = frame_.row_offsets.find(value); offset != frame_.row_offsets.end()) {
    pointer = frame_.prologue->CreateInBoundsGEP(f32(), pointer, offset->second);
  }
  frame_.pointers[value] = pointer;
  return pointer;
}

void Emitter::Alias(const ir::Value* value, const ir::Value* owner) {
  frame_.pointers[value] = Pointer(owner);
  layout_.slot_of[value] = layout_.slot_of.at(owner);
}

llvm::Value* Emitter::ScratchBuffer(const ir::Value* like) {
  const int slot = static_cast<int>(layout_.slots.size());
  layout_.slots.push_back(like);
  return SlotPointer(slot, like->name() + ".staged");
}

llvm::Value* Emitter::LocalVector(llvm::Type* type) { return frame_.prologue->CreateAlloca(type); }

llvm::Value* Emitter::Offset(llvm::Value* base, llvm::Value* offset) {
  return builder_.CreateInBoundsGEP(f32(), base, offset);
}

void Emitter::If(llvm::Value* condition, const std::function<void()>& then_body,
                 const std::function<void()>& else_body) {
  auto* then_block = llvm::BasicBlock::Create(context(), "then", frame_.function);
  auto* else_block = llvm::BasicBlock::Create(context(), "else", frame_.function);
  auto* end = llvm::BasicBlock::Create(context(), "end", frame_.function);
  builder_.CreateCondBr(condition, then_block, else_block);
  builder_.SetInsertPoint(then_block);
  then_body();
  builder_.CreateBr(end);
  builder_.SetInsertPoint(else_block);
  if (else_body) else_body();
  builder_.CreateBr(end);
  builder_.SetInsertPoint(end);
}

void Emitter::LoopNest(const std::vector<llvm::Value*>& trips,
                       const std::function<void(const std::vector<llvm::Value*>&)>& body) {
  std::vector<llvm::Value*> index;
  std::vector<std::pair<llvm::PHINode*, llvm::BasicBlock*>> loops;  // (i, header)
  std::vector<llvm::BasicBlock*> exits;
  for (llvm::Value* trip : trips) {
    llvm::BasicBlock* preheader = builder_.GetInsertBlock();
    auto* header = llvm::BasicBlock::Create(context(), "loop", frame_.function);
    auto* inner = llvm::BasicBlock::Create(context(), "loop.body", frame_.function);
    auto* exit = llvm::BasicBlock::Create(context(), "loop.exit", frame_.function);
    builder_.CreateBr(header);
    builder_.SetInsertPoint(header);
    llvm::PHINode* i = builder_.CreatePHI(i64(), 2, "i");
    i->addIncoming(Int(0), preheader);
    builder_.CreateCondBr(builder_.CreateICmpSLT(i, trip), inner, exit);
    builder_.SetInsertPoint(inner);
    index.push_back(i);
    loops.emplace_back(i, header);
    exits.push_back(exit);
  }
  body(index);
  for (size_t k = loops.size(); k-- > 0;) {
    auto [i, header] = loops[k];
    llvm::Value* next = builder_.CreateAdd(i, Int(1), "", /*HasNUW=*/true, /*HasNSW=*/true);
    i->addIncoming(next, builder_.GetInsertBlock());
    llvm::Instruction* latch = builder_.CreateBr(header);
    // Unrolling a loop of static trip count (a GEMM's K, say) multiplies
    // the code to compile for little gain on loops that are already
    // vectors; JIT compile time matters more.
    llvm::LLVMContext& c = context();
    llvm::MDNode* disable =
        llvm::MDNode::get(c, {llvm::MDString::get(c, "llvm.loop.unroll.disable")});
    llvm::MDNode* loop = llvm::MDNode::getDistinct(c, {nullptr, disable});
    loop->replaceOperandWith(0, loop);
    latch->setMetadata(llvm::LLVMContext::MD_loop, loop);
    builder_.SetInsertPoint(exits[k]);
  }
}

llvm::Value* Emitter::Linear(const std::vector<llvm::Value*>& index,
                             const std::vector<llvm::Value*>& strides) {
  llvm::Value* offset = Int(0);
  for (size_t k = 0; k < index.size(); ++k) {
    offset = builder_.CreateAdd(offset, builder_.CreateMul(index[k], strides[k]));
  }
  return offset;
}

void Emitter::StridedCopy(llvm::Value* dst, const std::vector<llvm::Value*>& dst_strides,
                          llvm::Value* src, const std::vector<llvm::Value*>& src_strides,
                          const std::vector<llvm::Value*>& shape) {
  LoopNest(shape, [&](const std::vector<llvm::Value*>& index) {
    llvm::Value* v = builder_.CreateLoad(f32(), Offset(src, Linear(index, src_strides)));
    builder_.CreateStore(v, Offset(dst, Linear(index, dst_strides)));
  });
}

llvm::Value* Emitter::LaneMask(llvm::Value* size, llvm::Value* first) {
  // A constant mask makes the masked loads and stores plain ones: AVX2 has
  // no mask registers, and its masked loads and stores (vmaskmovps) are
  // slow on Zen. Without them an LSTM step's gate loops went from 20% of
  // its time to 5% on a Zen 1.
  auto* constant = llvm::dyn_cast<llvm::ConstantInt>(size);
  if (constant != nullptr && constant->getSExtValue() % kLanes == 0) {
    return llvm::ConstantInt::getTrue(llvm::FixedVectorType::get(builder_.getInt1Ty(), kLanes));
  }
  // In i32 lanes, half the compares of i64 ones without AVX-512.
  llvm::Value* remaining = builder_.CreateBinaryIntrinsic(
      llvm::Intrinsic::smax,
      builder_.CreateBinaryIntrinsic(llvm::Intrinsic::smin, builder_.CreateSub(size, first),
                                     Int(kLanes)),
      Int(0));
  std::vector<llvm::Constant*> lanes;
  for (unsigned i = 0; i < kLanes; ++i) lanes.push_back(builder_.getInt32(i));
  return builder_.CreateICmpSLT(
      llvm::ConstantVector::get(lanes),
      builder_.CreateVectorSplat(kLanes, builder_.CreateTrunc(remaining, builder_.getInt32Ty())));
}

void Emitter::Copy(llvm::Value* dst, llvm::Value* src, llvm::Value* count) {
  // memmove: a scan may yield a carry unchanged, copying a buffer onto itself.
  builder_.CreateMemMove(dst, llvm::MaybeAlign(4), src, llvm::MaybeAlign(4),
                         builder_.CreateMul(count, Int(sizeof(float))));
}

void Emitter::ChunkLoop(
    const std::vector<llvm::Value*>& shape,
    const std::function<void(const std::vector<llvm::Value*>&, llvm::Value*)>& body) {
  std::vector<llvm::Value*> trips = shape;
  if (trips.empty()) trips.push_back(Int(1));  // a scalar: one masked chunk
  llvm::Value* inner = trips.back();
  llvm::Value* chunks =
      builder_.CreateUDiv(builder_.CreateAdd(inner, Int(kLanes - 1)), Int(kLanes));
  const int64_t per_group = kColumnGroup / kLanes;
  auto [first_group, end_group] = Share(
      builder_.CreateUDiv(builder_.CreateAdd(chunks, Int(per_group - 1)), Int(per_group)));
  llvm::Value* begin = builder_.CreateMul(first_group, Int(per_group));
  llvm::Value* end = builder_.CreateBinaryIntrinsic(
      llvm::Intrinsic::umin, builder_.CreateMul(end_group, Int(per_group)), chunks);
  trips.back() = builder_.CreateSub(end, begin);
  LoopNest(trips, [&](const std::vector<llvm::Value*>& loop) {
    std::vector<llvm::Value*> index = loop;
    index.back() = builder_.CreateMul(builder_.CreateAdd(begin, loop.back()), Int(kLanes));
    body(index, LaneMask(inner, index.back()));
  });
}

void Emitter::CopyElements(llvm::Value* dst, llvm::Value* src, const ir::TensorType& type) {
  const std::vector<llvm::Value*> shape = Shape(type);
  if (!partition_) {
    Copy(dst, src, Product(shape));
    return;
  }
  const std::vector<llvm::Value*> strides = Strides(shape.empty() ? std::vector{Int(1)} : shape);
  auto* vector = llvm::FixedVectorType::get(f32(), kLanes);
  ChunkLoop(shape, [&](const std::vector<llvm::Value*>& index, llvm::Value* mask) {
    llvm::Value* offset = Linear(index, strides);
    llvm::Value* v = builder_.CreateMaskedLoad(vector, Offset(src, offset), llvm::Align(4), mask,
                                               llvm::Constant::getNullValue(vector));
    builder_.CreateMaskedStore(v, Offset(dst, offset), llvm::Align(4), mask);
  });
}

const std::vector<const ir::Op*>& Emitter::Users(const ir::Value* value) const {
  static const std::vector<const ir::Op*> kNone;
  auto it = users_.find(value);
  return it == users_.end() ? kNone : it->second;
}

void Emitter::Analyze(const ir::Graph& graph) {
  ir::WalkOps(graph.body(), [&](ir::Op* op) {
    for (const ir::Value* operand : op->operands()) users_[operand].push_back(op);
  });
  for (const ir::GraphOutput& output : graph.outputs()) users_[output.value].push_back(nullptr);
  param_only_.insert(graph.params().begin(), graph.params().end());
  for (size_t i = 0; i < graph.body().num_ops(); ++i) {
    const ir::Op& op = *graph.body().op(i);
    if (op.body() != nullptr) continue;
    bool params_alone = true;
    for (const ir::Value* operand : op.operands()) {
      params_alone = params_alone && param_only_.contains(operand);
    }
    if (!params_alone) continue;
    for (const ir::Value* result : op.results()) param_only_.insert(result);
  }
}

llvm::FunctionCallee Emitter::Runtime(const std::string& name, llvm::FunctionType* type) {
  llvm::FunctionCallee callee = module_.getOrInsertFunction(name, type);
  if (auto* function = llvm::dyn_cast<llvm::Function>(callee.getCallee())) {
    function->addFnAttr(llvm::Attribute::NoUnwind);
  }
  return callee;
}

absl::Status Emitter::EmitBlock(const ir::Block& block) {
  std::vector<bool> emitted(block.num_ops(), false);
  auto emit = [&](size_t i) {
    emitted[i] = true;
    const ir::Op& op = *block.op(i);
    if (op.num_results() > 0 && IsParamOnly(op.result(0))) {
      return InPrepare([&] { return EmitOp(op); });
    }
    return EmitOp(op);
  };
  for (size_t i = 0; i < block.num_ops(); ++i) {
    if (emitted[i]) continue;
    if (std::optional<ScanPair> pair = FindIndependentScan(*this, block, i)) {
      // What the second scan needs first; then both scans, one per thread.
      for (size_t k : pair->before) {
        if (absl::Status status = emit(k); !status.ok()) return status;
      }
      emitted[i] = emitted[pair->second] = true;
      absl::Status status = EmitParallelRegion([&]() -> absl::Status {
        if (absl::Status first = OnThread(0, [&] { return EmitOp(*block.op(i)); }); !first.ok()) {
          return first;
        }
        return OnThread(1, [&] { return EmitOp(*block.op(pair->second)); });
      });
      if (!status.ok()) return status;
      continue;
    }
    if (absl::Status status = emit(i); !status.ok()) return status;
  }
  return absl::OkStatus();
}

absl::Status Emitter::EmitOp(const ir::Op& op) {
  if (op.num_results() == 1 && IsComputed(op.result(0))) return absl::OkStatus();
  if (IsElementwise(op.kind())) return EmitElementwise(*this, op);
  switch (op.kind()) {
    case ir::OpKind::Rnn:
    case ir::OpKind::Lstm:
    case ir::OpKind::Gru:
      return absl::UnimplementedError(absl::StrFormat(
          "%s: the LLVM backend lowers recurrent layers only once expanded into scans of cell "
          "ops (the \"llvm\" pass pipeline does that)",
          OpLabel(op)));
    case ir::OpKind::Dense:
    case ir::OpKind::Matmul:
      return EmitMatmul(*this, op);
    case ir::OpKind::BatchNorm:
      return EmitBatchNorm(*this, op);
    case ir::OpKind::Softmax:
      return EmitSoftmax(*this, op);
    case ir::OpKind::Full:
      return EmitFull(*this, op);
    case ir::OpKind::ReduceSum:
    case ir::OpKind::ReduceMean:
    case ir::OpKind::ReduceMax:
      return EmitReduction(*this, op);
    case ir::OpKind::Concat:
    case ir::OpKind::Split:
    case ir::OpKind::Slice:
    case ir::OpKind::Select:
    case ir::OpKind::Transpose:
    case ir::OpKind::Reshape:
      return EmitShapeOp(*this, op);
    case ir::OpKind::Scan:
      if (std::optional<passes::Contraction> contraction = passes::MatchContraction(op)) {
        return EmitContraction(*this, op, *contraction);
      }
      return EmitScan(*this, op);
    case ir::OpKind::Yield:
      return absl::InternalError(OpLabel(op) + ": a yield outside the end of a scan body");
    default:
      return absl::UnimplementedError(
          absl::StrFormat("%s: the LLVM backend does not lower this op", OpLabel(op)));
  }
}

absl::StatusOr<LoweredModule> LowerGraph(const ir::Graph& graph, const LowerOptions& options) {
  LoweredModule lowered;
  lowered.context = std::make_unique<llvm::LLVMContext>();
  lowered.module = std::make_unique<llvm::Module>(graph.name(), *lowered.context);
  Emitter emitter(*lowered.module, lowered.layout, options);
  emitter.Analyze(graph);
  emitter.Begin();
  if (absl::Status status = emitter.EmitBlock(graph.body()); !status.ok()) return status;
  // An output may be an input or a param that no op reads.
  for (const ir::GraphOutput& output : graph.outputs()) emitter.Pointer(output.value);
  emitter.Finish();
  BufferLayout& layout = lowered.layout;
  for (const auto& [slot, floats] : layout.derived_floats) layout.prepared_slots.insert(slot);
  for (const auto& [value, slot] : layout.slot_of) {
    if (emitter.IsParamOnly(value) && value->origin() != ir::Value::Origin::kParam) {
      layout.prepared_slots.insert(slot);
    }
  }
  std::string problems;
  llvm::raw_string_ostream stream(problems);
  if (llvm::verifyModule(*lowered.module, &stream)) {
    return absl::InternalError(
        absl::StrFormat("graph %s lowers to invalid LLVM IR: %s", graph.name(), problems));
  }
  return lowered;
}

}  // namespace rnnc::llvm_backend
