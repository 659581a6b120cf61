// Internal to the LLVM backend: lowering an rnnc graph to two LLVM functions,
//
//   void rnnc_prepare(float** slots, const int64_t* dims)
//   void rnnc_main(float** slots, const int64_t* dims)
//
// `slots[i]` points at the buffer of the tensor BufferLayout::slots[i] names
// (inputs and params point at the caller's data; every other buffer is
// allocated by the executable once per bound dims), and `dims[j]` is the
// size bound to BufferLayout::symbols[j]. rnnc_prepare computes what
// depends on the params alone (weights concatenated, transposed, packed into
// GEMM panels): the executable calls it once after allocating the buffers,
// and rnnc_main on every run. Every op becomes loops over those buffers;
// large matmuls outside scans call the runtime's GEMM (RuntimeSupport.h)
// unless LowerOptions say otherwise.
//
// The per-op emitters live in one file per kind of op (Elementwise, ShapeOps,
// Reduction, Matmul, Scan, Contraction); this header is what they share: the
// Emitter, which owns the IRBuilder, the value → pointer map and the loop
// helpers.
#ifndef RNNC_BACKENDS_LLVM_CODEGEN_H
#define RNNC_BACKENDS_LLVM_CODEGEN_H

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/statusor.h"
#include "ir/Graph.h"
#include "llvm/IR/IRBuilder.h"
#include "llvm/IR/LLVMContext.h"
#include "llvm/IR/Module.h"
#include "passes/Accumulation.h"

namespace rnnc::llvm_backend {

inline constexpr char kEntryName[] = "rnnc_main";
inline constexpr char kPrepareName[] = "rnnc_prepare";
// AVX-512's f32 lanes (two AVX2 registers): hand-vectorized loops
// (elementwise chains, GEMM tiles) run their innermost dim in chunks of this
// many, the last chunk masked, so that no scalar remainder loop repeats
// their code.
inline constexpr unsigned kLanes = 16;
// Parallel regions split each row's columns between threads in groups of
// this many (two chunks, one GEMM panel), so that an elementwise loop and a
// panel matmul over the same width split them alike.
inline constexpr int64_t kColumnGroup = 2 * kLanes;

// Which tensor each slot of the entry function holds and which symbol each
// dim binds. Values that share a buffer (a scan's final carry and its body's
// carry argument) share a slot.
struct BufferLayout {
  std::vector<std::string> symbols;
  std::vector<const ir::Value*> slots;
  absl::flat_hash_map<const ir::Value*, int> slot_of;
  // Slots of buffers that rnnc_prepare derives from a param (packed GEMM
  // panels), whose size is not their value's: how many floats they hold.
  // slots[i] is the value they derive from.
  absl::flat_hash_map<int, int64_t> derived_floats;
  // Slots that rnnc_prepare fills and runs only read: the derived buffers
  // and the values of the params alone. They must stay the executable's.
  absl::flat_hash_set<int> prepared_slots;
};

struct LoweredModule {
  std::unique_ptr<llvm::LLVMContext> context;
  std::unique_ptr<llvm::Module> module;
  BufferLayout layout;
};

// What the generated code is shaped for on the CPU it will run on: a GEMM
// tile keeps as many sums in vector registers as the register file holds
// and no more (AVX-512's 32 zmm take tiles four times the size of AVX2's
// 16 ymm, and a tile that spills runs several times slower), and a scan
// splits its batch when its step's weights fit in one core's L2.
struct TargetShape {
  int vector_registers = 32;
  // f32 lanes of one vector register.
  int register_floats = 16;
  int64_t l2_bytes = 1 << 20;
  // How many registers one kLanes vector takes.
  int RegistersPerVector() const {
    return register_floats >= static_cast<int>(kLanes) ? 1 : kLanes / register_floats;
  }
};

// The host's (HostTarget.cpp): its CPU's features, and its L2 as the C
// library reports it.
TargetShape HostTargetShape();

struct LowerOptions {
  // Large matmuls between two activations (a weight gradient's, say) call
  // the runtime's rnnc_gemm, oneDNN's sgemm; every other matmul is inline
  // code (MatmulCodegen.cpp). When false, every matmul is inline and the
  // module calls nothing but libc and libm: what a compiled library that
  // must not need oneDNN wants.
  bool call_gemm_library = true;
  // Top-level scans run as parallel regions of the runtime's thread team
  // (ParallelCodegen.cpp): each time step's matmuls and elementwise loops
  // split between the threads, with barriers where one thread reads what
  // another wrote. So do top-level matmuls on panels or otherwise inline
  // (without call_gemm_library), split by columns. Off, the code never
  // calls rnnc_parallel.
  bool parallel_regions = true;
  TargetShape target = HostTargetShape();
};

// Lowers a verified graph without layer ops other than dense and
// batch_norm; an rnn, lstm or gru op is an error naming it (the "llvm"
// pipeline expands them first).
absl::StatusOr<LoweredModule> LowerGraph(const ir::Graph& graph, const LowerOptions& options = {});

// Verifies `graph` and runs the "llvm" pass pipeline on it (layer ops
// expanded into scans of cell ops, gate matmuls fused, input projections
// hoisted out of the time loop): the graph as LowerGraph wants it.
absl::StatusOr<ir::Graph> PrepareGraph(const ir::Graph& graph);

// The state of lowering one graph into the entry function.
class Emitter {
 public:
  Emitter(llvm::Module& module, BufferLayout& layout, const LowerOptions& options);
  const LowerOptions& options() const { return options_; }

