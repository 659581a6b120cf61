// concat, split, slice, select and transpose: each is one strided copy per
// operand or result, the source or destination seen through the strides of
// the whole tensor with an offset along the axis; reshape is one contiguous
// copy. A split or slice result
// that only elementwise ops use is not copied at all but read in place (the
// LSTM's gates, split from one GEMM's output).
#include "absl/status/status.h"
#include "backends/llvm/Codegen.h"

namespace rnnc::llvm_backend {

namespace {

int64_t NormalizedAxis(int64_t axis, int64_t rank) { return axis < 0 ? axis + rank : axis; }

// Copies `part` into `whole` at `offset` along `axis`, or the reverse when
// `into_part` (split and slice).
void CopyAlongAxis(Emitter& e, const ir::Value* whole, const ir::Value* part, int64_t axis,
                   llvm::Value* offset, bool into_part) {
  const std::vector<llvm::Value*> part_shape = e.Shape(part->type());
  const std::vector<llvm::Value*> whole_strides = e.Strides(e.Shape(whole->type()));
  const std::vector<llvm::Value*> part_strides = e.Strides(part_shape);
  llvm::Value* at =
      e.Offset(e.Pointer(whole), e.builder().CreateMul(offset, whole_strides[axis]));
  if (into_part) {
    e.StridedCopy(e.Pointer(part), part_strides, at, whole_strides, part_shape);
  } else {
    e.StridedCopy(at, whole_strides, e.Pointer(part), part_strides, part_shape);
  }
}

// Whether every user of `value` is an elementwise op, which can read it as a
// view.
bool OnlyElementwiseUsers(const Emitter& e, const ir::Value* value) {
  for (const ir::Op* user : e.Users(value)) {
    if (user == nullptr || !IsElementwise(user->kind())) return false;
  }
  return true;
}

// Copies `part` out of `source` at `offset` along `axis`, or marks it a view.
void ExtractPart(Emitter& e, const ir::Value* source, const ir::Value* part, int64_t axis,
                 int64_t offset) {
  if (OnlyElementwiseUsers(e, part) && !e.FindView(source)) {
    e.MarkView(part, {source, axis, offset});
    return;
  }
  CopyAlongAxis(e, source, part, axis, e.Int(offset), /*into_part=*/true);
}

}  // namespace

absl::Status EmitShapeOp(Emitter& e, const ir::Op& op) {
  llvm::IRBuilder<>& b = e.builder();
  const ir::Value* a = op.operand(0);
  const int64_t rank = a->type().rank();
  const int64_t axis = NormalizedAxis(op.int_attribute("axis"), rank);
  switch (op.kind()) {
    case ir::OpKind::Concat: {
      // out[..., offset_k + j, ...] = a_k[..., j, ...]
      const ir::Value* out = op.result(0);
      llvm::Value* offset = e.Int(0);
      for (const ir::Value* part : op.operands()) {
        CopyAlongAxis(e, out, part, axis, offset, /*into_part=*/false);
        offset = b.CreateAdd(offset, e.Dim(part->type().dim(axis)));
      }
      return absl::OkStatus();
    }
    case ir::OpKind::Split: {
      // result_k[..., j, ...] = a[..., offset_k + j, ...]; the sizes are static.
      int64_t offset = 0;
      for (const ir::Value* part : op.results()) {
        ExtractPart(e, a, part, axis, offset);
        offset += part->type().dim(axis).size();
      }
      return absl::OkStatus();
    }
    case ir::OpKind::Slice: {
      // The axis is static, so negative bounds resolve now.
      const int64_t size = a->type().dim(axis).size();
      const int64_t start = NormalizedAxis(op.int_attribute("start"), size);
      ExtractPart(e, a, op.result(0), axis, start);
      return absl::OkStatus();
    }
    case ir::OpKind::Select: {
      // out[i..., k...] = a[i..., index, k...]; a negative index counts from
      // the end of a dim that may be bound only at run time.
      llvm::Value* index = e.Int(op.int_attribute("index"));
      if (op.int_attribute("index") < 0) index = b.CreateAdd(index, e.Dim(a->type().dim(axis)));
      std::vector<llvm::Value*> strides = e.Strides(e.Shape(a->type()));
      llvm::Value* at = e.Offset(e.Pointer(a), b.CreateMul(index, strides[axis]));
      strides.erase(strides.begin() + axis);
      const std::vector<llvm::Value*> shape = e.Shape(op.result(0)->type());
      e.StridedCopy(e.Pointer(op.result(0)), e.Strides(shape), at, strides, shape);
      return absl::OkStatus();
    }
    case ir::OpKind::Transpose: {
      // out[i_0, ..., i_r] = a[i_perm⁻¹...]: result axis k walks a's axis perm[k].
      const std::vector<int64_t> perm = op.ints_attribute("perm");
      const std::vector<llvm::Value*> a_strides = e.Strides(e.Shape(a->type()));
      std::vector<llvm::Value*> src_strides;
      for (int64_t k : perm) src_strides.push_back(a_strides[k]);
      const std::vector<llvm::Value*> shape = e.Shape(op.result(0)->type());
      e.StridedCopy(e.Pointer(op.result(0)), e.Strides(shape), e.Pointer(a), src_strides, shape);
      return absl::OkStatus();
    }
    case ir::OpKind::Reshape: {
      // The same elements in the same order. A copy rather than an alias of
      // the operand's buffer, which a scan may overwrite in place (a carry)
      // while the reshaped value is still read.
      e.Copy(e.Pointer(op.result(0)), e.Pointer(a), e.Product(e.Shape(a->type())));
      return absl::OkStatus();
    }
    default:
      return absl::InternalError(OpLabel(op) + ": not a shape op");
  }
}

}  // namespace rnnc::llvm_backend
