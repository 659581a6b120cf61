// Parallel regions: a top-level scan runs its time loop on every thread of
// the runtime's team (runtime/aot/ThreadTeam.h). Each step's matmuls split
// their output columns and its elementwise loops their chunks between the
// threads; the ops that do not split run on thread 0. StepBarriers puts a
// barrier only where a thread reads or overwrites a value another thread
// wrote or read since the last one. An LSTM step then runs as
//
//   barrier                      the previous step's h is complete
//   gates = h·W_hhᵀ + b_hh       of each gate, the first half of the units
//                                (whole kColumnGroup groups) on thread 0,
//                                the rest on 1 (a panel matmul, GateWidth)
//   c' = σ(f)·c + σ(i)·tanh(g)   the same units: the gates it reads are its
//   h' = σ(o)·tanh(c')           own, and so is c'
//   h ← h', c ← c'               the same units again
//
// with one barrier a step. Where the gates are not whole groups wide
// (H = 40), the matmul splits its whole width instead, and a second
// barrier comes before the cell, which reads all four gates of its units.
//
// Every element is computed by the same code whichever thread runs it, so
// results do not depend on the thread count. A scan whose rows never meet,
// at a batch large enough, splits its rows instead (BatchSplitCodegen.cpp):
// each thread is then alone in its partition, and the barriers return at
// once.
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "backends/llvm/Codegen.h"
#include "backends/llvm/RuntimeSupport.h"

