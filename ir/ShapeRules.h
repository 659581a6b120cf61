// Internal to shape inference and the verifier: OpContext, through which a
// shape rule reads an op's operands and attributes and reports what is wrong
// with them, and the rules for the layer ops, which live in LayerShapes.cpp.
//
// Both InferResultTypes and the verifier check ops through OpContext, so an
// op gets the same message whichever caller finds the fault; only the prefix
// ("gru" or "op %h_n = gru") and the operand labels differ.
#ifndef RNNC_IR_SHAPE_RULES_H
#define RNNC_IR_SHAPE_RULES_H

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "ir/Graph.h"

#define RNNC_RETURN_IF_ERROR(expr)                      \
  do {                                                  \
    if (absl::Status status_ = (expr); !status_.ok()) { \
      return status_;                                   \
    }                                                   \
  } while (false)

#define RNNC_STATUS_CONCAT_INNER(a, b) a##b
#define RNNC_STATUS_CONCAT(a, b) RNNC_STATUS_CONCAT_INNER(a, b)
#define RNNC_ASSIGN_OR_RETURN(lhs, expr) \
  RNNC_ASSIGN_OR_RETURN_IMPL(RNNC_STATUS_CONCAT(statusor_, __LINE__), lhs, expr)
#define RNNC_ASSIGN_OR_RETURN_IMPL(statusor, lhs, expr) \
  auto statusor = (expr);                               \
  if (!statusor.ok()) return statusor.status();         \
  lhs = std::move(*statusor)

namespace rnnc::ir {

// Dim i of `type`; negative counts from the end.
inline const Dim& DimAt(const TensorType& type, int64_t i) {
  return type.dim(i < 0 ? i + type.rank() : i);
}


class OpContext {
 public:
  // `who` starts every message: "gru" from InferResultTypes, "op %h_n = gru"
  // from the verifier, which also passes the operands' value names
  // ("%gru.weight_hh_l0") to label them by.
  OpContext(std::string who, std::vector<TensorType> operand_types, AttributeMap attributes,
            std::vector<std::string> operand_names = {});

  size_t num_operands() const { return operand_types_.size(); }
  const TensorType& type(size_t i) const { return operand_types_[i]; }
  // Labels operands by what they are for ("weight_hh_l0") where there are no
  // value names, for ops whose operands are not interchangeable.
  void set_roles(std::vector<std::string> roles) { roles_ = std::move(roles); }

  // "operand 2 (%gru.weight_hh_l0)", "operand 2 (weight_hh_l0)" or "operand 2".
  std::string Describe(size_t i) const;
  // InvalidArgument with `message` after the op's prefix.
  absl::Status Error(absl::string_view message) const;

  // Operand checks. Each error names the operand, its type and what was
  // expected; `layout` such as "(T, N, I)" says what the dims mean.
  absl::Status ExpectNumOperands(size_t min, size_t max, absl::string_view layout) const;
  absl::Status ExpectType(size_t i, const TensorType& expected) const;
  absl::Status ExpectRank(size_t i, int64_t rank, absl::string_view layout) const;
  absl::Status ExpectMinRank(size_t i, int64_t min_rank) const;
  // Dim `dim` of operand i equals dim `other_dim` of operand j; negative dims
  // count from the end. Both operands must have those dims.
  absl::Status ExpectSameDim(size_t i, int64_t dim, size_t j, int64_t other_dim) const;

  // Attribute readers. Without a fallback the attribute is required. A value
  // of another type, out of [min, max] or not among `allowed` is an error.
  // Each name read is remembered for ExpectNoOtherAttributes.
  absl::StatusOr<int64_t> Int(const std::string& name, std::optional<int64_t> fallback = {});
  absl::StatusOr<int64_t> IntInRange(const std::string& name, int64_t min, int64_t max);
  absl::StatusOr<bool> Bool(const std::string& name, bool fallback);
  // An int reads as a float, as Op::float_attribute reads it.
  absl::StatusOr<double> Float(const std::string& name, std::optional<double> fallback = {});
  absl::StatusOr<std::vector<int64_t>> Ints(const std::string& name);
  absl::StatusOr<std::string> Enum(const std::string& name, const std::vector<std::string>& allowed,
                                   std::optional<std::string> fallback = {});
  // Attribute `name` as an axis of operand 0: negative counts from the end;
  // the result is in [0, rank).
  absl::StatusOr<int64_t> Axis(const std::string& name);
  // Rejects any attribute no reader asked for, so that a misspelt `epsilom`
  // is an error rather than silently the default.
  absl::Status ExpectNoOtherAttributes() const;

 private:
  // The attribute, marked as read; null when absent.
  const Attribute* Find(const std::string& name);
  template <typename T>
  absl::StatusOr<T> Read(const std::string& name, std::optional<T> fallback);

  std::string who_;
  std::vector<TensorType> operand_types_;
  AttributeMap attributes_;
  std::vector<std::string> operand_names_;
  std::vector<std::string> roles_;
  std::set<std::string> read_;
};

// InferResultTypes with messages as `context` words them. The verifier calls
// this one.
absl::StatusOr<std::vector<TensorType>> InferResultTypes(OpKind kind, OpContext& context);

// The layer ops (docs/IR.md, "Layer ops"). `kind` picks rnn, lstm or gru.
absl::StatusOr<std::vector<TensorType>> InferRecurrentTypes(OpKind kind, OpContext& context);
absl::StatusOr<std::vector<TensorType>> InferDenseTypes(OpContext& context);
absl::StatusOr<std::vector<TensorType>> InferBatchNormTypes(OpContext& context);

}  // namespace rnnc::ir

#endif  // RNNC_IR_SHAPE_RULES_H
