// Internal to differentiate: which values a gradient can reach (Activity),
// the gradients of one block's values as reverse mode builds them
// (Backprop), the per-op rules, and the tensor helpers the rules share.
//
// Reverse mode over a block: with ȳ = ∂loss/∂y for every result y of an op
// f, the op's rule adds ∂loss/∂xᵢ += ȳ · ∂f/∂xᵢ to each operand's gradient.
// Walking the ops last to first, every result's gradient is complete before
// its op's rule reads it, since every use of a value comes after its op.
#ifndef RNNC_TRAINING_BACKPROP_H
#define RNNC_TRAINING_BACKPROP_H

#include <cstdint>
#include <string>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "ir/Graph.h"
#include "passes/Rewrite.h"

namespace rnnc::training {

// The values that depend on a differentiated one (a param, or an input when
// asked): only they need gradients, and the rules of ops with no such
// operand never run, so an op without a rule (a mask) is fine off the path.
class Activity {
 public:
  void Mark(const ir::Value* value) { active_.insert(value); }
  bool IsActive(const ir::Value* value) const { return active_.contains(value); }
  // Marks the results of the ops of `block` that depend on an active value.
  // A scan's carries are active if their initial value is or if a step makes
  // them so: a fixed point over the body.
  void Propagate(const ir::Block& block);

 private:
  void PropagateScan(const ir::Op& scan);
  absl::flat_hash_set<const ir::Value*> active_;
};

// The gradients of the values of one block (and of the outer values its ops
// use), as reverse mode over that block builds them with `builder`, which
// the caller keeps to go on building after them (a scan body's yield).
class Backprop {
 public:
  Backprop(passes::Builder& builder, Activity& activity, int64_t truncate_bptt)
      : builder_(builder), activity_(activity), truncate_bptt_(truncate_bptt) {}

  passes::Builder& builder() { return builder_; }
  Activity& activity() { return activity_; }
  int64_t truncate_bptt() const { return truncate_bptt_; }
  bool IsActive(const ir::Value* value) const { return activity_.IsActive(value); }

  // ∂loss/∂value so far; null when nothing has reached it (a zero).
  ir::Value* Gradient(const ir::Value* value) const;
  // ∂loss/∂value, zeros of its type when nothing has reached it.
  ir::Value* GradientOrZeros(const ir::Value* value);
  // Adds `gradient` (of the value's type) to ∂loss/∂value; dropped when the
  // value is not active.
  void Accumulate(const ir::Value* value, ir::Value* gradient);

  // Runs the rules of `ops` (of this block) from last to first.
  absl::Status Run(const std::vector<ir::Op*>& ops);

 private:
  passes::Builder& builder_;
  Activity& activity_;
  int64_t truncate_bptt_;
  absl::flat_hash_map<const ir::Value*, ir::Value*> gradients_;
};

// The rule of one op other than scan (GradientRules.cpp).
absl::Status ApplyGradientRule(const ir::Op& op, Backprop& backprop);
// Backpropagation through time over one scan (ScanGradient.cpp); adds saved
// carries to the forward scan.
absl::Status ApplyScanGradient(ir::Op& scan, Backprop& backprop);

// Tensor helpers of the rules (TensorAlgebra.cpp). None needs a reshape.
ir::Value* Zeros(passes::Builder& b, const ir::TensorType& type);
// `g`, the gradient of a broadcast result, summed over the axes along which
// a `target`-typed operand was stretched: leading axes it lacks (dropped)
// and its size-1 axes (kept).
ir::Value* SumToType(passes::Builder& b, ir::Value* g, const ir::TensorType& target);
// `g` repeated over `axes` of `target` (sorted, in [0, rank)), which `g`
// lacks (or has with size 1 when `kept`): the inverse of reduce_sum's shape.
ir::Value* SpreadOverAxes(passes::Builder& b, ir::Value* g, const ir::TensorType& target,
                          const std::vector<int64_t>& axes, bool kept);
// `a` with a new axis of size 1 at `axis`.
ir::Value* InsertAxis(passes::Builder& b, ir::Value* a, int64_t axis);
// Σ over the leading axes of a (..., K) and g (..., M) of a[..., k] g[..., m]:
// the (K, M) gradient of a matmul's weight.
ir::Value* SumOfOuterProducts(passes::Builder& b, ir::Value* a, ir::Value* g);
// The number of elements of `axes` of `type`, as an f32[] computed at run
// time, so that symbolic dims count with their bound sizes.
ir::Value* CountOfAxes(passes::Builder& b, const ir::TensorType& type,
                       const std::vector<int64_t>& axes);

}  // namespace rnnc::training

#endif  // RNNC_TRAINING_BACKPROP_H