  llvm::IRBuilder<>& builder() { return builder_; }
  llvm::LLVMContext& context() { return module_.getContext(); }
  llvm::Module& module() { return module_; }
  llvm::Type* f32() { return builder_.getFloatTy(); }
  llvm::Type* i64() { return builder_.getInt64Ty(); }
  llvm::Value* Int(int64_t v) { return builder_.getInt64(v); }
  llvm::Value* Float(double v) { return llvm::ConstantFP::get(f32(), v); }

  // The size of a dim: a constant, or the symbol's entry of `dims`.
  llvm::Value* Dim(const ir::Dim& dim);
  std::vector<llvm::Value*> Shape(const ir::TensorType& type);
  // Row-major element strides of `shape`, and the product of its sizes.
  std::vector<llvm::Value*> Strides(const std::vector<llvm::Value*>& shape);
  llvm::Value* Product(const std::vector<llvm::Value*>& sizes);

  // The pointer to `value`'s first element. Values get a slot of their own
  // when first asked for, unless Bind gave them a pointer (sequence slices
  // inside a scan) or Alias a slot.
  llvm::Value* Pointer(const ir::Value* value);
  void Bind(const ir::Value* value, llvm::Value* pointer) { frame_.pointers[value] = pointer; }
  // Whether the current function has a pointer for `value` from Bind.
  bool IsBound(const ir::Value* value) const {
    return frame_.pointers.contains(value) && !layout_.slot_of.contains(value);
  }
  void Alias(const ir::Value* value, const ir::Value* owner);
  // A buffer of its own with `like`'s type, for staging copies.
  llvm::Value* ScratchBuffer(const ir::Value* like);
  // Whether `value` depends on the params alone: a param, or a result of a
  // top-level op other than a scan whose operands all do. rnnc_prepare
  // computes these once; rnnc_main only reads them.
  bool IsParamOnly(const ir::Value* value) const { return param_only_.contains(value); }
  // A buffer of `floats` floats derived from `source` (param-only) as
  // `kind` says, filled by `fill(pointer)` in rnnc_prepare the first time
  // the pair is asked for: its pointer in the current function.
  llvm::Value* DerivedBuffer(const ir::Value* source, const std::string& kind, int64_t floats,
                             const std::function<void(llvm::Value*)>& fill);
  // Emits `emit` into rnnc_prepare, outside any parallel region.
  absl::Status InPrepare(const std::function<absl::Status()>& emit);
  // An f32 stack variable, for loop-carried sums and maxima; LocalVector
  // is the same for a value of `type`.
  llvm::Value* LocalFloat() { return LocalVector(f32()); }
  llvm::Value* LocalVector(llvm::Type* type);
  // `base` advanced by `offset` floats.
  llvm::Value* Offset(llvm::Value* base, llvm::Value* offset);

