// Batch-split scans: when no row of a scan's batch ever meets another, each
// thread of the region runs the whole time loop on rows of its own, with
// no barrier at all. Split by columns (ParallelCodegen.cpp), every step of
// an LSTM ends at a barrier, and each thread then reads the half of h the
// other one wrote; split by rows, a thread's h never leaves its core. It
// reads all the weights every step, where a column split reads half, so
// the split needs a main GEMM tile of rows per thread (8 with AVX-512),
// each weight it loads then feeding a full tile, and weights that stay in
// its L2: an LSTM's at H = 512 (4 MiB) come from L3 every step, each panel
// feeding half as many tiles as split by columns, and ran 4% slower at
// N = 64 split by rows. An LSTM step at N = 64, H = 256 runs as
//
//   thread 0, rows [0, 32):   gates = h·W_hhᵀ + b_hh, c' = ..., h' = ...
//   thread 1, rows [32, 64):  the same, never waiting for thread 0
//
// The threads' rows start at multiples of the main tile. Every tile of more
// than one row sums in the same order, and only an odd batch's last row
// takes a 1-row tile however the rows are split (PanelGemmCodegen.cpp), so
// results stay bit-identical. A batch too small for the split runs split
// by columns, in the same code: the partition the step's ops see is chosen
// at run time.
#include "backends/llvm/Codegen.h"

