// fold-batch-norm: an inference batch_norm next to a linear map folds into
// that map's weights. With s = gamma / sqrt(var + eps) and
// t = beta - mean * s, batch_norm(v) = v * s + t, so
//   batch_norm(dense(x, W, b))  ->  dense(x, W * s[:, None], (b - mean) * s + beta)
//   batch_norm(matmul(x, W))    ->  dense(x, W * s[:, None], t), W (Out, In) transposed,
//                                   or matmul(x, W * s) + t, W (In, Out)
//   dense(batch_norm(x), W, b)  ->  dense(x, W * s[None, :], t · Wᵀ + b)
//   lstm(batch_norm(x), W_ih, .., b_ih, ..)  ->  lstm(x, W_ih * s[None, :], .., t · W_ihᵀ + b_ih, ..)
// (the last for rnn, lstm and gru, every direction of layer 0).
//
// Weights are run-time values, not constants in the IR, so the fold is
// written as ops on them placed before the rewritten op, outside any scan:
// computed once per run, on the same f32 arithmetic as the interpreter, and
// left for a backend to constant-fold when it binds the weights. W * s[:, None]
// is transposed in and out of the broadcast over the last axis (written
// before the IR had reshape, which would copy as much).
// Only ops of the graph's top-level block are folded.
//
// Before:
//   %y: f32[N, 4] = dense(%x, %w, %b)
//   %z: f32[N, 4] = batch_norm(%y, %gamma, %beta, %mean, %var) {epsilon = 1e-05}
// After (s computed from the params first, as gamma / sqrt(var + eps)):
//   %9: f32[3, 4] = transpose(%w) {perm = [1, 0]}
//   %10: f32[3, 4] = mul(%9, %6)                          # %6 = s
//   %w.folded: f32[4, 3] = transpose(%10) {perm = [1, 0]}
//   %13: f32[4] = add(mul(sub(%b, %mean), %6), %beta)      # as three ops
//   %z: f32[N, 4] = dense(%x, %w.folded, %13)
#include "passes/Pass.h"
#include "passes/PatternMatch.h"
#include "passes/Rewrite.h"