namespace rnnc::llvm_backend {

std::pair<llvm::Value*, llvm::Value*> Emitter::Share(llvm::Value* count) {
  if (!partition_) return {Int(0), count};
  auto bound = [&](llvm::Value* thread) {
    return builder_.CreateUDiv(builder_.CreateMul(count, thread), partition_->threads);
  };
  return {bound(partition_->thread), bound(builder_.CreateAdd(partition_->thread, Int(1)))};
}

void Emitter::Barrier() {
  if (!partition_) return;
  auto* type = llvm::FunctionType::get(builder_.getVoidTy(), {builder_.getPtrTy()}, false);
  builder_.CreateCall(Runtime(kBarrierName, type), {partition_->team});
}

absl::Status Emitter::OnThread(int64_t section, const std::function<absl::Status()>& emit) {
  if (!partition_) return emit();
  auto* mine = llvm::BasicBlock::Create(context(), "on_thread", frame_.function);
  auto* done = llvm::BasicBlock::Create(context(), "on_thread.done", frame_.function);
  llvm::Value* owner = builder_.CreateURem(Int(section), partition_->threads);
  builder_.CreateCondBr(builder_.CreateICmpEQ(partition_->thread, owner), mine, done);
  builder_.SetInsertPoint(mine);
  const std::optional<Partition> saved = partition_;
  partition_.reset();
  absl::Status status = emit();
  partition_ = saved;
  builder_.CreateBr(done);
  builder_.SetInsertPoint(done);
  return status;
}

absl::Status Emitter::EmitParallelRegion(const std::function<absl::Status()>& emit) {
  llvm::Type* ptr = builder_.getPtrTy();
  // The task's context: {slots, dims, slot table}.
  llvm::Type* context_type = llvm::ArrayType::get(ptr, 3);
  llvm::IRBuilder<>& prologue = *frame_.prologue;
  llvm::Value* task_context = prologue.CreateAlloca(context_type);
  prologue.CreateStore(frame_.slots_arg,
                       prologue.CreateConstGEP2_64(context_type, task_context, 0, 0));
  prologue.CreateStore(frame_.dims_arg,
                       prologue.CreateConstGEP2_64(context_type, task_context, 0, 1));

  auto* task_type = llvm::FunctionType::get(builder_.getVoidTy(), {ptr, ptr, i64(), i64()}, false);
  llvm::Function* task =
      llvm::Function::Create(task_type, llvm::Function::InternalLinkage,
                             absl::StrCat("rnnc.region.", regions_++), module_);
  task->addFnAttr(llvm::Attribute::NoUnwind);
  // No code compares task addresses, so MergeFunctions may point the calls
  // of identical tasks at one of them.
  task->setUnnamedAddr(llvm::GlobalValue::UnnamedAddr::Global);
  task->addParamAttr(0, llvm::Attribute::NoAlias);
  task->addParamAttr(0, llvm::Attribute::ReadOnly);

  // The task is a function of its own: its slot and dim loads, its stack,
  // its pointers. The caller's come back afterwards.
  Frame frame = StartFunction(task);
  llvm::Value* context_arg = task->getArg(0);
  llvm::IRBuilder<>& task_prologue = *frame.prologue;
  frame.slots_arg =
      task_prologue.CreateLoad(ptr, task_prologue.CreateConstGEP1_64(ptr, context_arg, 0));
  frame.dims_arg =
      task_prologue.CreateLoad(ptr, task_prologue.CreateConstGEP1_64(ptr, context_arg, 1));
  frame.slot_table_arg =
      task_prologue.CreateLoad(ptr, task_prologue.CreateConstGEP1_64(ptr, context_arg, 2));
  Frame caller = SwitchTo(std::move(frame));
  partition_ = Partition{task->getArg(1), task->getArg(2), task->getArg(3)};
  in_region_ = true;
  absl::Status status = emit();
  builder_.CreateRetVoid();
  partition_.reset();
  in_region_ = false;
  const Frame done = SwitchTo(std::move(caller));
  if (!status.ok()) return status;
  llvm::Constant* slots = llvm::ConstantDataArray::get(context(), done.table_slots);
  auto* table = new llvm::GlobalVariable(module_, slots->getType(), true,
                                         llvm::GlobalValue::PrivateLinkage, slots,
                                         absl::StrCat(task->getName().str(), ".slots"));
  table->setUnnamedAddr(llvm::GlobalValue::UnnamedAddr::Global);
  builder_.CreateStore(table, builder_.CreateConstGEP2_64(context_type, task_context, 0, 2));

  auto* parallel_type = llvm::FunctionType::get(builder_.getVoidTy(), {ptr, ptr}, false);
  builder_.CreateCall(Runtime(kParallelName, parallel_type), {task, task_context});
  return absl::OkStatus();
}

bool RunsInParallel(const Emitter& e, const ir::Op& scan) {
  if (!e.options().parallel_regions || e.InRegion() || scan.kind() != ir::OpKind::Scan ||
      scan.parent()->parent_op() != nullptr || passes::MatchContraction(scan)) {
    return false;
  }
  bool nested = false;
  ir::WalkOps(*scan.body(), [&](ir::Op* op) { nested = nested || op->kind() == ir::OpKind::Scan; });
  return !nested;
}

namespace {

// The values `op` reads from outside it: its operands, and what its body's
// ops read from the blocks around it (a scan body reads weights directly).
std::vector<const ir::Value*> OuterOperands(const ir::Op& op) {
  std::vector<const ir::Value*> operands(op.operands().begin(), op.operands().end());
  if (op.body() == nullptr) return operands;
  absl::flat_hash_set<const ir::Value*> inside;
  ir::WalkOps(*op.body(), [&](ir::Op* nested) {
    for (const ir::Value* result : nested->results()) inside.insert(result);
    if (nested->body()) {
      for (size_t a = 0; a < nested->body()->num_arguments(); ++a) {
        inside.insert(nested->body()->argument(a));
      }
    }
  });
  for (size_t a = 0; a < op.body()->num_arguments(); ++a) inside.insert(op.body()->argument(a));
  ir::WalkOps(*op.body(), [&](ir::Op* nested) {
    for (const ir::Value* operand : nested->operands()) {
      if (!inside.contains(operand)) operands.push_back(operand);
    }
  });
  return operands;
}

}  // namespace

std::optional<ScanPair> FindIndependentScan(const Emitter& e, const ir::Block& block,
                                            size_t first) {
  if (!RunsInParallel(e, *block.op(first))) return std::nullopt;
  // Values that depend on the first scan, as far as the candidate.
  absl::flat_hash_set<const ir::Value*> tainted;
  for (const ir::Value* result : block.op(first)->results()) tainted.insert(result);
  ScanPair pair;
  for (size_t j = first + 1; j < block.num_ops(); ++j) {
    const ir::Op& op = *block.op(j);
    const std::vector<const ir::Value*> operands = OuterOperands(op);
    bool depends = false;
    for (const ir::Value* operand : operands) depends = depends || tainted.contains(operand);
    if (!depends && RunsInParallel(e, op)) {
      // The ops in between that this scan needs, and theirs, in order.
      absl::flat_hash_set<const ir::Value*> needed(operands.begin(), operands.end());
      for (size_t k = j; k-- > first + 1;) {
        const ir::Op& between = *block.op(k);
        bool used = false;
        for (const ir::Value* result : between.results()) used = used || needed.contains(result);
        if (!used) continue;
        pair.before.insert(pair.before.begin(), k);
        for (const ir::Value* operand : OuterOperands(between)) needed.insert(operand);
      }
      pair.second = j;
      return pair;
    }
    if (depends) {
      for (const ir::Value* result : op.results()) tainted.insert(result);
    }
  }
  return std::nullopt;
}

namespace {

constexpr char kFirstThread[] = "thread 0";

// Elementwise loops split each row's columns alike whatever the rows
// (Emitter::ChunkLoop): the split depends on the innermost width alone.
std::string ColumnSplit(const std::string& width) { return "columns of width " + width; }

std::string ElementwiseSplit(const ir::TensorType& type) {
  return ColumnSplit(type.rank() == 0 ? "1" : type.dims().back().ToString());
}

}  // namespace

void StepBarriers::BeginStep() {
  if (!e_.partition()) return;
  e_.Barrier();
  since_barrier_.clear();
}

llvm::BasicBlock* StepBarriers::StartBlock() {
  llvm::IRBuilder<>& b = e_.builder();
  auto* start = llvm::BasicBlock::Create(e_.context(), "step.op", b.GetInsertBlock()->getParent());
  b.CreateBr(start);
  b.SetInsertPoint(start);
  return start;
}

absl::Status StepBarriers::EmitOp(const ir::Op& op) {
  if (!e_.partition()) return e_.EmitOp(op);
  llvm::BasicBlock* start = StartBlock();
  const bool splits = IsElementwise(op.kind()) || op.kind() == ir::OpKind::Matmul ||
                      op.kind() == ir::OpKind::Dense;
  absl::Status status = splits ? e_.EmitOp(op) : e_.OnFirstThread([&] { return e_.EmitOp(op); });
  if (!status.ok()) return status;
  Order(start, AccessesOf(op));
  return absl::OkStatus();
}

void StepBarriers::EmitCopy(llvm::Value* dst, const ir::Value* written, llvm::Value* src,
                            const ir::Value* read) {
  if (!e_.partition()) {
    e_.CopyElements(dst, src, read->type());
    return;
  }
  llvm::BasicBlock* start = StartBlock();
  e_.CopyElements(dst, src, read->type());
  const std::string split = ElementwiseSplit(read->type());
  Order(start, {{written, split, true}, {read, split, false}});
}

void StepBarriers::EmitFirstThreadCopy(llvm::Value* dst, const ir::Value* written,
                                       llvm::Value* src, const ir::Value* read) {
  llvm::BasicBlock* start = e_.partition() ? StartBlock() : nullptr;
  (void)e_.OnFirstThread([&] {
    e_.CopyElements(dst, src, read->type());
    return absl::OkStatus();
  });
  if (start) Order(start, {{written, kFirstThread, true}, {read, kFirstThread, false}});
}

void StepBarriers::Order(llvm::BasicBlock* start, const std::vector<Access>& accesses) {
  bool conflict = false;
  for (const Access& access : accesses) {
    auto it = since_barrier_.find(access.value);
    if (it == since_barrier_.end()) continue;
    for (const Access& earlier : it->second) {
      conflict = conflict || ((access.write || earlier.write) && access.split != earlier.split);
    }
  }
  if (conflict) {
    llvm::IRBuilderBase::InsertPointGuard guard(e_.builder());
    e_.builder().SetInsertPoint(start, start->getFirstInsertionPt());
    e_.Barrier();
    since_barrier_.clear();
  }
  for (const Access& access : accesses) since_barrier_[access.value].push_back(access);
}

// An elementwise loop reads the leaves of its fused expression: a view's
// source, or a buffer at the loop's own index (`split`) or broadcast.
void StepBarriers::ReadsOfLeaves(const ir::Value* value, const std::string& split,
                                 std::vector<Access>& accesses) const {
  const ir::Op* producer = value->defining_op();
  if (producer && producer->kind() == ir::OpKind::Full) return;
  if (producer && e_.IsFused(value)) {
    for (const ir::Value* operand : producer->operands()) ReadsOfLeaves(operand, split, accesses);
    return;
  }
  if (const Emitter::View* view = e_.FindView(value)) {
    // A gate of a panel matmul's output (GateWidth): the loop reads the
    // columns of the gate that its own thread wrote.
    const ir::Dim& width = value->type().dims().back();
    const bool gate = view->axis == value->type().rank() - 1 && width.is_static() &&
                      view->offset % width.size() == 0 && ElementwiseSplit(value->type()) == split;
    accesses.push_back({view->source, gate ? split : "view", false});
    return;
  }
  const bool same = ElementwiseSplit(value->type()) == split;
  accesses.push_back({value, same ? split : "broadcast", false});
}

std::vector<StepBarriers::Access> StepBarriers::AccessesOf(const ir::Op& op) const {
  std::vector<Access> accesses;
  if (IsElementwise(op.kind())) {
    const ir::Value* result = op.result(0);
    if (e_.IsFused(result) || e_.IsComputed(result)) return accesses;
    const std::string split = ElementwiseSplit(result->type());
    accesses.push_back({result, split, true});
    for (const ir::Value* operand : op.operands()) ReadsOfLeaves(operand, split, accesses);
    return accesses;
  }
  if (op.kind() == ir::OpKind::Matmul || op.kind() == ir::OpKind::Dense) {
    // A panel matmul splits its columns gate by gate as elementwise loops
    // over a gate's width do; it reads all of its operands.
    const std::string split = UsesPanels(e_, op)
                                  ? ColumnSplit(std::to_string(GateWidth(e_, op)))
                                  : "columns of " + OpLabel(op);
    accesses.push_back({op.result(0), split, true});
    for (const ir::Op* user : e_.Users(op.result(0))) {
      if (user && user->num_results() == 1 && e_.IsComputed(user->result(0))) {
        accesses.push_back({user->result(0), split, true});
      }
    }
    for (const ir::Value* operand : op.operands()) {
      accesses.push_back({operand, "all of " + OpLabel(op), false});
    }
    return accesses;
  }
  // Thread 0's op; a split whose parts are all views touches nothing.
  bool writes = false;
  for (const ir::Value* result : op.results()) {
    if (e_.FindView(result)) continue;
    writes = true;
    accesses.push_back({result, kFirstThread, true});
  }
  if (!writes && op.num_results() > 0) return {};
  for (const ir::Value* operand : op.operands()) accesses.push_back({operand, kFirstThread, false});
  return accesses;
}

}  // namespace rnnc::llvm_backend
