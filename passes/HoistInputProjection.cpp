// hoist-input-projection: a matmul in a scan body whose left operand is a
// sequence slice x_t and whose right operand is loop-invariant does not
// depend on the recurrence, so it moves out: one matmul over the whole
// sequence before the scan, (T, N, I)·Wᵀ -> (T, N, G), fed back in as a new
// sequence. A loop-invariant add (the bias) that is its only use moves too.
// The big GEMM over T·N rows is where the FLOPs are; the recurrence keeps
// only h·Uᵀ.
//
//   x_t · Wᵀ + b   (per step)   ->   (x · Wᵀ + b)_t   (one GEMM before the scan)
//
// Before:
//   %h_T, %hs = scan(%h0, %x) {carries = 1, reverse = false} {
//     ^(%h: f32[N, 4], %x_t: f32[N, 3]):
//     %a: f32[N, 4] = matmul(%x_t, %w) {transpose_b = true}
//     %ab: f32[N, 4] = add(%a, %b)
//     ... uses %ab ...
// After:
//   %x_t.projected: f32[T, N, 4] = matmul(%x, %w) {transpose_b = true}
//   %0: f32[T, N, 4] = add(%x_t.projected, %b)
//   %h_T, %hs = scan(%h0, %x, %0) {carries = 1, reverse = false} {
//     ^(%h: f32[N, 4], %x_t: f32[N, 3], %ab: f32[N, 4]):
//     ... uses %ab ...
// (%x_t is left for dce to drop once nothing in the body reads it.)
#include "passes/Pass.h"
#include "passes/PatternMatch.h"
#include "passes/Rewrite.h"

namespace rnnc::passes {

namespace {

using ir::OpKind;
using ir::Value;

// The sequence whose slice `value` is, if it is one of `scan`'s arguments.
Value* SequenceOf(const ir::Op& scan, const Value* value) {
  const size_t carries = scan.int_attribute("carries");
  for (size_t i = carries; i < scan.body()->num_arguments(); ++i) {
    if (scan.body()->argument(i) == value) return scan.operand(i);
  }
  return nullptr;
}

// Hoists the first hoistable matmul of `scan`'s body; false if none is.
bool HoistOne(ir::Graph& graph, ir::Op& scan) {
  ir::Block& body = *scan.body();
  for (size_t i = 0; i < body.num_ops(); ++i) {
    ir::Op* matmul = body.op(i);
    if (matmul->kind() != OpKind::Matmul || !IsDefinedOutside(matmul->operand(1), &scan)) continue;
    Value* sequence = SequenceOf(scan, matmul->operand(0));
    if (sequence == nullptr) continue;

    Builder outside = Builder::Before(graph, &scan);
    Value* projected =
        outside.Emit1(OpKind::Matmul, {sequence, matmul->operand(1)}, matmul->attributes(),
                      matmul->operand(0)->name() + ".projected");
    // The bias comes along if the product is only used by a loop-invariant add
    // that keeps its type.
    ir::Op* hoisted = matmul;
    const std::vector<ir::Op*> users = Users(graph, matmul->result(0));
    if (users.size() == 1 && CountUses(graph)[matmul->result(0)] == 1 &&
        users[0]->kind() == OpKind::Add) {
      ir::Op* add = users[0];
      Value* bias = add->operand(add->operand(0) == matmul->result(0));
      if (IsDefinedOutside(bias, &scan) && add->result(0)->type() == matmul->result(0)->type()) {
        projected = add->operand(0) == bias ? outside.Binary(OpKind::Add, bias, projected)
                                            : outside.Binary(OpKind::Add, projected, bias);
        hoisted = add;
      }
    }
    std::vector<Value*> operands = scan.operands();
    operands.push_back(projected);
    scan.set_operands(operands);
    Value* slice = graph.AddBlockArgument(body, ReleaseName(graph, hoisted->result(0)),
                                          hoisted->result(0)->type());
    graph.ReplaceAllUses(hoisted->result(0), slice);
    if (hoisted != matmul) body.EraseOp(IndexInBlock(hoisted));
    body.EraseOp(IndexInBlock(matmul));
    return true;
  }
  return false;
}

}  // namespace

ir::Graph HoistInputProjection(const ir::Graph& graph, const PassOptions&) {
  ir::Graph result = graph;
  for (ir::Op* scan : CollectOps(result.body(), OpKind::Scan)) {
    while (HoistOne(result, *scan)) {
    }
  }
  return result;
}

}  // namespace rnnc::passes
