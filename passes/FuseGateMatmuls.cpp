// fuse-gate-matmuls: the matmuls of a scan body that share their left
// operand (h, x_t, or a concat [h, x_t]) and multiply it by transposed
// weights defined outside the scan become one matmul against those weights
// concatenated before the scan (once per run, not per step), then a split.
// When each of them feeds exactly one add of a loop-invariant bias (G), the
// biases are concatenated and added once too.
//
//   y_g = a · W_gᵀ + b_g  (g = 1..k)   ->   [y_1 .. y_k] = split(a · [W_1; ..; W_k]ᵀ + [b_1; ..; b_k])
//
// The four LSTM gates' h·U_gᵀ become one GEMM (and the four x·W_gᵀ another);
// GRU reset-after fuses all three per operand; GRU reset-before fuses r and z
// for h, as U_n multiplies r * h, which needs r first.
//
// Before:
//   %u_0: f32[2, 2] = slice(%u) {axis = 0, end = 2, start = 0}     # U_0, U_1, c_0, c_1
//   ...                                                            # sliced outside the scan
//   %h_T: f32[N, 2], %hs: f32[T, N, 2] = scan(%h0, %x) {carries = 1, reverse = false} {
//     ^(%h: f32[N, 2], %x_t: f32[N, 3]):
//     %a: f32[N, 2] = matmul(%h, %u_0) {transpose_b = true}
//     %a_b: f32[N, 2] = add(%a, %c_0)
//     %b: f32[N, 2] = matmul(%h, %u_1) {transpose_b = true}
//     %b_b: f32[N, 2] = add(%c_1, %b)
//     ...
// After:
//   %u_0.fused: f32[4, 2] = concat(%u_0, %u_1) {axis = 0}
//   %c_0.fused: f32[4] = concat(%c_0, %c_1) {axis = 0}
//   %h_T: f32[N, 2], %hs: f32[T, N, 2] = scan(%h0, %x) {carries = 1, reverse = false} {
//     ^(%h: f32[N, 2], %x_t: f32[N, 3]):
//     %h.fused: f32[N, 4] = matmul(%h, %u_0.fused) {transpose_b = true}
//     %0: f32[N, 4] = add(%h.fused, %c_0.fused)
//     %1: f32[N, 2], %2: f32[N, 2] = split(%0) {axis = -1, sizes = [2, 2]}
//     ...                                           # %1, %2 where %a_b, %b_b were used
// canonicalize then turns concat(slices of %u) back into %u itself.
#include <algorithm>
#include <vector>

#include "passes/Pass.h"
#include "passes/PatternMatch.h"
#include "passes/Rewrite.h"

namespace rnnc::passes {

namespace {

using ir::OpKind;
using ir::Value;

bool IsFusable(const ir::Op& op, const ir::Op& scan) {
  return op.kind() == OpKind::Matmul && op.bool_attribute("transpose_b") &&
         op.operand(1)->type().dim(0).is_static() && IsDefinedOutside(op.operand(1), &scan);
}

// The add of a loop-invariant (M) bias that is the only use of `matmul`.
ir::Op* BiasAdd(const ir::Graph& graph, const UseCounts& uses, const ir::Op& matmul,
                const ir::Op& scan) {
  Value* product = matmul.result(0);
  if (uses.at(product) != 1) return nullptr;
  std::vector<ir::Op*> users = Users(graph, product);
  ir::Op* add = users.size() == 1 ? users[0] : nullptr;
  if (add == nullptr || add->kind() != OpKind::Add || add->parent() != matmul.parent())
    return nullptr;
  Value* bias = add->operand(0) == product ? add->operand(1) : add->operand(0);
  const ir::TensorType& type = bias->type();
  const bool is_vector = type.rank() == 1 && type.dim(0) == product->type().dims().back();
  return is_vector && IsDefinedOutside(bias, &scan) && add->result(0)->type() == product->type()
             ? add
             : nullptr;
}

// Fuses `group` (matmuls of the same left operand, in body order) of `scan`.
void Fuse(ir::Graph& graph, ir::Op& scan, const std::vector<ir::Op*>& group) {
  const UseCounts uses = CountUses(graph);
  std::vector<ir::Op*> adds;
  for (ir::Op* matmul : group) {
    ir::Op* add = BiasAdd(graph, uses, *matmul, scan);
    if (add == nullptr) break;
    adds.push_back(add);
  }
  const bool with_bias = adds.size() == group.size();

  std::vector<Value*> weights, biases;
  std::vector<int64_t> sizes;
  for (size_t i = 0; i < group.size(); ++i) {
    weights.push_back(group[i]->operand(1));
    sizes.push_back(group[i]->operand(1)->type().dim(0).size());
    if (with_bias) biases.push_back(adds[i]->operand(adds[i]->operand(0) == group[i]->result(0)));
  }
  Builder outside = Builder::Before(graph, &scan);
  Value* fused_weight = outside.Concat(weights, 0, weights[0]->name() + ".fused");
  Value* fused_bias = with_bias ? outside.Concat(biases, 0, biases[0]->name() + ".fused") : nullptr;

  // The left operand is defined before the first matmul, and every use of
  // the replaced values comes after it.
  Value* left = group[0]->operand(0);
  Builder body = Builder::Before(graph, group[0]);
  Value* fused = body.MatmulTransposed(left, fused_weight, left->name() + ".fused");
  if (with_bias) fused = body.Binary(OpKind::Add, fused, fused_bias);
  std::vector<Value*> pieces = body.Split(fused, sizes, -1);
  for (size_t i = 0; i < group.size(); ++i) {
    ir::Op* replaced = with_bias ? adds[i] : group[i];
    graph.ReplaceAllUses(replaced->result(0), pieces[i]);
  }
  // Without every bias, the adds there are stay, reading the pieces.
  if (with_bias) {
    for (ir::Op* op : adds) op->parent()->EraseOp(IndexInBlock(op));
  }
  for (ir::Op* op : group) op->parent()->EraseOp(IndexInBlock(op));
}

}  // namespace

ir::Graph FuseGateMatmuls(const ir::Graph& graph, const PassOptions&) {
  ir::Graph result = graph;
  for (ir::Op* scan : CollectOps(result.body(), OpKind::Scan)) {
    // Groups by left operand, in order of first appearance.
    std::vector<std::vector<ir::Op*>> groups;
    for (const auto& op : scan->body()->ops()) {
      if (!IsFusable(*op, *scan)) continue;
      auto same_left = [&](const std::vector<ir::Op*>& g) {
        return g[0]->operand(0) == op->operand(0);
      };
      auto it = std::find_if(groups.begin(), groups.end(), same_left);
      if (it == groups.end()) {
        groups.push_back({op.get()});
      } else {
        it->push_back(op.get());
      }
    }
    for (const std::vector<ir::Op*>& group : groups) {
      if (group.size() > 1) Fuse(result, *scan, group);
    }
  }
  return result;
}

}  // namespace rnnc::passes
