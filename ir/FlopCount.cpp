#include "ir/FlopCount.h"

namespace rnnc::ir {

namespace {

int64_t GateCount(OpKind kind) {
  switch (kind) {
    case OpKind::Lstm: return 4;
    case OpKind::Gru: return 3;
    default: return 1;
  }
}

class FlopCounter {
 public:
  explicit FlopCounter(const BoundDims& bound) : bound_(bound) {}

  absl::StatusOr<int64_t> Count(const Block& block) {
    int64_t total = 0;
    for (const auto& op : block.ops()) {
      absl::StatusOr<int64_t> flops = CountOp(*op);
      if (!flops.ok()) return flops.status();
      total += *flops;
    }
    return total;
  }

 private:
  absl::StatusOr<std::vector<int64_t>> Shape(const Value* value) {
    return value->type().Resolve(bound_);
  }

  absl::StatusOr<int64_t> Elements(const Value* value) {
    absl::StatusOr<std::vector<int64_t>> shape = Shape(value);
    if (!shape.ok()) return shape.status();
    int64_t n = 1;
    for (int64_t d : *shape) n *= d;
    return n;
  }

  absl::StatusOr<int64_t> CountOp(const Op& op) {
    switch (op.kind()) {
      case OpKind::Rnn:
      case OpKind::Lstm:
      case OpKind::Gru: return CountRecurrent(op);
      case OpKind::Matmul:
      case OpKind::Dense: {
        // (..., K) x K -> (..., M): 2·K per output element.
        absl::StatusOr<std::vector<int64_t>> x = Shape(op.operand(0));
        absl::StatusOr<int64_t> out = Elements(op.result(0));
        if (!x.ok()) return x.status();
        if (!out.ok()) return out.status();
        return 2 * x->back() * *out;
      }
      case OpKind::Scan: {
        absl::StatusOr<std::vector<int64_t>> sequence =
            Shape(op.operand(static_cast<size_t>(op.int_attribute("carries"))));
        if (!sequence.ok()) return sequence.status();
        absl::StatusOr<int64_t> body = Count(*op.body());
        if (!body.ok()) return body.status();
        return sequence->front() * *body;
      }
      case OpKind::Concat:
      case OpKind::Split:
      case OpKind::Slice:
      case OpKind::Select:
      case OpKind::Transpose:
      case OpKind::Reshape:
      case OpKind::Full:
      case OpKind::Yield: return 0;  // data movement
      default: return op.num_results() ? Elements(op.result(0)) : 0;
    }
  }

  absl::StatusOr<int64_t> CountRecurrent(const Op& op) {
    absl::StatusOr<std::vector<int64_t>> x = Shape(op.operand(0));
    if (!x.ok()) return x.status();
    const int64_t steps = (*x)[0], batch = (*x)[1], input = (*x)[2];
    const int64_t hidden = op.int_attribute("hidden_size");
    const int64_t directions = op.string_attribute("direction") == "bidirectional" ? 2 : 1;
    int64_t total = 0;
    for (int64_t layer = 0; layer < op.int_attribute("num_layers"); ++layer) {
      const int64_t layer_input = layer == 0 ? input : directions * hidden;
      total += directions * 2 * steps * batch * GateCount(op.kind()) * hidden * (layer_input + hidden);
    }
    return total;
  }

  const BoundDims& bound_;
};

}  // namespace

absl::StatusOr<int64_t> CountFlops(const Graph& graph, const BoundDims& bound) {
  return FlopCounter(bound).Count(graph.body());
}

}  // namespace rnnc::ir