  // for (i0 < trips[0]) for (i1 < trips[1]) ... body(i0, i1, ...); the
  // innermost loop runs fastest. The builder ends after the nest.
  void LoopNest(const std::vector<llvm::Value*>& trips,
                const std::function<void(const std::vector<llvm::Value*>&)>& body);
  // if (condition) then_body(); else else_body(), when given. The builder
  // ends after both.
  void If(llvm::Value* condition, const std::function<void()>& then_body,
          const std::function<void()>& else_body = nullptr);
  // Σ index[k] · strides[k].
  llvm::Value* Linear(const std::vector<llvm::Value*>& index,
                      const std::vector<llvm::Value*>& strides);
  // dst[Σ i_k·dst_strides[k]] = src[Σ i_k·src_strides[k]] over `shape`:
  // every copy that concat, split, slice, select, transpose and scan need.
  void StridedCopy(llvm::Value* dst, const std::vector<llvm::Value*>& dst_strides,
                   llvm::Value* src, const std::vector<llvm::Value*>& src_strides,
                   const std::vector<llvm::Value*>& shape);
  // The mask of the kLanes chunk from element `first` (a multiple of kLanes)
  // of a row of `size` (i64s): lane i is on iff first + i < size. A constant
  // size that is a multiple of kLanes gives the all-on constant, so `first`
  // must then be below it.
  llvm::Value* LaneMask(llvm::Value* size, llvm::Value* first);
  // Copies `count` contiguous floats.
  void Copy(llvm::Value* dst, llvm::Value* src, llvm::Value* count);
  // body(index, mask) for every kLanes chunk of the row-major iteration
  // space `shape` (index is the chunk's first element, its innermost entry
  // a multiple of kLanes); in a parallel region only this thread's share of
  // each innermost row's kColumnGroup groups, so that two loops over the
  // same innermost width split it the same way.
  void ChunkLoop(const std::vector<llvm::Value*>& shape,
                 const std::function<void(const std::vector<llvm::Value*>&, llvm::Value*)>& body);
  // Copies a tensor of `type` from src to dst: memmove, or in a parallel
  // region this thread's chunks, as ChunkLoop splits `type`.
  void CopyElements(llvm::Value* dst, llvm::Value* src, const ir::TensorType& type);

  // Emits the ops of `block` (a yield is the scan emitter's business).
  absl::Status EmitBlock(const ir::Block& block);
  absl::Status EmitOp(const ir::Op& op);

  // The ops that use `value` (a graph output counts as a null user); the
  // elementwise emitter fuses a producer into its only user.
  const std::vector<const ir::Op*>& Users(const ir::Value* value) const;
  // Finds every value's users and the param-only values.
  void Analyze(const ir::Graph& graph);

  // Marks values computed inside another op's loop (fused), so that they
  // get no buffer and no loop of their own.
  bool IsFused(const ir::Value* value) const { return fused_.contains(value); }
  void MarkFused(const ir::Value* value) { fused_.insert(value); }

  // A split or slice result that only elementwise ops read need not be
  // copied out: they read it in place, as `source` shifted by `offset`
  // along `axis`.
  struct View {
    const ir::Value* source;
    int64_t axis;
    int64_t offset;
  };
  const View* FindView(const ir::Value* value) const {
    auto it = views_.find(value);
    return it == views_.end() ? nullptr : &it->second;
  }
  void MarkView(const ir::Value* value, View view) { views_[value] = view; }

  // A value another op's code computed into its buffer (a bias add done by
  // the matmul before it): its own op emits nothing.
  bool IsComputed(const ir::Value* value) const { return computed_.contains(value); }
  void MarkComputed(const ir::Value* value) { computed_.insert(value); }

