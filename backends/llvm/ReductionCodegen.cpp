// reduce_sum, reduce_mean and reduce_max: the sums of a loss, the bias
// gradients (ȳ summed over the rows a bias was broadcast to), softmax's
// gradient (Σ_j ȳ_j y_j along the class axis) and log-softmax's max.
//
//   out[j] = ⊕ a[i] over every i whose index, the reduced axes dropped, is j
//   ⊕ = + (sum, mean) or max;  mean: out[j] /= Π_{k ∈ axes} size_k
//
// The input is walked once in its own order, its innermost dim in masked
// chunks of kLanes. When that dim is kept, each chunk combines with the same
// chunk of the output row it reduces into; when it is reduced, each row
// accumulates in one vector and its lanes combine at the end of the row.
#include "absl/status/status.h"
#include "backends/llvm/Codegen.h"

namespace rnnc::llvm_backend {

namespace {

// The output's strides seen from the input's index: its own strides with
// the reduced axes kept as size 1, and 0 for a reduced axis.
std::vector<llvm::Value*> ReducedStrides(Emitter& e, const std::vector<llvm::Value*>& shape,
                                         const std::vector<bool>& reduced) {
  std::vector<llvm::Value*> kept = shape;
  for (size_t k = 0; k < shape.size(); ++k) {
    if (reduced[k]) kept[k] = e.Int(1);
  }
  std::vector<llvm::Value*> strides = e.Strides(kept);
  for (size_t k = 0; k < shape.size(); ++k) {
    if (reduced[k]) strides[k] = e.Int(0);
  }
  return strides;
}

}  // namespace

absl::Status EmitReduction(Emitter& e, const ir::Op& op) {
  llvm::IRBuilder<>& b = e.builder();
  const ir::TensorType& type = op.operand(0)->type();
  const int64_t rank = type.rank();
  const bool max = op.kind() == ir::OpKind::ReduceMax;
  std::vector<bool> reduced(rank, false);
  for (int64_t axis : op.ints_attribute("axes")) reduced[axis < 0 ? axis + rank : axis] = true;

  auto* vector = llvm::FixedVectorType::get(e.f32(), kLanes);
  llvm::Value* identity = max ? llvm::ConstantFP::getInfinity(e.f32(), /*Negative=*/true)
                              : llvm::ConstantFP::get(e.f32(), 0.0);
  llvm::Value* identities = b.CreateVectorSplat(kLanes, identity);
  auto combine = [&](llvm::Value* x, llvm::Value* y) {
    return max ? b.CreateMaxNum(x, y) : b.CreateFAdd(x, y);
  };

  std::vector<llvm::Value*> shape = e.Shape(type);
  llvm::Value* in = e.Pointer(op.operand(0));
  llvm::Value* out = e.Pointer(op.result(0));
  llvm::Value* out_count = e.Product(e.Shape(op.result(0)->type()));
  e.LoopNest({out_count}, [&](const std::vector<llvm::Value*>& j) {
    b.CreateStore(identity, e.Offset(out, j[0]));
  });
  if (rank == 0) {
    b.CreateStore(combine(b.CreateLoad(e.f32(), in), identity), out);
    return absl::OkStatus();
  }

  const std::vector<llvm::Value*> in_strides = e.Strides(shape);
  const std::vector<llvm::Value*> out_strides = ReducedStrides(e, shape, reduced);
  llvm::Value* inner = shape.back();
  llvm::Value* chunks = b.CreateUDiv(b.CreateAdd(inner, e.Int(kLanes - 1)), e.Int(kLanes));
  std::vector<llvm::Value*> rows(shape.begin(), shape.end() - 1);
  if (!reduced.back()) {
    // out[j..., c] ⊕= a[i..., c], a chunk of c at a time.
    rows.push_back(chunks);
    e.LoopNest(rows, [&](const std::vector<llvm::Value*>& loop) {
      std::vector<llvm::Value*> index = loop;
      index.back() = b.CreateMul(loop.back(), e.Int(kLanes));
      llvm::Value* mask = e.LaneMask(inner, index.back());
      llvm::Value* from = e.Offset(in, e.Linear(index, in_strides));
      llvm::Value* to = e.Offset(out, e.Linear(index, out_strides));
      llvm::Value* a = b.CreateMaskedLoad(vector, from, llvm::Align(4), mask, identities);
      llvm::Value* sum = b.CreateMaskedLoad(vector, to, llvm::Align(4), mask, identities);
      b.CreateMaskedStore(combine(sum, a), to, llvm::Align(4), mask);
    });
  } else {
    // acc = ⊕ of a row's chunks (masked-off lanes hold the identity), then
    // out[j...] ⊕= ⊕ of acc's lanes.
    llvm::Value* accumulator = e.LocalVector(vector);
    e.LoopNest(rows, [&](const std::vector<llvm::Value*>& row) {
      std::vector<llvm::Value*> index = row;
      index.push_back(e.Int(0));
      llvm::Value* from = e.Offset(in, e.Linear(index, in_strides));
      b.CreateStore(identities, accumulator);
      e.LoopNest({chunks}, [&](const std::vector<llvm::Value*>& chunk) {
        llvm::Value* c = b.CreateMul(chunk[0], e.Int(kLanes));
        llvm::Value* mask = e.LaneMask(inner, c);
        llvm::Value* a =
            b.CreateMaskedLoad(vector, e.Offset(from, c), llvm::Align(4), mask, identities);
        b.CreateStore(combine(b.CreateLoad(vector, accumulator), a), accumulator);
      });
      llvm::Value* lanes = b.CreateLoad(vector, accumulator);
      llvm::Value* total;
      if (max) {
        total = b.CreateFPMaxReduce(lanes);
      } else {
        total = b.CreateFAddReduce(llvm::ConstantFP::get(e.f32(), -0.0), lanes);
        llvm::cast<llvm::Instruction>(total)->setHasAllowReassoc(true);
      }
      llvm::Value* to = e.Offset(out, e.Linear(index, out_strides));
      b.CreateStore(combine(b.CreateLoad(e.f32(), to), total), to);
    });
  }

  if (op.kind() == ir::OpKind::ReduceMean) {
    llvm::Value* count = e.Int(1);
    for (int64_t k = 0; k < rank; ++k) {
      if (reduced[k]) count = b.CreateMul(count, shape[k]);
    }
    llvm::Value* divisor = b.CreateSIToFP(count, e.f32());
    e.LoopNest({out_count}, [&](const std::vector<llvm::Value*>& j) {
      llvm::Value* at = e.Offset(out, j[0]);
      b.CreateStore(b.CreateFDiv(b.CreateLoad(e.f32(), at), divisor), at);
    });
  }
  return absl::OkStatus();
}

}  // namespace rnnc::llvm_backend