namespace rnnc::llvm_backend {

namespace {

// How many of `type`'s dims are `batch`.
int Occurrences(const ir::TensorType& type, const ir::Dim& batch) {
  int count = 0;
  for (const ir::Dim& dim : type.dims()) count += dim == batch;
  return count;
}

// Whether `batch` is `type`'s dim `axis` and none of its others.
bool BatchAt(const ir::TensorType& type, const ir::Dim& batch, int64_t axis) {
  return type.rank() > axis && type.dim(axis) == batch && Occurrences(type, batch) == 1;
}

// Whether `op` computes each row of its results from the same row of its
// operands, the batch leading them all (weights have no batch dim).
bool RowwiseOp(const ir::Op& op, const ir::Dim& batch) {
  for (const ir::Value* result : op.results()) {
    if (!BatchAt(result->type(), batch, 0)) return false;
  }
  const int64_t rank = op.result(0)->type().rank();
  switch (op.kind()) {
    case ir::OpKind::Matmul:
    case ir::OpKind::Dense:
      for (size_t i = 1; i < op.operands().size(); ++i) {
        if (Occurrences(op.operand(i)->type(), batch) != 0) return false;
      }
      return BatchAt(op.operand(0)->type(), batch, 0);
    case ir::OpKind::Split:
    case ir::OpKind::Concat:
    case ir::OpKind::Slice: {
      const int64_t axis = op.int_attribute("axis");
      if (axis == 0 || axis == -rank) return false;
      for (const ir::Value* operand : op.operands()) {
        if (!BatchAt(operand->type(), batch, 0)) return false;
      }
      return true;
    }
    case ir::OpKind::Full:
      return true;
    default:
      break;
  }
  if (!IsElementwise(op.kind())) return false;
  // An operand without the batch broadcasts along it; one with it must
  // match the result's rows.
  for (const ir::Value* operand : op.operands()) {
    const ir::TensorType& type = operand->type();
    if (Occurrences(type, batch) != 0 && !(BatchAt(type, batch, 0) && type.rank() == rank)) {
      return false;
    }
  }
  return true;
}

}  // namespace

std::optional<ir::Dim> SplittableBatch(const Emitter& e, const ir::Op& scan) {
  std::optional<ir::Dim> batch = IndependentRows(scan);
  if (!batch) return std::nullopt;
  // Weights of a size known only at run time count as too large.
  int64_t weight_bytes = 0;
  bool known = true;
  ir::WalkOps(*scan.body(), [&](ir::Op* op) {
    if (op->kind() != ir::OpKind::Matmul && op->kind() != ir::OpKind::Dense) return;
    int64_t floats = 1;
    for (const ir::Dim& dim : op->operand(1)->type().dims()) {
      known = known && dim.is_static();
      floats *= dim.is_static() ? dim.size() : 1;
    }
    weight_bytes += 4 * floats;
  });
  if (!known || weight_bytes > e.options().target.l2_bytes) return std::nullopt;
  return batch;
}

std::optional<ir::Dim> IndependentRows(const ir::Op& scan) {
  const ir::Block& body = *scan.body();
  const size_t carries = static_cast<size_t>(scan.int_attribute("carries"));
  if (carries == 0 || scan.operand(0)->type().rank() == 0) return std::nullopt;
  const ir::Dim batch = scan.operand(0)->type().dim(0);
  if (!batch.is_symbolic()) return std::nullopt;
  // Carries lead with the batch; sequences and per-step outputs have it
  // second, after time.
  for (size_t i = 0; i < scan.operands().size(); ++i) {
    const int64_t axis = i < carries ? 0 : 1;
    if (!BatchAt(scan.operand(i)->type(), batch, axis) ||
        !BatchAt(body.argument(i)->type(), batch, 0)) {
      return std::nullopt;
    }
  }
  for (size_t j = 0; j < scan.num_results(); ++j) {
    if (!BatchAt(scan.result(j)->type(), batch, j < carries ? 0 : 1)) return std::nullopt;
  }
  // A carry swapped with another goes through a staging buffer of its
  // own, which has no row offsets.
  const ir::Op* yield = body.op(body.num_ops() - 1);
  for (size_t i = 0; i < carries; ++i) {
    for (size_t j = 0; j < carries; ++j) {
      if (j != i && yield->operand(i) == body.argument(j)) return std::nullopt;
    }
  }
  absl::flat_hash_set<const ir::Value*> inside;
  for (size_t a = 0; a < body.num_arguments(); ++a) inside.insert(body.argument(a));
  for (size_t i = 0; i + 1 < body.num_ops(); ++i) {
    const ir::Op& op = *body.op(i);
    if (op.num_results() == 0 || !RowwiseOp(op, batch)) return std::nullopt;
    // What the body reads from outside it has no rows to split.
    for (const ir::Value* operand : op.operands()) {
      if (!inside.contains(operand) && Occurrences(operand->type(), batch) != 0) {
        return std::nullopt;
      }
    }
    for (const ir::Value* result : op.results()) inside.insert(result);
  }
  return batch;
}

void Emitter::SplitBatch(const ir::Op& scan, const ir::Dim& batch) {
  llvm::IRBuilder<>& p = *frame_.prologue;
  const Partition region = *partition_;
  llvm::Value* rows = Dim(batch);
  const int64_t unit = MainTileRows(options_.target);
  llvm::Value* units = p.CreateUDiv(rows, Int(unit));
  llvm::Value* split = p.CreateICmpUGE(units, region.threads);
  // A matmul off panels calls the library's GEMM above kInlineGemmRows
  // rows and is inline code below, which is slower there (a GRU's training
  // step at N = 64, H = 128 took 6.2–6.5 ms split into 32-row halves,
  // 3.2–5.4 not):
  // split only where every thread's rows stay on the same side as the
  // batch's.
  bool library = false;
  ir::WalkOps(*scan.body(), [&](ir::Op* op) {
    const bool product = op->kind() == ir::OpKind::Matmul || op->kind() == ir::OpKind::Dense;
    library = library || (product && CallsGemmLibraryInScan(*this, *op));
  });
  if (library) {
    llvm::Value* fewest = p.CreateMul(p.CreateUDiv(units, region.threads), Int(unit));
    llvm::Value* same_side = p.CreateOr(p.CreateICmpSLE(rows, Int(kInlineGemmRows)),
                                        p.CreateICmpSGT(fewest, Int(kInlineGemmRows)));
    split = p.CreateAnd(split, same_side);
  }
  llvm::Value* groups = p.CreateSelect(split, region.threads, Int(1));
  llvm::Value* group = p.CreateSelect(split, region.thread, Int(0));
  // Group g of G takes whole tiles [units·g/G, units·(g+1)/G), the last
  // one the rows past the last whole tile too.
  auto first_row_of = [&](llvm::Value* g) {
    return p.CreateMul(p.CreateUDiv(p.CreateMul(units, g), groups), Int(unit));
  };
  llvm::Value* first = first_row_of(group);
  llvm::Value* next = p.CreateAdd(group, Int(1));
  llvm::Value* end = p.CreateSelect(p.CreateICmpEQ(next, groups), rows, first_row_of(next));
  // A thread alone with its rows has no one to wait for: a null team makes
  // rnnc_barrier return at once.
  llvm::Value* alone = llvm::ConstantPointerNull::get(p.getPtrTy());
  partition_ = Partition{p.CreateSelect(split, alone, region.team),
                         p.CreateSelect(split, Int(0), region.thread),
                         p.CreateSelect(split, Int(1), region.threads)};

  // Row r of a value with the batch at `axis` starts r times the product
  // of its later dims in. Time, before it, keeps the whole batch's stride.
  auto offset = [&](const ir::Value* value, int64_t axis) {
    llvm::Value* row = Int(1);
    const std::vector<ir::Dim>& dims = value->type().dims();
    for (size_t k = static_cast<size_t>(axis) + 1; k < dims.size(); ++k) {
      row = p.CreateMul(row, Dim(dims[k]));
    }
    frame_.row_offsets[value] = p.CreateMul(first, row);
  };
  const ir::Block& body = *scan.body();
  const size_t carries = static_cast<size_t>(scan.int_attribute("carries"));
  for (size_t i = 0; i < scan.operands().size(); ++i) {
    offset(scan.operand(i), i < carries ? 0 : 1);
    offset(body.argument(i), 0);
  }
  for (size_t j = 0; j < scan.num_results(); ++j) offset(scan.result(j), j < carries ? 0 : 1);
  for (size_t i = 0; i + 1 < body.num_ops(); ++i) {
    for (const ir::Value* result : body.op(i)->results()) offset(result, 0);
  }
  frame_.symbol_values[batch.symbol()] = p.CreateSub(end, first);
}

}  // namespace rnnc::llvm_backend