  // Inside a parallel region (EmitParallelRegion), which thread this code
  // runs as and how many there are; null outside one, and inside code that
  // only thread 0 runs (OnFirstThread).
  struct Partition {
    llvm::Value* team;
    llvm::Value* thread;
    llvm::Value* threads;
  };
  const Partition* partition() const { return partition_ ? &*partition_ : nullptr; }
  // This thread's share [begin, end) of `count` items: thread i of n takes
  // [count·i/n, count·(i+1)/n); the whole range outside a region.
  std::pair<llvm::Value*, llvm::Value*> Share(llvm::Value* count);
  // Waits for every thread of the region; nothing outside one.
  void Barrier();
  // Whether panel matmuls take their panels last to first (an i64, 0 or 1):
  // in a scan's odd steps (ScanCodegen.cpp), else never.
  llvm::Value* PanelsBackward() { return panels_backward_ ? panels_backward_ : Int(0); }
  void SetPanelsBackward(llvm::Value* backward) { panels_backward_ = backward; }
  // Emits `emit` as code that only thread 0 runs, with no partition.
  absl::Status OnFirstThread(const std::function<absl::Status()>& emit) { return OnThread(0, emit); }
  // The same for thread `section` mod the region's thread count.
  absl::Status OnThread(int64_t section, const std::function<absl::Status()>& emit);
  // Whether the builder is in a parallel region's task.
  bool InRegion() const { return in_region_; }
  // Emits `emit` into a new function, task(context, team, thread, threads)
  // of ThreadTeam.h, whose context carries this function's slots and dims,
  // and here a call to rnnc_parallel with it. Only from the entry function.
  absl::Status EmitParallelRegion(const std::function<absl::Status()>& emit);
  // In a parallel region's task, before its scan's loop: when the batch
  // has a main tile's rows for every thread (and no matmul off panels
  // would cross kInlineGemmRows), each thread takes rows of its own
  // (`batch` then sizes this thread's rows, the pointers of `scan`'s values
  // start at its first row) and the partition is that thread alone;
  // otherwise nothing changes (BatchSplitCodegen.cpp).
  void SplitBatch(const ir::Op& scan, const ir::Dim& batch);

  // The module's internal function `name` of `type`, whose body `emit`
  // writes (with the builder in it, outside any parallel region, given the
  // function for its arguments) the first time it is asked for: code that
  // many ops call, compiled once. The body uses no slots or dims.
  llvm::Function* HelperFunction(const std::string& name, llvm::FunctionType* type,
                                 const std::function<void(llvm::Function*)>& emit);
  // Declares (once) a function the generated code calls.
  llvm::FunctionCallee Runtime(const std::string& name, llvm::FunctionType* type);

  // Called by LowerGraph: creates rnnc_main and rnnc_prepare and positions
  // the builder in rnnc_main; Finish returns from both.
  void Begin();
  void Finish();

 private:
  llvm::Module& module_;
  BufferLayout& layout_;
  LowerOptions options_;
  // What emitting into one function needs: rnnc_main's, rnnc_prepare's or a
  // parallel region's task's slot pointers, dims and insertion point.
  struct Frame {
    llvm::Function* function = nullptr;
    // Slot pointers and dims are loaded once, in the entry block, before
    // the branch to the body; `prologue` inserts there.
    std::unique_ptr<llvm::IRBuilder<>> prologue;
    llvm::Value* slots_arg = nullptr;
    llvm::Value* dims_arg = nullptr;
    // A parallel region's task finds its slots through a table of their
    // indices, in the order it first uses them, which the caller passes:
    // the tasks of two identical layers are then the same function, which
    // LLVM's MergeFunctions folds into one (ObjectCompile.h).
    llvm::Value* slot_table_arg = nullptr;
    std::vector<uint64_t> table_slots;
    absl::flat_hash_map<const ir::Value*, llvm::Value*> pointers;
    // In a scan split by batch rows: how many floats into each value's
    // buffer this thread's rows start, which Pointer adds.
    absl::flat_hash_map<const ir::Value*, llvm::Value*> row_offsets;
    absl::flat_hash_map<std::string, llvm::Value*> symbol_values;
    llvm::IRBuilderBase::InsertPoint insert_point;
  };
  // A frame for `function`, its entry block branching to an empty body
  // where code goes; the caller sets slots_arg and dims_arg.
  Frame StartFunction(llvm::Function* function);
  // Makes `frame` the current one, the builder at its insertion point, and
  // returns the frame it replaces.
  Frame SwitchTo(Frame frame);
  // Runs `emit` as code outside any parallel region (no partition).
  absl::Status OutsideRegion(const std::function<absl::Status()>& emit);
  // The pointer that slot `slot` holds, loaded in the current function.
  llvm::Value* SlotPointer(int slot, const std::string& name);

