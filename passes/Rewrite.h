// What passes build IR with: a Builder that inserts ops at a point of a
// block, typing their results by shape inference; scans built from a body
// function or rebuilt with fewer carries, sequences or outputs; bodies cloned.
#ifndef RNNC_PASSES_REWRITE_H
#define RNNC_PASSES_REWRITE_H

#include <functional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "ir/Graph.h"

namespace rnnc::passes {

// Inserts ops into `block` before the op at `position`, advancing past each.
class Builder {
 public:
  Builder(ir::Graph& graph, ir::Block& block, size_t position)
      : graph_(&graph), block_(&block), position_(position) {}
  // Right before `op`, in its block.
  static Builder Before(ir::Graph& graph, const ir::Op* op);
  static Builder AtEnd(ir::Graph& graph, ir::Block& block) {
    return Builder(graph, block, block.num_ops());
  }

  ir::Graph& graph() const { return *graph_; }
  ir::Block& block() const { return *block_; }

  // An op with the result types shape inference gives. If inference fails
  // (a pass bug), the results get placeholder types so that the verifier,
  // which runs after every pass, reports the op.
  std::vector<ir::Value*> Emit(ir::OpKind kind, std::vector<ir::Value*> operands,
                               ir::AttributeMap attributes = {},
                               const std::vector<std::string>& names = {});
  ir::Value* Emit1(ir::OpKind kind, std::vector<ir::Value*> operands,
                   ir::AttributeMap attributes = {}, const std::string& name = "") {
    return Emit(kind, std::move(operands), std::move(attributes), {name})[0];
  }
  ir::Op* Insert(std::unique_ptr<ir::Op> op);

  ir::Value* Full(ir::TensorType type, double value, const std::string& name = "");
  // a · bᵀ, with b laid out (M, K) as PyTorch stores weights.
  ir::Value* MatmulTransposed(ir::Value* a, ir::Value* b, const std::string& name = "");
  ir::Value* Binary(ir::OpKind kind, ir::Value* a, ir::Value* b, const std::string& name = "") {
    return Emit1(kind, {a, b}, {}, name);
  }
  ir::Value* Unary(ir::OpKind kind, ir::Value* a, const std::string& name = "") {
    return Emit1(kind, {a}, {}, name);
  }
  ir::Value* Slice(ir::Value* a, int64_t axis, int64_t start, int64_t end,
                   const std::string& name = "");
  ir::Value* Select(ir::Value* a, int64_t axis, int64_t index, const std::string& name = "");
  // One operand is returned as is.
  ir::Value* Concat(const std::vector<ir::Value*>& parts, int64_t axis,
                    const std::string& name = "");
  // `shape` as the reshape op reads it: its 0s keep a's symbolic dims.
  ir::Value* Reshape(ir::Value* a, std::vector<int64_t> shape, const std::string& name = "");
  std::vector<ir::Value*> Split(ir::Value* a, const std::vector<int64_t>& sizes, int64_t axis);
  // `a` with a new leading axis of size 1, as `zeros(1, ...) + a` (written
  // before the IR had reshape; adding an exact zero leaves every value as it
  // was, and the IR-text tests of several passes spell this form).
  ir::Value* Unsqueeze0(ir::Value* a, const std::string& name = "");

 private:
  ir::Graph* graph_;
  ir::Block* block_;
  size_t position_;
};

// The position of `op` in its block.
size_t IndexInBlock(const ir::Op* op);

// What a scan body gives its yield.
struct ScanStep {
  std::vector<ir::Value*> carries;
  std::vector<ir::Value*> outputs;
};
using ScanBody = std::function<ScanStep(Builder& body, const std::vector<ir::Value*>& carries,
                                        const std::vector<ir::Value*>& slices)>;

// A scan over `sequences` (all of the same length) carrying `initial`,
// inserted by `builder`. Body arguments and results are named from the
// hints; results are the final carries, then the stacked outputs.
ir::Op* BuildScan(Builder& builder, const std::vector<ir::Value*>& initial,
                  const std::vector<ir::Value*>& sequences, bool reverse, const ScanBody& body,
                  const std::vector<std::string>& argument_names = {},
                  const std::vector<std::string>& result_names = {});

// Replaces `scan` by one that keeps only the carries, sequences and outputs
// marked true, moving its body over; names are kept.
ir::Op* RebuildScan(ir::Graph& graph, ir::Op* scan, const std::vector<bool>& keep_carry,
                    const std::vector<bool>& keep_sequence, const std::vector<bool>& keep_output);

// The stacked per-step values of a scan's body values, (T, ...): a slice of
// one of its sequences is that sequence; any other value becomes a new
// per-step output of the scan (once, however often it is asked for).
class StepOutputs {
 public:
  StepOutputs(ir::Graph& graph, ir::Op& scan) : graph_(graph), scan_(scan) {}
  ir::Value* Stacked(ir::Value* value);

 private:
  ir::Graph& graph_;
  ir::Op& scan_;
  absl::flat_hash_map<const ir::Value*, ir::Value*> outputs_;
};

using ValueMap = absl::flat_hash_map<const ir::Value*, ir::Value*>;
// Clones the ops of `body` but its final yield at the builder, operands
// looked up in `map` (values not in it are used as they are), and returns
// what the yield would give. Nested scans are cloned whole.
std::vector<ir::Value*> CloneBody(Builder& builder, const ir::Block& body, ValueMap& map);

// Frees the name of `value` (renaming it to a scratch name) so that the value
// replacing it can take it; returns the name.
std::string ReleaseName(ir::Graph& graph, ir::Value* value);

}  // namespace rnnc::passes

#endif  // RNNC_PASSES_REWRITE_H
