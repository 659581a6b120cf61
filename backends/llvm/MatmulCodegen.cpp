// matmul and dense: against param-only weights, register tiles over
// packed panels (PanelGemmCodegen.cpp); other small products (a few rows)
// as inline loops, larger ones through a call to the runtime's GEMM
// (RuntimeSupport.h), or every one inline when
// LowerOptions::call_gemm_library is off. Dense adds its bias, and so does
// a matmul whose only user adds a bias vector. In a parallel region each
// thread computes its share of the output columns; a top-level matmul of
// library-free code is a parallel region of its own.
#include <algorithm>

#include "absl/status/status.h"
#include "backends/llvm/Codegen.h"
#include "backends/llvm/RuntimeSupport.h"

namespace rnnc::llvm_backend {

namespace {

// The output columns [begin, end) that this thread computes: all of them
// outside a parallel region.
struct Columns {
  llvm::Value* begin;
  llvm::Value* end;
};

// This thread's columns of m in whole 8-column groups (the GEMM tiles are 4
// and 8 wide), so that every part of the op (tiles of either width, bias)
// splits the same way.
Columns ColumnShare(Emitter& e, llvm::Value* m) {
  if (!e.partition()) return {e.Int(0), m};
  llvm::IRBuilder<>& b = e.builder();
  auto [begin, end] = e.Share(b.CreateUDiv(b.CreateAdd(m, e.Int(7)), e.Int(8)));
  auto column = [&](llvm::Value* group) {
    llvm::Value* c = b.CreateMul(group, e.Int(8));
    return b.CreateSelect(b.CreateICmpULT(c, m), c, m);
  };
  return {column(begin), column(end)};
}

// c[r, j] = Σ_p a[r, p] · b[j, p] for `tiles` tiles of `tile_rows` rows of a
// from `first_row` on, times every tile of `tile_cols` rows of b: each tile
// reads its rows of a and b once per 16-float chunk of p (the last chunk
// masked) into tile_rows·tile_cols accumulators. Tiles at the edges clamp
// their row indices, recomputing and rewriting the last row rather than
// branching: the duplicate stores write equal values.
void EmitGemmTiles(Emitter& e, llvm::Value* a, llvm::Value* bt, llvm::Value* c,
                   llvm::Value* first_row, llvm::Value* tiles, int64_t tile_rows,
                   int64_t tile_cols, llvm::Value* rows, llvm::Value* k, llvm::Value* m,
                   const Columns& columns) {
  llvm::IRBuilder<>& b = e.builder();
  auto* vector = llvm::FixedVectorType::get(e.f32(), kLanes);
  llvm::Value* zero = llvm::Constant::getNullValue(vector);
  // The tiles of columns [begin, end): begin is a multiple of tile_cols.
  llvm::Value* first_col_tile = b.CreateUDiv(columns.begin, e.Int(tile_cols));
  llvm::Value* col_tiles = b.CreateSub(
      b.CreateUDiv(b.CreateAdd(columns.end, e.Int(tile_cols - 1)), e.Int(tile_cols)),
      first_col_tile);
  std::vector<llvm::Value*> sums;
  for (int64_t i = 0; i < tile_rows * tile_cols; ++i) sums.push_back(e.LocalVector(vector));
  e.LoopNest({col_tiles, tiles}, [&](const std::vector<llvm::Value*>& loop) {
    const std::vector<llvm::Value*> tile{b.CreateAdd(first_col_tile, loop[0]), loop[1]};
    auto clamp = [&](llvm::Value* index, llvm::Value* n) {
      return b.CreateSelect(b.CreateICmpSLT(index, n), index, b.CreateSub(n, e.Int(1)));
    };
    // The rows of this tile, clamped, and where they start.
    std::vector<llvm::Value*> a_rows, b_rows, r_index, j_index;
    for (int64_t i = 0; i < tile_rows; ++i) {
      llvm::Value* r = b.CreateAdd(first_row, b.CreateAdd(b.CreateMul(tile[1], e.Int(tile_rows)),
                                                          e.Int(i)));
      r_index.push_back(clamp(r, rows));
      a_rows.push_back(e.Offset(a, b.CreateMul(r_index.back(), k)));
    }
    for (int64_t i = 0; i < tile_cols; ++i) {
      j_index.push_back(clamp(b.CreateAdd(b.CreateMul(tile[0], e.Int(tile_cols)), e.Int(i)), m));
      b_rows.push_back(e.Offset(bt, b.CreateMul(j_index.back(), k)));
    }
    for (llvm::Value* sum : sums) b.CreateStore(zero, sum);
    llvm::Value* chunks = b.CreateUDiv(b.CreateAdd(k, e.Int(kLanes - 1)), e.Int(kLanes));
    e.LoopNest({chunks}, [&](const std::vector<llvm::Value*>& chunk) {
      llvm::Value* p = b.CreateMul(chunk[0], e.Int(kLanes));
      llvm::Value* mask = e.LaneMask(k, p);
      auto load = [&](llvm::Value* row) {
        return b.CreateMaskedLoad(vector, e.Offset(row, p), llvm::Align(4), mask, zero);
      };
      std::vector<llvm::Value*> x, w;
      for (llvm::Value* row : a_rows) x.push_back(load(row));
      for (llvm::Value* row : b_rows) w.push_back(load(row));
      for (int64_t r = 0; r < tile_rows; ++r) {
        for (int64_t j = 0; j < tile_cols; ++j) {
          llvm::Value* sum = sums[r * tile_cols + j];
          llvm::Value* fma = b.CreateIntrinsic(llvm::Intrinsic::fmuladd, {vector},
                                               {x[r], w[j], b.CreateLoad(vector, sum)});
          b.CreateStore(fma, sum);
        }
      }
    });
    for (int64_t r = 0; r < tile_rows; ++r) {
      for (int64_t j = 0; j < tile_cols; ++j) {
        llvm::Value* total = b.CreateFAddReduce(llvm::ConstantFP::get(e.f32(), -0.0),
                                                b.CreateLoad(vector, sums[r * tile_cols + j]));
        llvm::cast<llvm::Instruction>(total)->setHasAllowReassoc(true);
        b.CreateStore(total, e.Offset(c, b.CreateAdd(b.CreateMul(r_index[r], m), j_index[j])));
      }
    }
  });
}

// c (rows, m) = a (rows, k) · bᵀ, b (m, k): c[r, j] = Σ_p a[r, p] · b[j, p].
// Square tiles of rows of a against rows of b, then the rows left one at a
// time against a row of rows of b (a matrix-vector product), either tile's
// sums filling half the vector registers: 4×4 and 1×8 with AVX-512, 2×2
// and 1×4 with AVX2. Their independent sums hide the FMA latency; the tile
// widths divide ColumnShare's groups of 8.
void EmitTiledGemm(Emitter& e, llvm::Value* a, llvm::Value* bt, llvm::Value* c,
                   llvm::Value* rows, llvm::Value* k, llvm::Value* m, const Columns& columns) {
  llvm::IRBuilder<>& b = e.builder();
  const TargetShape& target = e.options().target;
  const int64_t sums = std::max(1, target.vector_registers / 2 / target.RegistersPerVector());
  int64_t side = 1;
  while ((2 * side) * (2 * side) <= sums) side *= 2;
  llvm::Value* blocks = b.CreateUDiv(rows, e.Int(side));
  EmitGemmTiles(e, a, bt, c, e.Int(0), blocks, side, side, rows, k, m, columns);
  llvm::Value* done = b.CreateMul(blocks, e.Int(side));
  EmitGemmTiles(e, a, bt, c, done, b.CreateSub(rows, done), 1, std::min<int64_t>(sums, 8), rows,
                k, m, columns);
}

// c (rows, m) = a (rows, k) · b, b (k, m):
//   c[r, :] = Σ_p a[r, p] · b[p, :]
// for p, then r, so that row p of b is read once; the vectorizer takes the
// contiguous innermost loop.
void EmitRowGemm(Emitter& e, llvm::Value* a, llvm::Value* b_matrix, llvm::Value* c,
                 llvm::Value* rows, llvm::Value* k, llvm::Value* m, const Columns& columns) {
  llvm::IRBuilder<>& b = e.builder();
  llvm::Value* width = b.CreateSub(columns.end, columns.begin);
  auto column = [&](llvm::Value* j) { return b.CreateAdd(columns.begin, j); };
  e.LoopNest({rows, width}, [&](const std::vector<llvm::Value*>& rj) {
    b.CreateStore(e.Float(0), e.Offset(c, b.CreateAdd(b.CreateMul(rj[0], m), column(rj[1]))));
  });
  e.LoopNest({k, rows, width}, [&](const std::vector<llvm::Value*>& prj) {
    llvm::Value* j = column(prj[2]);
    llvm::Value* at = e.Offset(c, b.CreateAdd(b.CreateMul(prj[1], m), j));
    llvm::Value* x = b.CreateLoad(e.f32(), e.Offset(a, b.CreateAdd(b.CreateMul(prj[1], k), prj[0])));
    llvm::Value* w =
        b.CreateLoad(e.f32(), e.Offset(b_matrix, b.CreateAdd(b.CreateMul(prj[0], m), j)));
    b.CreateStore(b.CreateFAdd(b.CreateLoad(e.f32(), at), b.CreateFMul(x, w)), at);
  });
}

// The bias that an add right after a matmul puts on its columns, which the
// matmul can add itself (an epilogue): the matmul's only user is that add
// of a vector of M values, into a result of the matmul's type, and neither
// value is written straight into a scan's output.
const ir::Value* EpilogueBias(const Emitter& e, const ir::Op& op) {
  const ir::Value* product = op.result(0);
  const std::vector<const ir::Op*>& users = e.Users(product);
  if (op.kind() != ir::OpKind::Matmul || users.size() != 1 || users[0] == nullptr) return nullptr;
  const ir::Op& add = *users[0];
  if (add.kind() != ir::OpKind::Add || add.parent() != op.parent() ||
      add.result(0)->type() != product->type() || e.IsBound(product) ||
      e.IsBound(add.result(0))) {
    return nullptr;
  }
  const ir::Value* bias = add.operand(0) == product ? add.operand(1) : add.operand(0);
  const ir::TensorType& type = bias->type();
  if (bias == product || type.rank() != 1 || type.dim(0) != product->type().dims().back()) {
    return nullptr;
  }
  return bias;
}

}  // namespace

bool CallsGemmLibraryInScan(const Emitter& e, const ir::Op& matmul) {
  return e.options().call_gemm_library && matmul.parent()->parent_op() != nullptr &&
         !UsesPanels(e, matmul);
}

// Hoisted projections too, whatever the size of their weights: a panel
// streams from L3 once per block of 64 rows, little traffic beside the
// tiles' FMAs. Against oneDNN's sgemm, which blocks K and the rows for the
// caches, the JIT on panels ran an LSTM 100×64×512 in 0.95–0.98 of the
// time on two threads and 0.97–0.99 on one, a GRU 0.92–0.95, and an LSTM
// 50×64×1024 (16 MiB of input weights) 0.90–0.95 (Zen 5, alternating runs).
bool UsesPanels(const Emitter& e, const ir::Op& matmul) {
  return HasPanelWeights(e, matmul.operand(1));
}

int64_t GateWidth(const Emitter& e, const ir::Op& matmul) {
  const ir::Value* product = matmul.result(0);
  const ir::Dim& last = product->type().dims().back();
  if (!last.is_static()) return -1;
  const int64_t m = last.size();
  const ir::Value* gates = EpilogueBias(e, matmul) ? e.Users(product)[0]->result(0) : product;
  int64_t width = 0;
  for (const ir::Op* user : e.Users(gates)) {
    if (user == nullptr || user->kind() != ir::OpKind::Split) return m;
    const int64_t axis = user->int_attribute("axis");
    if (axis != -1 && axis != gates->type().rank() - 1) return m;
    for (int64_t size : user->ints_attribute("sizes")) {
      if (width != 0 && size != width) return m;
      width = size;
    }
  }
  return width > 0 && width % kColumnGroup == 0 && m % width == 0 ? width : m;
}

// matmul: out (..., M) = a (..., K) · b, b (K, M) or, with transpose_b, (M, K).
// dense:  out (..., Out) = x (..., In) · weight (Out, In)ᵀ + bias (Out).
// The leading dims of a fold into the GEMM's rows.
absl::Status EmitMatmul(Emitter& e, const ir::Op& op) {
  const bool in_scan = op.parent()->parent_op() != nullptr;
  const bool panels = UsesPanels(e, op);
  if (!in_scan && e.options().parallel_regions && !e.InRegion() &&
      (!e.options().call_gemm_library || panels)) {
    return e.EmitParallelRegion([&] { return EmitMatmul(e, op); });
  }
  llvm::IRBuilder<>& b = e.builder();
  const bool dense = op.kind() == ir::OpKind::Dense;
  const bool transpose_b = dense || op.bool_attribute("transpose_b");
  const ir::TensorType& a_type = op.operand(0)->type();
  const std::vector<llvm::Value*> a_shape = e.Shape(a_type);
  llvm::Value* rows = e.Product({a_shape.begin(), a_shape.end() - 1});
  llvm::Value* k = a_shape.back();
  llvm::Value* m = e.Dim(op.result(0)->type().dims().back());
  llvm::Value* out = e.Pointer(op.result(0));

  const Columns columns = ColumnShare(e, m);

  llvm::Type* ptr = b.getPtrTy();
  std::vector<llvm::Type*> parameters{ptr, ptr, ptr, e.i64(), e.i64(), e.i64(), b.getInt32Ty()};
  std::vector<llvm::Value*> arguments{e.Pointer(op.operand(0)), e.Pointer(op.operand(1)), out,
                                      rows, k, m, b.getInt32(transpose_b ? 1 : 0)};
  // In a parallel region each thread calls for its own columns.
  if (e.partition()) {
    parameters.insert(parameters.end(), {e.i64(), e.i64()});
    arguments.insert(arguments.end(), {columns.begin, columns.end});
  }
  auto call_gemm = [&] {
    auto* type = llvm::FunctionType::get(b.getVoidTy(), parameters, false);
    b.CreateCall(e.Runtime(e.partition() ? kGemmColumnsName : kGemmName, type), arguments);
  };
  auto emit_inline = [&] {
    if (transpose_b) {
      EmitTiledGemm(e, e.Pointer(op.operand(0)), e.Pointer(op.operand(1)), out, rows, k, m,
                    columns);
    } else {
      EmitRowGemm(e, e.Pointer(op.operand(0)), e.Pointer(op.operand(1)), out, rows, k, m,
                  columns);
    }
  };
  const ir::Value* bias = dense && op.operands().size() > 2 ? op.operand(2) : nullptr;
  if (const ir::Value* epilogue = EpilogueBias(e, op)) {
    // The add's result is the product's buffer, the bias added in place.
    bias = epilogue;
    const ir::Value* sum = e.Users(op.result(0))[0]->result(0);
    e.Alias(sum, op.result(0));
    e.MarkComputed(sum);
  }
  llvm::Value* bias_pointer = nullptr;
  if (bias) {
    // A bias sliced from a longer vector may be a view of it (ShapeOpsCodegen).
    const Emitter::View* view = e.FindView(bias);
    bias_pointer = view ? e.Offset(e.Pointer(view->source), e.Int(view->offset)) : e.Pointer(bias);
  }
  if (panels) {
    EmitPanelGemm(e, op.operand(1), transpose_b, e.Pointer(op.operand(0)), out, rows, bias_pointer,
                  GateWidth(e, op));
    return absl::OkStatus();
  }
  if (!e.options().call_gemm_library) {
    emit_inline();
  } else if (!in_scan) {
    call_gemm();
  } else {
    llvm::Function* function = b.GetInsertBlock()->getParent();
    auto* inline_block = llvm::BasicBlock::Create(e.context(), "gemm.inline", function);
    auto* call_block = llvm::BasicBlock::Create(e.context(), "gemm.call", function);
    auto* done = llvm::BasicBlock::Create(e.context(), "gemm.done", function);
    b.CreateCondBr(b.CreateICmpSLE(rows, e.Int(kInlineGemmRows)), inline_block, call_block);
    b.SetInsertPoint(inline_block);
    emit_inline();
    b.CreateBr(done);
    b.SetInsertPoint(call_block);
    call_gemm();
    b.CreateBr(done);
    b.SetInsertPoint(done);
  }
  if (bias_pointer) {
    e.LoopNest({rows, b.CreateSub(columns.end, columns.begin)},
               [&](const std::vector<llvm::Value*>& rj) {
                 llvm::Value* j = b.CreateAdd(columns.begin, rj[1]);
                 llvm::Value* at = e.Offset(out, b.CreateAdd(b.CreateMul(rj[0], m), j));
                 llvm::Value* sum = b.CreateFAdd(b.CreateLoad(e.f32(), at),
                                                 b.CreateLoad(e.f32(), e.Offset(bias_pointer, j)));
                 b.CreateStore(sum, at);
               });
  }
  return absl::OkStatus();
}

}  // namespace rnnc::llvm_backend