  llvm::IRBuilder<> builder_;
  Frame frame_;
  // rnnc_prepare's frame while code goes elsewhere.
  std::optional<Frame> prepare_;
  absl::flat_hash_set<const ir::Value*> param_only_;
  absl::flat_hash_map<std::pair<const ir::Value*, std::string>, int> derived_slots_;
  absl::flat_hash_map<const ir::Value*, std::vector<const ir::Op*>> users_;
  absl::flat_hash_set<const ir::Value*> fused_;
  absl::flat_hash_map<const ir::Value*, View> views_;
  absl::flat_hash_set<const ir::Value*> computed_;
  std::optional<Partition> partition_;
  llvm::Value* panels_backward_ = nullptr;
  bool in_region_ = false;
  int regions_ = 0;
};

// The barriers of a parallel scan's time step (ParallelCodegen.cpp). It
// emits the step's ops and copies and records which values each wrote or
// read since the last barrier, and in which split: the same elementwise
// split of one shape, one matmul's columns, or thread 0 alone. Before code
// that touches a value in another split than an earlier access did (one of
// them a write), it puts a barrier. Outside a parallel region it only
// emits.
class StepBarriers {
 public:
  explicit StepBarriers(Emitter& e) : e_(e) {}
  // A barrier to start the step: the step before may still read what this
  // one writes.
  void BeginStep();
  absl::Status EmitOp(const ir::Op& op);
  // dst (a buffer of `written`, shaped as `read`) ← `read`'s value at `src`.
  void EmitCopy(llvm::Value* dst, const ir::Value* written, llvm::Value* src,
                const ir::Value* read);
  // The same, by thread 0 alone: a carry staged through a buffer of its own.
  void EmitFirstThreadCopy(llvm::Value* dst, const ir::Value* written, llvm::Value* src,
                           const ir::Value* read);

 private:
  struct Access {
    const ir::Value* value;
    std::string split;
    bool write;
  };
  std::vector<Access> AccessesOf(const ir::Op& op) const;
  void ReadsOfLeaves(const ir::Value* value, const std::string& split,
                     std::vector<Access>& accesses) const;
  // Puts a barrier at `start` (the beginning of the code of `accesses`) if
  // one conflicts with an access since the last barrier; records them.
  void Order(llvm::BasicBlock* start, const std::vector<Access>& accesses);
  llvm::BasicBlock* StartBlock();

