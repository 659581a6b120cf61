// A contraction scan (passes/Accumulation.h), the form hoist-weight-gradients
// leaves a weight gradient in:
//
//   c = init + Σ_t u_tᵀ · v_t = init + uᵀ · v
//
// with u (T, N, P) and v (T, N, Q) read as the (T·N, P) and (T·N, Q)
// matrices they are in memory: no loop over t, one GEMM over all T·N rows
// (the runtime's, oneDNN's sgemm), accumulating onto init's copy.
#include "absl/status/status.h"
#include "backends/llvm/Codegen.h"
#include "backends/llvm/RuntimeSupport.h"

namespace rnnc::llvm_backend {

absl::Status EmitContraction(Emitter& e, const ir::Op& op, const passes::Contraction& contraction) {
  llvm::IRBuilder<>& b = e.builder();
  const ir::Value* u = op.operand(1 + contraction.u);
  const ir::Value* v = op.operand(1 + contraction.v);
  const ir::Value* result = op.result(0);
  const std::vector<llvm::Value*> u_shape = e.Shape(u->type());
  llvm::Value* rows = e.Product({u_shape.begin(), u_shape.end() - 1});
  llvm::Value* p = u_shape.back();
  llvm::Value* q = e.Dim(v->type().dims().back());
  llvm::Value* out = e.Pointer(result);
  e.Copy(out, e.Pointer(op.operand(0)), b.CreateMul(p, q));
  llvm::Type* ptr = b.getPtrTy();
  auto* type = llvm::FunctionType::get(b.getVoidTy(), {ptr, ptr, ptr, e.i64(), e.i64(), e.i64()},
                                       false);
  b.CreateCall(e.Runtime(kGemmAccumulateTransposedName, type),
               {e.Pointer(u), e.Pointer(v), out, rows, p, q});
  return absl::OkStatus();
}

}  // namespace rnnc::llvm_backend
