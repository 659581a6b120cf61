// matmul and dense: small products (a few rows) as inline loops, larger
// ones through a call to the runtime's GEMM (RuntimeSupport.h); dense adds
// its bias in a loop after it.
#include "absl/status/status.h"
#include "backends/llvm/Codegen.h"
#include "backends/llvm/RuntimeSupport.h"

namespace rnnc::llvm_backend {

namespace {

// Up to this many rows (the batch N of a recurrent matmul) the product runs
// as inline code: oneDNN's sgemm is fast on big products but per call it
// wakes its OpenMP team, which costs more than a time step's GEMM at small
// N and stalls when the machine is busy.
constexpr int64_t kInlineRows = 32;
// The inline kernel's register tile: kTile rows of a times kTile rows of b,
// each pair one accumulator vector of kLanes partial sums.
constexpr int64_t kTile = 4;
constexpr unsigned kLanes = 16;

// c (rows, m) = a (rows, k) · bᵀ, b (m, k):
//   c[r, j] = Σ_p a[r, p] · b[j, p]
// in 4×4 tiles of (r, j), each reading 4 rows of a and 4 of b once per
// 16-float chunk of p (the last chunk masked) into 16 accumulators. Tiles at
// the edges clamp their row indices, recomputing and rewriting the last row
// rather than branching: the duplicate stores write equal values.
void EmitTiledGemm(Emitter& e, llvm::Value* a, llvm::Value* bt, llvm::Value* c,
                   llvm::Value* rows, llvm::Value* k, llvm::Value* m) {
  llvm::IRBuilder<>& b = e.builder();
  auto* vector = llvm::FixedVectorType::get(e.f32(), kLanes);
  llvm::Value* zero = llvm::Constant::getNullValue(vector);
  std::vector<llvm::Constant*> lanes;
  for (unsigned i = 0; i < kLanes; ++i) lanes.push_back(b.getInt64(i));
  llvm::Value* lane_ids = llvm::ConstantVector::get(lanes);
  auto tiles = [&](llvm::Value* n) {
    return b.CreateUDiv(b.CreateAdd(n, e.Int(kTile - 1)), e.Int(kTile));
  };
  std::vector<llvm::Value*> sums;
  for (int64_t i = 0; i < kTile * kTile; ++i) sums.push_back(e.LocalVector(vector));
  e.LoopNest({tiles(m), tiles(rows)}, [&](const std::vector<llvm::Value*>& tile) {
    // The clamped row indices of this tile, as offsets of their rows' starts.
    std::vector<llvm::Value*> a_rows, b_rows, r_index, j_index;
    for (int64_t i = 0; i < kTile; ++i) {
      auto clamp = [&](llvm::Value* t, llvm::Value* n) {
        llvm::Value* index = b.CreateAdd(b.CreateMul(t, e.Int(kTile)), e.Int(i));
        return b.CreateSelect(b.CreateICmpSLT(index, n), index, b.CreateSub(n, e.Int(1)));
      };
      j_index.push_back(clamp(tile[0], m));
      r_index.push_back(clamp(tile[1], rows));
      b_rows.push_back(e.Offset(bt, b.CreateMul(j_index.back(), k)));
      a_rows.push_back(e.Offset(a, b.CreateMul(r_index.back(), k)));
    }
    for (llvm::Value* sum : sums) b.CreateStore(zero, sum);
    llvm::Value* chunks = b.CreateUDiv(b.CreateAdd(k, e.Int(kLanes - 1)), e.Int(kLanes));
    e.LoopNest({chunks}, [&](const std::vector<llvm::Value*>& chunk) {
      llvm::Value* p = b.CreateMul(chunk[0], e.Int(kLanes));
      llvm::Value* mask = b.CreateICmpSLT(lane_ids, b.CreateVectorSplat(kLanes, b.CreateSub(k, p)));
      auto load = [&](llvm::Value* row) {
        return b.CreateMaskedLoad(vector, e.Offset(row, p), llvm::Align(4), mask, zero);
      };
      std::vector<llvm::Value*> x, w;
      for (int64_t i = 0; i < kTile; ++i) x.push_back(load(a_rows[i]));
      for (int64_t i = 0; i < kTile; ++i) w.push_back(load(b_rows[i]));
      for (int64_t r = 0; r < kTile; ++r) {
        for (int64_t j = 0; j < kTile; ++j) {
          llvm::Value* sum = sums[r * kTile + j];
          llvm::Value* fma = b.CreateIntrinsic(llvm::Intrinsic::fmuladd, {vector},
                                               {x[r], w[j], b.CreateLoad(vector, sum)});
          b.CreateStore(fma, sum);
        }
      }
    });
    for (int64_t r = 0; r < kTile; ++r) {
      for (int64_t j = 0; j < kTile; ++j) {
        llvm::Value* total = b.CreateFAddReduce(llvm::ConstantFP::get(e.f32(), -0.0),
                                                b.CreateLoad(vector, sums[r * kTile + j]));
        llvm::cast<llvm::Instruction>(total)->setHasAllowReassoc(true);
        b.CreateStore(total, e.Offset(c, b.CreateAdd(b.CreateMul(r_index[r], m), j_index[j])));
      }
    }
  });
}

// c (rows, m) = a (rows, k) · b, b (k, m):
//   c[r, :] = Σ_p a[r, p] · b[p, :]
// for p, then r, so that row p of b is read once; the vectorizer takes the
// contiguous innermost loop.
void EmitRowGemm(Emitter& e, llvm::Value* a, llvm::Value* b_matrix, llvm::Value* c,
                 llvm::Value* rows, llvm::Value* k, llvm::Value* m) {
  llvm::IRBuilder<>& b = e.builder();
  e.LoopNest({b.CreateMul(rows, m)}, [&](const std::vector<llvm::Value*>& i) {
    b.CreateStore(e.Float(0), e.Offset(c, i[0]));
  });
  e.LoopNest({k, rows, m}, [&](const std::vector<llvm::Value*>& prj) {
    llvm::Value* at = e.Offset(c, b.CreateAdd(b.CreateMul(prj[1], m), prj[2]));
    llvm::Value* x = b.CreateLoad(e.f32(), e.Offset(a, b.CreateAdd(b.CreateMul(prj[1], k), prj[0])));
    llvm::Value* w =
        b.CreateLoad(e.f32(), e.Offset(b_matrix, b.CreateAdd(b.CreateMul(prj[0], m), prj[2])));
    b.CreateStore(b.CreateFAdd(b.CreateLoad(e.f32(), at), b.CreateFMul(x, w)), at);
  });
}

}  // namespace

// matmul: out (..., M) = a (..., K) · b, b (K, M) or, with transpose_b, (M, K).
// dense:  out (..., Out) = x (..., In) · weight (Out, In)ᵀ + bias (Out).
// The leading dims of a fold into the GEMM's rows.
absl::Status EmitMatmul(Emitter& e, const ir::Op& op) {
  llvm::IRBuilder<>& b = e.builder();
  const bool dense = op.kind() == ir::OpKind::Dense;
  const bool transpose_b = dense || op.bool_attribute("transpose_b");
  const ir::TensorType& a_type = op.operand(0)->type();
  const std::vector<llvm::Value*> a_shape = e.Shape(a_type);
  llvm::Value* rows = e.Product({a_shape.begin(), a_shape.end() - 1});
  llvm::Value* k = a_shape.back();
  llvm::Value* m = e.Dim(op.result(0)->type().dims().back());
  llvm::Value* out = e.Pointer(op.result(0));

  llvm::Type* ptr = b.getPtrTy();
  auto* type = llvm::FunctionType::get(b.getVoidTy(),
                                       {ptr, ptr, ptr, e.i64(), e.i64(), e.i64(), b.getInt32Ty()},
                                       false);
  auto call_gemm = [&] {
    b.CreateCall(e.Runtime(kGemmName, type),
                 {e.Pointer(op.operand(0)), e.Pointer(op.operand(1)), out, rows, k, m,
                  b.getInt32(transpose_b ? 1 : 0)});
  };
  // Outside a scan a matmul runs once per run, over all T·N rows when it is
  // a hoisted input projection: a job for the library, and no inline code to
  // compile.
  if (op.parent()->parent_op() == nullptr) {
    call_gemm();
  } else {
    llvm::Function* function = b.GetInsertBlock()->getParent();
    auto* inline_block = llvm::BasicBlock::Create(e.context(), "gemm.inline", function);
    auto* call_block = llvm::BasicBlock::Create(e.context(), "gemm.call", function);
    auto* done = llvm::BasicBlock::Create(e.context(), "gemm.done", function);
    b.CreateCondBr(b.CreateICmpSLE(rows, e.Int(kInlineRows)), inline_block, call_block);
    b.SetInsertPoint(inline_block);
    if (transpose_b) {
      EmitTiledGemm(e, e.Pointer(op.operand(0)), e.Pointer(op.operand(1)), out, rows, k, m);
    } else {
      EmitRowGemm(e, e.Pointer(op.operand(0)), e.Pointer(op.operand(1)), out, rows, k, m);
    }
    b.CreateBr(done);
    b.SetInsertPoint(call_block);
    call_gemm();
    b.CreateBr(done);
    b.SetInsertPoint(done);
  }
  if (dense && op.operands().size() > 2) {
    llvm::Value* bias = e.Pointer(op.operand(2));
    e.LoopNest({rows, m}, [&](const std::vector<llvm::Value*>& rj) {
      llvm::Value* at = e.Offset(out, b.CreateAdd(b.CreateMul(rj[0], m), rj[1]));
      llvm::Value* sum = b.CreateFAdd(b.CreateLoad(e.f32(), at),
                                      b.CreateLoad(e.f32(), e.Offset(bias, rj[1])));
      b.CreateStore(sum, at);
    });
  }
  return absl::OkStatus();
}

}  // namespace rnnc::llvm_backend
