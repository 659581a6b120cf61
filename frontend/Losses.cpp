// Losses and metrics (see Losses.h), written with cell ops and reductions.
#include "frontend/Losses.h"

#include <numeric>

#include "frontend/CellOps.h"

namespace rnnc {

namespace {

Var Reduce(ir::OpKind kind, Var a, std::vector<int64_t> axes, bool keep_dims) {
  if (!a.model()) return Var();
  Vars results =
      a.model()->AddOp(kind, {a}, {{"axes", std::move(axes)}, {"keep_dims", keep_dims}});
  return results.empty() ? Var() : results[0];
}

std::vector<int64_t> AllAxes(Var a) {
  std::vector<int64_t> axes(a.type().rank());
  std::iota(axes.begin(), axes.end(), 0);
  return axes;
}

Var Reduced(Var terms, const std::vector<int64_t>& axes, losses::Reduction reduction) {
  return reduction == losses::Reduction::kMean ? ReduceMean(terms, axes) : ReduceSum(terms, axes);
}

// max(v, -100) = relu(v + 100) - 100.
Var ClampAtMinus100(Var v) { return Relu(v + 100.0) - 100.0; }

// |z| = relu(z) + relu(-z).
Var Abs(Var z) { return Relu(z) + Relu(-z); }

}  // namespace

Var ReduceSum(Var a, std::vector<int64_t> axes, bool keep_dims) {
  return Reduce(ir::OpKind::ReduceSum, a, std::move(axes), keep_dims);
}
Var ReduceMean(Var a, std::vector<int64_t> axes, bool keep_dims) {
  return Reduce(ir::OpKind::ReduceMean, a, std::move(axes), keep_dims);
}
Var ReduceMax(Var a, std::vector<int64_t> axes, bool keep_dims) {
  return Reduce(ir::OpKind::ReduceMax, a, std::move(axes), keep_dims);
}
Var Step(Var a) {
  if (!a.model()) return Var();
  Vars results = a.model()->AddOp(ir::OpKind::Step, {a});
  return results.empty() ? Var() : results[0];
}

namespace losses {

Var BinaryCrossEntropy(Var p, Var y, Reduction reduction) {
  Var terms = -(y * ClampAtMinus100(Log(p)) + (1.0 - y) * ClampAtMinus100(Log(1.0 - p)));
  return Reduced(terms, AllAxes(terms), reduction);
}

// -[y log σ(z) + (1 - y) log(1 - σ(z))] = max(z, 0) - z·y + log(1 + e^{-|z|}):
// the exponent is never positive, so nothing overflows, and the log's
// argument lies in (1, 2].
Var BinaryCrossEntropyWithLogits(Var z, Var y, Reduction reduction) {
  Var terms = Relu(z) - z * y + Log(1.0 + Exp(-Abs(z)));
  return Reduced(terms, AllAxes(terms), reduction);
}

Var MeanSquaredError(Var p, Var y, Reduction reduction) {
  Var difference = p - y;
  Var terms = difference * difference;
  return Reduced(terms, AllAxes(terms), reduction);
}

// log softmax(z)_c = (z_c - m) - log Σ_j exp(z_j - m) with m = max_j z_j:
// every exponent is <= 0 and one is 0, so the sum lies in [1, classes].
Var SoftmaxCrossEntropy(Var z, Var y, Reduction reduction) {
  Var shifted = z - ReduceMax(z, {-1}, /*keep_dims=*/true);
  Var log_softmax = shifted - Log(ReduceSum(Exp(shifted), {-1}, /*keep_dims=*/true));
  Var per_example = -ReduceSum(y * log_softmax, {-1});
  return Reduced(per_example, AllAxes(per_example), reduction);
}

// y·[p > t] + (1 - y)·(1 - [p > t]) is 1 exactly where they agree.
Var BinaryAccuracy(Var p, Var y, double threshold) {
  Var predicted = Step(p - threshold);
  Var hits = y * predicted + (1.0 - y) * (1.0 - predicted);
  return ReduceMean(hits, AllAxes(hits));
}

// The predicted one-hot is 1 - step(max - s): 1 where s reaches its row's max.
Var CategoricalAccuracy(Var s, Var y) {
  Var predicted = 1.0 - Step(ReduceMax(s, {-1}, /*keep_dims=*/true) - s);
  Var hits = ReduceSum(y * predicted, {-1});
  return ReduceMean(hits, AllAxes(hits));
}

}  // namespace losses
}  // namespace rnnc
