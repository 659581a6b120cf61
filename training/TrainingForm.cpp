// TrainingForm: the graph as a training step runs it. Every batch_norm of
// the top-level block takes its training form, as PyTorch's BatchNorm in
// train() mode: it normalises with the statistics of the batch it sees, and
// the graph gains outputs that give the running statistics after the step,
// which whoever runs the step writes back into the params
// (ApplyStatisticsUpdates). Unlike a pass, it changes what the graph
// computes: it is the train() to the graph's eval().
//
// Over the axes B = all but the last, n = |B| elements per channel (C):
//   mean   = Σ_B x / n                                  (C)
//   var    = Σ_B (x - mean)² / n, biased               (C)
//   y      = (x - mean) / sqrt(var + eps) · weight + bias
//   update.<running_mean> = (1 - m) · running_mean + m · mean
//   update.<running_var>  = (1 - m) · running_var + m · var · n / (n - 1)
// with m the op's `momentum` (PyTorch's default 0.1). n is counted in the
// graph, since the batch and time dims are symbolic. The inference form
// (the graph as it was) is the eval mode; switching modes is choosing which
// graph to run. A batch_norm inside a scan body, or of rank 1 (no batch),
// is left as it is.
//
// Before:
//   %z: f32[N, 4] = batch_norm(%y, %gamma, %beta, %mean, %var) {momentum = 0.25}
//   output %z
// After (constants as full() ops, shown inline):
//   %0: f32[4] = reduce_mean(%y) {axes = [0]}
//   %1: f32[N, 4] = sub(%y, %0)
//   %3: f32[4] = reduce_mean(mul(%1, %1)) {axes = [0]}
//   %z: f32[N, 4] = add(mul(div(%1, sqrt(add(%3, 1e-05))), %gamma), %beta)
//   %10: f32[] = reduce_sum(full() : f32[N] {value = 1.0}) {axes = [0]}
//   %14: f32[4] = mul(%3, div(%10, sub(%10, 1.0)))
//   %update.mean: f32[4] = add(mul(%mean, 0.75), mul(%0, 0.25))
//   %update.var: f32[4] = add(mul(%var, 0.75), mul(%14, 0.25))
//   output %z
//   output %update.mean
//   output %update.var
#include "training/TrainingForm.h"

#include "passes/Pass.h"
#include "passes/PatternMatch.h"
#include "passes/Rewrite.h"

namespace rnnc::training {

namespace {

using ir::OpKind;
using ir::TensorType;
using passes::Builder;
using ir::Value;

// (1 - m) · running + m · batch
Value* MovingAverage(Builder& b, Value* running, Value* batch, double momentum,
                     const std::string& name) {
  Value* kept = b.Binary(OpKind::Mul, running, b.Full(TensorType(), 1.0 - momentum));
  Value* added = b.Binary(OpKind::Mul, batch, b.Full(TensorType(), momentum));
  return b.Binary(OpKind::Add, kept, added, name);
}

void RewriteInTrainingForm(ir::Graph& graph, ir::Op& bn) {
  Value* x = bn.operand(0);  // (..., C)
  const int64_t rank = x->type().rank();
  std::vector<int64_t> batch_axes;
  for (int64_t axis = 0; axis + 1 < rank; ++axis) batch_axes.push_back(axis);
  const ir::AttributeMap over_batch = {{"axes", batch_axes}};
  const double momentum = bn.float_attribute("momentum", 0.1);
  Builder b = Builder::Before(graph, &bn);

  Value* mean = b.Emit1(OpKind::ReduceMean, {x}, over_batch);                          // (C)
  Value* centered = b.Binary(OpKind::Sub, x, mean);                                    // (..., C)
  Value* var = b.Emit1(OpKind::ReduceMean, {b.Binary(OpKind::Mul, centered, centered)},
                       over_batch);                                                    // (C)
  Value* epsilon = b.Full(TensorType(), bn.float_attribute("epsilon", 1e-5));
  Value* std = b.Unary(OpKind::Sqrt, b.Binary(OpKind::Add, var, epsilon));
  Value* normalized = b.Binary(OpKind::Div, centered, std);
  Value* y = b.Binary(OpKind::Add, b.Binary(OpKind::Mul, normalized, bn.operand(1)), bn.operand(2),
                      passes::ReleaseName(graph, bn.result(0)));
  graph.ReplaceAllUses(bn.result(0), y);

  // n / (n - 1), with n the number of elements per channel.
  std::vector<ir::Dim> batch_dims(x->type().dims().begin(), x->type().dims().end() - 1);
  Value* count = b.Emit1(OpKind::ReduceSum, {b.Full(TensorType(batch_dims), 1.0)}, over_batch);
  Value* correction = b.Binary(OpKind::Div, count,
                               b.Binary(OpKind::Sub, count, b.Full(TensorType(), 1.0)));
  Value* unbiased = b.Binary(OpKind::Mul, var, correction);
  for (auto [running, batch] : {std::pair{bn.operand(3), mean}, std::pair{bn.operand(4), unbiased}}) {
    const std::string name = "update." + running->name();
    graph.AddOutput(name, MovingAverage(b, running, batch, momentum, name));
  }
}

}  // namespace

ir::Graph TrainingForm(const ir::Graph& graph) {
  ir::Graph result = graph;
  bool rewritten = false;
  for (ir::Op* bn : passes::CollectOps(result.body(), OpKind::BatchNorm)) {
    if (bn->parent() != &result.body() || bn->operand(0)->type().rank() < 2) continue;
    RewriteInTrainingForm(result, *bn);
    rewritten = true;
  }
  // The inference batch norms are dead now.
  return rewritten ? passes::EliminateDeadCode(result, passes::PassOptions()) : result;
}

}  // namespace rnnc::training
