// Elementwise ops, fused: a chain such as the LSTM's
//
//   c' = sigmoid(f) * c + sigmoid(i) * tanh(g)
//
// becomes one loop over c' that computes every intermediate in registers.
// An elementwise op whose only user is an elementwise op of the same block
// and result type is not emitted on its own; its user evaluates it inline at
// the same index. Operands broadcast as numpy does: dims align from the
// right and a static dim of 1 is read with stride 0.
//
// Also here: softmax, batch_norm and full, the other ops that are loops of
// arithmetic.
#include "absl/status/status.h"
#include "backends/llvm/Codegen.h"

namespace rnnc::llvm_backend {

namespace {

// Whether `value`, an elementwise result, can be computed inside its user's
// loop instead of into a buffer of its own.
bool FusesIntoUser(const Emitter& e, const ir::Value* value, const ir::Op& op) {
  const std::vector<const ir::Op*>& users = e.Users(value);
  if (users.size() != 1 || users[0] == nullptr) return false;
  const ir::Op& user = *users[0];
  return IsElementwise(user.kind()) && user.parent() == op.parent() &&
         user.result(0)->type() == value->type();
}

// One chunk of the iteration space: the index of its first element (the
// innermost entry a multiple of kLanes) and which lanes are inside.
struct Chunk {
  std::vector<llvm::Value*> index;
  llvm::Value* mask;
};

// The offset of the element at `index` (in an iteration space of rank
// index.size()) in `type`, which broadcasts to that space, laid out with
// `strides`.
llvm::Value* BroadcastOffset(Emitter& e, const ir::TensorType& type,
                             const std::vector<llvm::Value*>& strides,
                             const std::vector<llvm::Value*>& index) {
  const size_t skipped = index.size() - static_cast<size_t>(type.rank());
  llvm::Value* offset = e.Int(0);
  for (int64_t k = 0; k < type.rank(); ++k) {
    const ir::Dim& dim = type.dim(k);
    if (dim.is_static() && dim.size() == 1) continue;
    offset = e.builder().CreateAdd(offset,
                                   e.builder().CreateMul(index[skipped + k], strides[k]));
  }
  return offset;
}

llvm::Value* ApplyUnary(Emitter& e, ir::OpKind kind, llvm::Value* a) {
  llvm::IRBuilder<>& b = e.builder();
  llvm::Value* zero = llvm::ConstantFP::get(a->getType(), 0.0);
  switch (kind) {
    case ir::OpKind::Neg:
      return b.CreateFNeg(a);
    case ir::OpKind::Relu:
      return b.CreateSelect(b.CreateFCmpOGT(a, zero), a, zero);
    case ir::OpKind::Log:
      return b.CreateUnaryIntrinsic(llvm::Intrinsic::log, a);
    case ir::OpKind::Sqrt:  // vsqrtps: correctly rounded, as std::sqrt
      return b.CreateUnaryIntrinsic(llvm::Intrinsic::sqrt, a);
    case ir::OpKind::Step:  // 1 where a > 0, else 0: relu's derivative
      return b.CreateSelect(b.CreateFCmpOGT(a, zero), llvm::ConstantFP::get(a->getType(), 1.0),
                            zero);
    default:
      return EmitMathCall(e, kind, a);
  }
}

llvm::Value* ApplyBinary(Emitter& e, ir::OpKind kind, llvm::Value* a, llvm::Value* c) {
  llvm::IRBuilder<>& b = e.builder();
  switch (kind) {
    case ir::OpKind::Add:
      return b.CreateFAdd(a, c);
    case ir::OpKind::Sub:
      return b.CreateFSub(a, c);
    case ir::OpKind::Mul:
      return b.CreateFMul(a, c);
    default:
      return b.CreateFDiv(a, c);
  }
}

llvm::Value* Element(Emitter& e, const ir::Value* value, const Chunk& chunk);

// The result of the elementwise `op` on `chunk`.
llvm::Value* Compute(Emitter& e, const ir::Op& op, const Chunk& chunk) {
  llvm::Value* a = Element(e, op.operand(0), chunk);
  if (op.operands().size() == 1) return ApplyUnary(e, op.kind(), a);
  return ApplyBinary(e, op.kind(), a, Element(e, op.operand(1), chunk));
}

// The lanes of `value` on `chunk`: computed inline if `value` was fused, a
// constant if it is a full, else loaded from its buffer (or its view's
// source); one element broadcast to every lane if its innermost dim is 1.
llvm::Value* Element(Emitter& e, const ir::Value* value, const Chunk& chunk) {
  llvm::IRBuilder<>& b = e.builder();
  const ir::Op* op = value->defining_op();
  if (op && op->kind() == ir::OpKind::Full) {
    return b.CreateVectorSplat(kLanes, e.Float(op->float_attribute("value")));
  }
  if (op && e.IsFused(value)) return Compute(e, *op, chunk);
  llvm::Value* base;
  std::vector<llvm::Value*> strides;
  if (const Emitter::View* view = e.FindView(value)) {
    // Within its source's layout, shifted along the axis.
    strides = e.Strides(e.Shape(view->source->type()));
    base = e.Offset(e.Pointer(view->source), b.CreateMul(e.Int(view->offset), strides[view->axis]));
  } else {
    strides = e.Strides(e.Shape(value->type()));
    base = e.Pointer(value);
  }
  llvm::Value* pointer = e.Offset(base, BroadcastOffset(e, value->type(), strides, chunk.index));
  const ir::TensorType& type = value->type();
  const bool broadcast = type.rank() == 0 || (type.dims().back().is_static() &&
                                              type.dims().back().size() == 1);
  if (broadcast) return b.CreateVectorSplat(kLanes, b.CreateLoad(e.f32(), pointer));
  auto* vector = llvm::FixedVectorType::get(e.f32(), kLanes);
  return b.CreateMaskedLoad(vector, pointer, llvm::Align(4), chunk.mask,
                            llvm::Constant::getNullValue(vector));
}

}  // namespace

// out[i] = op(operands[i]) over the result's shape, the innermost dim in
// masked chunks of kLanes (an innermost stride of 1 holds for buffers and
// views alike).
absl::Status EmitElementwise(Emitter& e, const ir::Op& op) {
  const ir::Value* result = op.result(0);
  if (FusesIntoUser(e, result, op)) {
    e.MarkFused(result);
    return absl::OkStatus();
  }
  const std::vector<llvm::Value*> shape = e.Shape(result->type());
  const std::vector<llvm::Value*> strides = e.Strides(shape.empty() ? std::vector{e.Int(1)} : shape);
  llvm::Value* out = e.Pointer(result);
  e.ChunkLoop(shape, [&](const std::vector<llvm::Value*>& index, llvm::Value* mask) {
    const Chunk chunk{index, mask};
    e.builder().CreateMaskedStore(Compute(e, op, chunk), e.Offset(out, e.Linear(index, strides)),
                                  llvm::Align(4), mask);
  });
  return absl::OkStatus();
}

absl::Status EmitFull(Emitter& e, const ir::Op& op) {
  const std::vector<llvm::Value*> shape = e.Shape(op.result(0)->type());
  llvm::Value* out = e.Pointer(op.result(0));
  llvm::Value* value = e.Float(op.float_attribute("value"));
  e.LoopNest({e.Product(shape)}, [&](const std::vector<llvm::Value*>& index) {
    e.builder().CreateStore(value, e.Offset(out, index[0]));
  });
  return absl::OkStatus();
}

// y_j = exp(x_j - max_k x_k) / Σ_k exp(x_k - max_k x_k) along `axis`, the
// array seen as (outer, length, inner) around that axis.
absl::Status EmitSoftmax(Emitter& e, const ir::Op& op) {
  llvm::IRBuilder<>& b = e.builder();
  const ir::TensorType& type = op.result(0)->type();
  int64_t axis = op.int_attribute("axis");
  if (axis < 0) axis += type.rank();
  const std::vector<llvm::Value*> shape = e.Shape(type);
  llvm::Value* outer = e.Product({shape.begin(), shape.begin() + axis});
  llvm::Value* length = shape[axis];
  llvm::Value* inner = e.Product({shape.begin() + axis + 1, shape.end()});
  llvm::Value* in = e.Pointer(op.operand(0));
  llvm::Value* out = e.Pointer(op.result(0));
  llvm::Value* max = e.LocalFloat();
  llvm::Value* sum = e.LocalFloat();
  e.LoopNest({outer, inner}, [&](const std::vector<llvm::Value*>& oi) {
    llvm::Value* base = b.CreateAdd(b.CreateMul(b.CreateMul(oi[0], length), inner), oi[1]);
    auto at = [&](llvm::Value* pointer, llvm::Value* j) {
      return e.Offset(pointer, b.CreateAdd(base, b.CreateMul(j, inner)));
    };
    b.CreateStore(llvm::ConstantFP::getInfinity(e.f32(), /*Negative=*/true), max);
    b.CreateStore(e.Float(0), sum);
    e.LoopNest({length}, [&](const std::vector<llvm::Value*>& j) {
      llvm::Value* x = b.CreateLoad(e.f32(), at(in, j[0]));
      llvm::Value* m = b.CreateLoad(e.f32(), max);
      b.CreateStore(b.CreateSelect(b.CreateFCmpOGT(x, m), x, m), max);
    });
    llvm::Value* m = b.CreateLoad(e.f32(), max);
    e.LoopNest({length}, [&](const std::vector<llvm::Value*>& j) {
      llvm::Value* y = EmitExp(b, b.CreateFSub(b.CreateLoad(e.f32(), at(in, j[0])), m));
      b.CreateStore(y, at(out, j[0]));
      b.CreateStore(b.CreateFAdd(b.CreateLoad(e.f32(), sum), y), sum);
    });
    llvm::Value* s = b.CreateLoad(e.f32(), sum);
    e.LoopNest({length}, [&](const std::vector<llvm::Value*>& j) {
      b.CreateStore(b.CreateFDiv(b.CreateLoad(e.f32(), at(out, j[0])), s), at(out, j[0]));
    });
  });
  return absl::OkStatus();
}

// y = (x - mean) / sqrt(var + ε) · weight + bias, over x (rows, C).
absl::Status EmitBatchNorm(Emitter& e, const ir::Op& op) {
  llvm::IRBuilder<>& b = e.builder();
  const std::vector<llvm::Value*> shape = e.Shape(op.operand(0)->type());
  llvm::Value* channels = shape.back();
  llvm::Value* rows = e.Product({shape.begin(), shape.end() - 1});
  llvm::Value* x = e.Pointer(op.operand(0));
  llvm::Value* weight = e.Pointer(op.operand(1));
  llvm::Value* bias = e.Pointer(op.operand(2));
  llvm::Value* mean = e.Pointer(op.operand(3));
  llvm::Value* var = e.Pointer(op.operand(4));
  llvm::Value* out = e.Pointer(op.result(0));
  llvm::Value* epsilon = e.Float(op.float_attribute("epsilon", 1e-5));
  e.LoopNest({rows, channels}, [&](const std::vector<llvm::Value*>& rc) {
    auto load = [&](llvm::Value* pointer) { return b.CreateLoad(e.f32(), e.Offset(pointer, rc[1])); };
    llvm::Value* at = b.CreateAdd(b.CreateMul(rc[0], channels), rc[1]);
    llvm::Value* deviation = b.CreateUnaryIntrinsic(llvm::Intrinsic::sqrt,
                                                    b.CreateFAdd(load(var), epsilon));
    llvm::Value* normal =
        b.CreateFDiv(b.CreateFSub(b.CreateLoad(e.f32(), e.Offset(x, at)), load(mean)), deviation);
    b.CreateStore(b.CreateFAdd(b.CreateFMul(normal, load(weight)), load(bias)), e.Offset(out, at));
  });
  return absl::OkStatus();
}

}  // namespace rnnc::llvm_backend
