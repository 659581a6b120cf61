// canonicalize: local identities that leave a value as it was, applied until
// none applies, then dce (the ops they bypass are usually dead):
//   add(x, 0), add(0, x), sub(x, 0), mul(x, 1), mul(1, x), div(x, 1) -> x
//       (only when the result has x's type: no broadcasting lost)
//   concat(a)                                  -> a
//   concat(split(v)#0, ..., split(v)#k-1)      -> v    (same axis)
//   concat(slice(v)[a:b], slice(v)[b:c], ...)  -> slice(v)[a:c], or v if whole
//   slice(v) over the whole axis               -> v
//   transpose(transpose(x, p), q)              -> x    when the perms cancel
//   add(zeros(1, ...), select(s, 0, 0))        -> s    (s: (1, ...); how
//       expand-rnn-layers writes h_n, once raise-rnn-cells has put a layer
//       op back)
//
// Before (what fuse-gate-matmuls leaves from expand-rnn-layers' slices):
//   %w_0: f32[4, 3] = slice(%w) {axis = 0, end = 4, start = 0}
//   %w_1: f32[4, 3] = slice(%w) {axis = 0, end = 8, start = 4}
//   %ws: f32[8, 3] = concat(%w_0, %w_1) {axis = 0}
//   %y: f32[N, 8] = matmul(%x, %ws) {transpose_b = true}
// After:
//   %y: f32[N, 8] = matmul(%x, %w) {transpose_b = true}
#include <optional>

#include "passes/Pass.h"
#include "passes/PatternMatch.h"
#include "passes/Rewrite.h"

namespace rnnc::passes {

namespace {

using ir::OpKind;
using ir::Value;

int64_t NormalizedAxis(const ir::Op& op, const Value* operand) {
  const int64_t axis = op.int_attribute("axis");
  return axis < 0 ? axis + operand->type().rank() : axis;
}

// [start, end) of a slice op, made non-negative.
std::pair<int64_t, int64_t> SliceRange(const ir::Op& slice) {
  const int64_t size = slice.operand(0)->type().dim(NormalizedAxis(slice, slice.operand(0))).size();
  auto normalize = [&](int64_t i) { return i < 0 ? i + size : i; };
  return {normalize(slice.int_attribute("start")), normalize(slice.int_attribute("end"))};
}

// x in `op(x, c)` (or `op(c, x)` when `commutes`) with c a `full` of
// `identity`, if the result keeps x's type.
Value* IdentityOperand(const ir::Op& op, double identity, bool commutes) {
  for (size_t i : {0, 1}) {
    if (i == 0 && !commutes) continue;
    Value* constant = op.operand(i);
    Value* x = op.operand(1 - i);
    if (IsFull(constant, identity) && x->type() == op.result(0)->type()) return x;
  }
  return nullptr;
}

// concat(split(v)#0, ..., #k-1) -> v
Value* RejoinedSplit(const ir::Op& concat) {
  const ir::Op* split = DefiningOp(concat.operand(0), OpKind::Split);
  if (split == nullptr || split->num_results() != concat.operands().size() ||
      NormalizedAxis(*split, split->operand(0)) != NormalizedAxis(concat, concat.operand(0))) {
    return nullptr;
  }
  for (size_t i = 0; i < concat.operands().size(); ++i) {
    if (concat.operand(i) != split->result(i)) return nullptr;
  }
  return split->operand(0);
}

// concat of consecutive slices of one value along the concat's axis -> one
// slice of it.
Value* RejoinedSlices(Builder& b, const ir::Op& concat) {
  const int64_t axis = NormalizedAxis(concat, concat.operand(0));
  Value* source = nullptr;
  int64_t start = 0, end = 0;
  for (size_t i = 0; i < concat.operands().size(); ++i) {
    const ir::Op* slice = DefiningOp(concat.operand(i), OpKind::Slice);
    if (slice == nullptr || NormalizedAxis(*slice, slice->operand(0)) != axis) return nullptr;
    auto [first, last] = SliceRange(*slice);
    if (i == 0) {
      source = slice->operand(0);
      start = first;
    } else if (slice->operand(0) != source || first != end) {
      return nullptr;
    }
    end = last;
  }
  return b.Slice(source, axis, start, end);
}

Value* WholeSlice(const ir::Op& slice) {
  auto [first, last] = SliceRange(slice);
  const ir::Dim& dim = slice.operand(0)->type().dim(NormalizedAxis(slice, slice.operand(0)));
  return first == 0 && last == dim.size() ? slice.operand(0) : nullptr;
}

Value* CancelledTranspose(const ir::Op& outer) {
  const ir::Op* inner = DefiningOp(outer.operand(0), OpKind::Transpose);
  if (inner == nullptr) return nullptr;
  const std::vector<int64_t> p = inner->ints_attribute("perm");
  const std::vector<int64_t> q = outer.ints_attribute("perm");
  for (size_t i = 0; i < q.size(); ++i) {
    if (p[q[i]] != static_cast<int64_t>(i)) return nullptr;
  }
  return inner->operand(0);
}

// add(zeros(1, ...), select(s, 0, 0)) -> s
Value* UnsqueezedSelect(const ir::Op& add) {
  for (size_t i : {0, 1}) {
    const ir::Op* select = DefiningOp(add.operand(1 - i), OpKind::Select);
    if (!IsFull(add.operand(i), 0.0) || select == nullptr) continue;
    Value* source = select->operand(0);
    if (NormalizedAxis(*select, source) == 0 && source->type() == add.result(0)->type() &&
        source->type().dim(0) == ir::Dim(1)) {
      return source;
    }
  }
  return nullptr;
}

// What `op`'s only result can be replaced by, or null.
Value* Simplify(ir::Graph& graph, ir::Op& op) {
  switch (op.kind()) {
    case OpKind::Add: {
      Value* x = IdentityOperand(op, 0.0, true);
      return x != nullptr ? x : UnsqueezedSelect(op);
    }
    case OpKind::Sub:
      return IdentityOperand(op, 0.0, false);
    case OpKind::Mul:
      return IdentityOperand(op, 1.0, true);
    case OpKind::Div:
      return IdentityOperand(op, 1.0, false);
    case OpKind::Concat: {
      if (op.operands().size() == 1) return op.operand(0);
      if (Value* v = RejoinedSplit(op)) return v;
      Builder b = Builder::Before(graph, &op);
      return RejoinedSlices(b, op);
    }
    case OpKind::Slice:
      return WholeSlice(op);
    case OpKind::Transpose:
      return CancelledTranspose(op);
    default:
      return nullptr;
  }
}

}  // namespace

ir::Graph Canonicalize(const ir::Graph& graph, const PassOptions& options) {
  ir::Graph result = graph;
  bool changed = true;
  while (changed) {
    changed = false;
    std::vector<ir::Op*> ops;
    WalkOps(result.body(), [&](ir::Op* op) { ops.push_back(op); });
    for (ir::Op* op : ops) {
      if (op->num_results() != 1) continue;
      Value* replacement = Simplify(result, *op);
      if (replacement == nullptr) continue;
      result.ReplaceAllUses(op->result(0), replacement);
      op->parent()->EraseOp(IndexInBlock(op));
      changed = true;
    }
  }
  return EliminateDeadCode(result, options);
}

}  // namespace rnnc::passes
