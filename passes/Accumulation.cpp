// Matching the running sums of Accumulation.h.
#include "passes/Accumulation.h"

#include <algorithm>

#include "absl/container/flat_hash_map.h"
#include "passes/PatternMatch.h"

namespace rnnc::passes {

namespace {

using ir::OpKind;
using ir::Value;

bool IsSwap(const ir::Op* op) {
  return op != nullptr && op->kind() == OpKind::Transpose &&
         op->ints_attribute("perm") == std::vector<int64_t>{1, 0};
}

// Each body value's users, one entry per use. A body's values are visible
// only inside it, so its ops (nested ones included) are all their users.
using BodyUsers = absl::flat_hash_map<const Value*, std::vector<const ir::Op*>>;

BodyUsers UsersIn(const ir::Block& body) {
  BodyUsers users;
  ir::WalkOps(body, [&](ir::Op* op) {
    for (const Value* operand : op->operands()) users[operand].push_back(op);
  });
  return users;
}

// The op that uses `value`, if it is used exactly once.
const ir::Op* OnlyUser(const BodyUsers& users, const Value* value) {
  auto it = users.find(value);
  return it != users.end() && it->second.size() == 1 ? it->second[0] : nullptr;
}

// (u, v) when `term` is matmul(transpose(u), v) (no transpose_b) and the
// transpose is used only there; u and v rank 2.
std::optional<std::pair<Value*, Value*>> OuterProductOperands(const BodyUsers& users,
                                                              const Value* term) {
  const ir::Op* matmul = DefiningOp(term, OpKind::Matmul);
  if (matmul == nullptr || matmul->bool_attribute("transpose_b")) return std::nullopt;
  const ir::Op* transpose = matmul->operand(0)->defining_op();
  if (!IsSwap(transpose) || OnlyUser(users, transpose->result(0)) != matmul) {
    return std::nullopt;
  }
  Value* u = transpose->operand(0);
  Value* v = matmul->operand(1);
  if (u->type().rank() != 2 || v->type().rank() != 2) return std::nullopt;
  return std::make_pair(u, v);
}

}  // namespace

std::optional<Accumulation> MatchAccumulation(const ir::Op& scan, size_t carry) {
  const ir::Block& body = *scan.body();
  const ir::Op& yield = *body.ops().back();
  const Value* c = body.argument(carry);
  const BodyUsers users = UsersIn(body);
  ir::Op* add = DefiningOp(yield.operand(carry), OpKind::Add);
  if (add == nullptr || add->parent() != &body || OnlyUser(users, c) != add ||
      OnlyUser(users, add->result(0)) != &yield || add->result(0)->type() != c->type()) {
    return std::nullopt;
  }
  // The yield uses the add once, as this carry's next value.
  if (std::count(yield.operands().begin(), yield.operands().end(), add->result(0)) != 1) {
    return std::nullopt;
  }
  Value* term = add->operand(add->operand(0) == c ? 1 : 0);
  if (term == c || term->type() != c->type() || OnlyUser(users, term) != add) {
    return std::nullopt;
  }
  Accumulation found;
  found.kind = Accumulation::Kind::kOuterProduct;
  found.add = add;
  if (auto operands = OuterProductOperands(users, term)) {
    found.u = operands->first;
    found.v = operands->second;
    return found;
  }
  // transpose(matmul(transpose(v), u)) = uᵀ·v.
  const ir::Op* swap = term->defining_op();
  if (IsSwap(swap)) {
    const Value* product = swap->operand(0);
    if (OnlyUser(users, product) == swap) {
      if (auto operands = OuterProductOperands(users, product)) {
        found.u = operands->second;
        found.v = operands->first;
        return found;
      }
    }
  }
  if (const ir::Op* reduce = DefiningOp(term, OpKind::ReduceSum);
      reduce != nullptr && !reduce->bool_attribute("keep_dims")) {
    found.kind = Accumulation::Kind::kRowSum;
    found.g = reduce->operand(0);
    const int64_t rank = found.g->type().rank();
    for (int64_t axis : reduce->ints_attribute("axes")) {
      found.axes.push_back(axis < 0 ? axis + rank : axis);
    }
    std::sort(found.axes.begin(), found.axes.end());
    return found;
  }
  return std::nullopt;
}

std::optional<Contraction> MatchContraction(const ir::Op& scan) {
  if (scan.kind() != OpKind::Scan || scan.int_attribute("carries") != 1 ||
      scan.operands().size() != 3 || scan.num_results() != 1 || scan.body()->num_ops() != 4) {
    return std::nullopt;
  }
  std::optional<Accumulation> sum = MatchAccumulation(scan, 0);
  if (!sum || sum->kind != Accumulation::Kind::kOuterProduct) return std::nullopt;
  const ir::Block& body = *scan.body();
  for (size_t u = 1; u <= 2; ++u) {
    const size_t v = 3 - u;
    if (sum->u == body.argument(u) && sum->v == body.argument(v)) return Contraction{u - 1, v - 1};
  }
  return std::nullopt;
}

}  // namespace rnnc::passes
