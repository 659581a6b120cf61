// hoist-weight-gradients: the running sums of a backward scan (Accumulation.h)
// leave the time loop. BPTT sums a weight's gradient step by step,
//
//   W̄ ← W̄ + dG_tᵀ · x_t      (P, Q) per step: a GEMM of N rows, T times
//   b̄ ← b̄ + Σ_rows dG_t
//
// but no step reads the sum, so the scan need only give the per-step
// factors (dG_t as a per-step output; x_t is a slice of a sequence already)
// and the sum is taken after it over all T·N rows at once: a contraction
// scan (Accumulation.h), which the LLVM backend runs as one GEMM, and a
// reduce_sum over the time and row axes. The recurrence keeps only what the
// next step needs. This is hoist-input-projection's counterpart for
// gradients.
//
// Before:
//   %g_T: f32[N, 4], %w_sum: f32[4, 3] = scan(%g0, %zeros, %x, %d) {carries = 2, reverse = true} {
//     ^(%g: f32[N, 4], %w.grad_sum: f32[4, 3], %x_t: f32[N, 3], %d_t: f32[N, 4]):
//     %dg: f32[N, 4] = mul(%g, %d_t)
//     %x_tt: f32[3, N] = transpose(%x_t) {perm = [1, 0]}
//     %p: f32[3, 4] = matmul(%x_tt, %dg)
//     %pt: f32[4, 3] = transpose(%p) {perm = [1, 0]}
//     %w_next: f32[4, 3] = add(%w.grad_sum, %pt)
//     yield(%dg, %w_next)
//   }
// After (the dead transposes go with dce):
//   %g_T: f32[N, 4], %dg.steps: f32[T, N, 4] = scan(%g0, %x, %d) {carries = 1, reverse = true} {
//     ^(%g: f32[N, 4], %x_t: f32[N, 3], %d_t: f32[N, 4]):
//     %dg: f32[N, 4] = mul(%g, %d_t)
//     ...
//     yield(%dg, %dg)
//   }
//   %w_sum: f32[4, 3] = scan(%zeros, %dg.steps, %x) {carries = 1, reverse = false} {
//     ^(%w_sum.acc: f32[4, 3], %dg.step: f32[N, 4], %x.step: f32[N, 3]):
//     %0: f32[4, N] = transpose(%dg.step) {perm = [1, 0]}
//     %1: f32[4, 3] = matmul(%0, %x.step)
//     %2: f32[4, 3] = add(%w_sum.acc, %1)
//     yield(%2)
//   }
#include <optional>
#include <string>
#include <vector>

#include "passes/Accumulation.h"
#include "passes/Pass.h"
#include "passes/PatternMatch.h"
#include "passes/Rewrite.h"

namespace rnnc::passes {

namespace {

using ir::OpKind;
using ir::Value;

// init + the sum over all steps of `sum`'s term, built after the scan.
Value* SumAfterScan(Builder& after, StepOutputs& steps, const Accumulation& sum, Value* init,
                    const std::string& name) {
  if (sum.kind == Accumulation::Kind::kRowSum) {
    // The step's axes shift by one behind the new time axis.
    std::vector<int64_t> axes = {0};
    for (int64_t axis : sum.axes) axes.push_back(axis + 1);
    Value* total = after.Emit1(OpKind::ReduceSum, {steps.Stacked(sum.g)},
                               {{"axes", axes}, {"keep_dims", false}});
    return after.Binary(OpKind::Add, init, total, name);
  }
  Value* u = steps.Stacked(sum.u);
  Value* v = steps.Stacked(sum.v);
  ir::Op* contraction = BuildScan(
      after, {init}, {u, v}, /*reverse=*/false,
      [](Builder& body, const std::vector<Value*>& acc, const std::vector<Value*>& slices) {
        Value* u_t =
            body.Emit1(OpKind::Transpose, {slices[0]}, {{"perm", std::vector<int64_t>{1, 0}}});
        Value* product = body.Emit1(OpKind::Matmul, {u_t, slices[1]});
        return ScanStep{{body.Binary(OpKind::Add, acc[0], product)}, {}};
      },
      {name + ".acc", u->name() + ".step", v->name() + ".step"}, {name});
  return contraction->result(0);
}

// Hoists the running sums of `scan`; false if it has none.
bool HoistSums(ir::Graph& graph, ir::Op& scan) {
  if (MatchContraction(scan)) return false;  // already what this pass leaves
  const size_t carries = scan.int_attribute("carries");
  std::vector<std::optional<Accumulation>> sums(carries);
  bool any = false;
  for (size_t i = 0; i < carries; ++i) {
    sums[i] = MatchAccumulation(scan, i);
    any = any || sums[i].has_value();
  }
  if (!any) return false;

  StepOutputs steps(graph, scan);
  Builder after(graph, *scan.parent(), IndexInBlock(&scan) + 1);
  ir::Block& body = *scan.body();
  ir::Op& yield = *body.ops().back();
  std::vector<bool> keep_carry(carries, true);
  for (size_t i = 0; i < carries; ++i) {
    if (!sums[i]) continue;
    Value* result = scan.result(i);
    Value* total =
        SumAfterScan(after, steps, *sums[i], scan.operand(i), ReleaseName(graph, result));
    graph.ReplaceAllUses(result, total);
    // The carry now passes through untouched, and goes.
    std::vector<Value*> yielded = yield.operands();
    yielded[i] = body.argument(i);
    yield.set_operands(yielded);
    body.EraseOp(IndexInBlock(sums[i]->add));
    keep_carry[i] = false;
  }
  const size_t sequences = scan.operands().size() - carries;
  RebuildScan(graph, &scan, keep_carry, std::vector<bool>(sequences, true),
              std::vector<bool>(scan.num_results() - carries, true));
  return true;
}

}  // namespace

ir::Graph HoistWeightGradients(const ir::Graph& graph, const PassOptions&) {
  ir::Graph result = graph;
  // A rewrite replaces its scan (and adds contraction scans), so the scans
  // are collected afresh after each.
  for (bool changed = true; changed;) {
    changed = false;
    for (ir::Op* scan : CollectOps(result.body(), OpKind::Scan)) {
      if (HoistSums(result, *scan)) {
        changed = true;
        break;
      }
    }
  }
  return result;
}

}  // namespace rnnc::passes