  Emitter& e_;
  absl::flat_hash_map<const ir::Value*, std::vector<Access>> since_barrier_;
};

// Whether `scan` runs as a parallel region: a top-level scan whose body
// holds no scan (a nested one would run on thread 0 alone).
bool RunsInParallel(const Emitter& e, const ir::Op& scan);

// The batch dim of a scan whose rows never meet (BatchSplitCodegen.cpp):
// symbolic, leading every carry and body value and second in every
// sequence and per-step output, and every body op computes a row of its
// results from the same row of its operands (elementwise math, matmuls
// against weights, splits, concats and slices of the other axes).
std::optional<ir::Dim> IndependentRows(const ir::Op& scan);
// That batch, when splitting it pays: the step's weights fit in one
// core's L2, which every thread then reads them from.
std::optional<ir::Dim> SplittableBatch(const Emitter& e, const ir::Op& scan);

// Two scans of the graph's body that can run at once, one per thread (the
// two directions of a bidirectional layer): the scan at `first`, and a later
// one that depends on nothing it computes. `before` gets the ops between
// them that the later scan needs (none of which needs the first), to be
// emitted ahead of both.
struct ScanPair {
  size_t second;
  std::vector<size_t> before;
};
std::optional<ScanPair> FindIndependentScan(const Emitter& e, const ir::Block& block,
                                            size_t first);

// The per-kind emitters EmitOp dispatches to. Each returns an error naming
// the op for what it cannot lower.
absl::Status EmitElementwise(Emitter& e, const ir::Op& op);
absl::Status EmitSoftmax(Emitter& e, const ir::Op& op);
absl::Status EmitBatchNorm(Emitter& e, const ir::Op& op);
absl::Status EmitFull(Emitter& e, const ir::Op& op);
absl::Status EmitReduction(Emitter& e, const ir::Op& op);
absl::Status EmitShapeOp(Emitter& e, const ir::Op& op);
absl::Status EmitMatmul(Emitter& e, const ir::Op& op);
// The rows of the panel GEMM's main tile for `target`, for matmuls of few
// rows: a batch split gives each thread a multiple of it.
int64_t MainTileRows(const TargetShape& target);
// Whether matmuls against `weights` can run on packed panels: param-only,
// with static, nonzero dims (PanelGemmCodegen.cpp).
bool HasPanelWeights(const Emitter& e, const ir::Value* weights);
// Whether `matmul` runs on panels (MatmulCodegen.cpp): its weights can, in
// a scan or out of one (a hoisted projection), whatever their size.
bool UsesPanels(const Emitter& e, const ir::Op& matmul);
// Up to this many rows (the batch N of a recurrent matmul) a matmul in a
// scan that is not on panels runs as inline code, above it through the
// runtime's GEMM: oneDNN's sgemm is fast on big products but per call it
// wakes its OpenMP team, which costs more than a time step's GEMM at small
// N and stalls when the machine is busy.
inline constexpr int64_t kInlineGemmRows = 32;
// Whether `matmul`, in a scan and not on panels, calls the runtime's GEMM
// above kInlineGemmRows rows.
bool CallsGemmLibraryInScan(const Emitter& e, const ir::Op& matmul);
// c (rows, M) = a (rows, K) · weights (transposed if `transpose_b`), plus
// `bias` (M floats) unless null, as register tiles over the weights packed
// into panels by rnnc_prepare. In a parallel region each thread takes its
// share of every gate's panels, the gates `gate_width` columns each
// (GateWidth), so that it computes all gates of the same columns.
void EmitPanelGemm(Emitter& e, const ir::Value* weights, bool transpose_b, llvm::Value* a,
                   llvm::Value* c, llvm::Value* rows, llvm::Value* bias, int64_t gate_width);
// The width of the gates that a panel matmul's output (or the bias add it
// computes) is split into along its last axis by every user, when that is
// a whole number of kColumnGroup groups: its threads then split each gate
// alike, and each gate's elementwise math reads only what its own thread
// wrote. Otherwise the output's whole width.
int64_t GateWidth(const Emitter& e, const ir::Op& matmul);
absl::Status EmitScan(Emitter& e, const ir::Op& op);
absl::Status EmitContraction(Emitter& e, const ir::Op& op, const passes::Contraction& contraction);

// f32 math on scalars or vectors (MathCodegen.cpp), accurate to a few ulp.
llvm::Value* EmitExp(llvm::IRBuilder<>& b, llvm::Value* x);
llvm::Value* EmitTanh(llvm::IRBuilder<>& b, llvm::Value* x);
llvm::Value* EmitSigmoid(llvm::IRBuilder<>& b, llvm::Value* x);
// exp, tanh or sigmoid (`kind`) of `x` as a call to one always-inline
// function per module and type, inlined before the module is split for
// compiling. Out of line, every call spilled the gate loop's live vectors
// (all zmm are caller-saved) and the loops ran 3-7% slower (GRU 50×32×128,
// LSTM 100×16×256 and 100×1×256, Xeon); the 2-layer LSTM's JIT compile time
// did not move (88-101 ms either way).
llvm::Value* EmitMathCall(Emitter& e, ir::OpKind kind, llvm::Value* x);

// "op %h = tanh", as the verifier names ops in its errors.
std::string OpLabel(const ir::Op& op);
bool IsElementwise(ir::OpKind kind);

}  // namespace rnnc::llvm_backend

#endif  // RNNC_BACKENDS_LLVM_CODEGEN_H
