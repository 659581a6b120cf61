// The result types an op has, given its operand types and attributes. The
// verifier checks ops against it, and the DSL uses it to type what it builds.
#ifndef RNNC_IR_SHAPE_INFERENCE_H
#define RNNC_IR_SHAPE_INFERENCE_H

#include <vector>

#include "absl/status/statusor.h"
#include "ir/Graph.h"

namespace rnnc::ir {

// Errors name the op, the offending operand or attribute and the shapes, e.g.
//   matmul: operand 1 has type f32[128, 50]; its dim 0 must equal dim -1 of
//   operand 0, f32[N, 64]
// Not for scan (its result types come from its body) or yield.
absl::StatusOr<std::vector<TensorType>> InferResultTypes(
    OpKind kind, const std::vector<TensorType>& operand_types, const AttributeMap& attributes);

}  // namespace rnnc::ir

#endif  // RNNC_IR_SHAPE_INFERENCE_H