namespace rnnc::passes {

namespace {

using ir::OpKind;
using ir::Value;

// batch_norm(v) = v * scale + shift, per channel (C).
struct Affine {
  Value* scale;  // s = gamma / sqrt(var + eps)
  Value* shift;  // t = beta - mean * s
};

Affine BatchNormAffine(Builder& b, const ir::Op& bn) {
  Value* gamma = bn.operand(1);
  Value* beta = bn.operand(2);
  Value* mean = bn.operand(3);
  Value* var = bn.operand(4);
  Value* epsilon = b.Full(ir::TensorType(), bn.float_attribute("epsilon", 1e-5));
  Value* std = b.Unary(OpKind::Sqrt, b.Binary(OpKind::Add, var, epsilon));
  Value* scale = b.Binary(OpKind::Div, gamma, std);
  return {scale, b.Binary(OpKind::Sub, beta, b.Binary(OpKind::Mul, mean, scale))};
}

// W (Out, In) with its input columns scaled, W * s[None, :], and the bias
// the shift adds, t · Wᵀ + b. The weight keeps its name with ".folded".
std::pair<Value*, Value*> FoldIntoInput(Builder& b, const Affine& bn, Value* weight, Value* bias) {
  Value* folded_weight = b.Binary(OpKind::Mul, weight, bn.scale, weight->name() + ".folded");
  Value* shifted = b.MatmulTransposed(bn.shift, weight);
  Value* folded_bias = bias != nullptr ? b.Binary(OpKind::Add, shifted, bias) : shifted;
  return {folded_weight, folded_bias};
}

// batch_norm(dense(x, W, b)) -> dense(x, W * s[:, None], (b - mean) * s + beta),
// and a matmul as a dense without bias (or, W (In, Out), as matmul + t).
bool FoldIntoProducer(ir::Graph& graph, ir::Op& bn) {
  const ir::Op* producer = bn.operand(0)->defining_op();
  if (producer == nullptr || producer->parent() != &graph.body() ||
      (producer->kind() != OpKind::Dense && producer->kind() != OpKind::Matmul)) {
    return false;
  }
  Builder b = Builder::Before(graph, &bn);
  const Affine affine = BatchNormAffine(b, bn);
  Value* x = producer->operand(0);
  Value* weight = producer->operand(1);
  const std::string name = ReleaseName(graph, bn.result(0));
  Value* folded = nullptr;
  if (producer->kind() == OpKind::Matmul && !producer->bool_attribute("transpose_b")) {
    Value* scaled = b.Binary(OpKind::Mul, weight, affine.scale, weight->name() + ".folded");
    folded = b.Binary(OpKind::Add, b.Emit1(OpKind::Matmul, {x, scaled}), affine.shift, name);
  } else {
    const std::vector<int64_t> swap = {1, 0};
    Value* scaled = b.Emit1(OpKind::Transpose,
                            {b.Binary(OpKind::Mul,
                                      b.Emit1(OpKind::Transpose, {weight}, {{"perm", swap}}),
                                      affine.scale)},
                            {{"perm", swap}}, weight->name() + ".folded");
    Value* bias =
        producer->operands().size() > 2
            ? b.Binary(OpKind::Add,
                       b.Binary(OpKind::Mul,
                                b.Binary(OpKind::Sub, producer->operand(2), bn.operand(3)),
                                affine.scale),
                       bn.operand(2))
            : affine.shift;
    folded = b.Emit1(OpKind::Dense, {x, scaled, bias}, {}, name);
  }
  graph.ReplaceAllUses(bn.result(0), folded);
  return true;
}

// Folds `bn` into the consumers that take it as their input x; true if any.
bool FoldIntoConsumers(ir::Graph& graph, ir::Op& bn) {
  bool folded = false;
  for (ir::Op* user : Users(graph, bn.result(0))) {
    const OpKind kind = user->kind();
    const bool recurrent = kind == OpKind::Rnn || kind == OpKind::Lstm || kind == OpKind::Gru;
    if ((kind != OpKind::Dense && !recurrent) || user->operand(0) != bn.result(0) ||
        user->parent() != &graph.body()) {
      continue;
    }
    Builder b = Builder::Before(graph, user);
    const Affine affine = BatchNormAffine(b, bn);
    std::vector<Value*> operands = user->operands();
    operands[0] = bn.operand(0);
    if (kind == OpKind::Dense) {
      auto [weight, bias] =
          FoldIntoInput(b, affine, operands[1], operands.size() > 2 ? operands[2] : nullptr);
      operands[1] = weight;
      if (operands.size() > 2) {
        operands[2] = bias;
      } else {
        operands.push_back(bias);
      }
    } else {
      // Layer 0's weight_ih and bias_ih of each direction: operands 1 and 3,
      // then 5 and 7 for the reverse direction.
      const int64_t directions = user->string_attribute("direction") == "bidirectional" ? 2 : 1;
      for (int64_t d = 0; d < directions; ++d) {
        auto [weight, bias] = FoldIntoInput(b, affine, operands[1 + 4 * d], operands[3 + 4 * d]);
        operands[1 + 4 * d] = weight;
        operands[3 + 4 * d] = bias;
      }
    }
    user->set_operands(operands);
    folded = true;
  }
  return folded;
}

}  // namespace

ir::Graph FoldBatchNorm(const ir::Graph& graph, const PassOptions& options) {
  ir::Graph result = graph;
  bool folded = false;
  for (ir::Op* bn : CollectOps(result.body(), OpKind::BatchNorm)) {
    if (bn->parent() != &result.body()) continue;
    folded = FoldIntoProducer(result, *bn) || FoldIntoConsumers(result, *bn) || folded;
  }
  // The batch norms folded away, and the dense ops they followed, are dead.
  return folded ? EliminateDeadCode(result, options) : result;
}

}  // namespace rnnc::passes
