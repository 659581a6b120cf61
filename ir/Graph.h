// The rnnc IR graph: values, ops, blocks and the graph that owns them.
//
// A graph has named inputs, parameters (weights, named as in a PyTorch
// state_dict) and named outputs, and one top-level block of ops. Every value
// is defined once: as an input, a parameter, an op result or an argument of a
// scan body. A scan body may use any value defined before the scan in an
// enclosing block (weights, for instance), without passing it in.
#ifndef RNNC_IR_GRAPH_H
#define RNNC_IR_GRAPH_H

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "ir/Attribute.h"
#include "ir/Type.h"

namespace rnnc::ir {

enum class OpKind {
#define RNNC_OP(Kind, name, summary) Kind,
#include "ir/Ops.def"
};

// "lstm" for OpKind::Lstm.
const char* OpKindName(OpKind kind);
// The op named `name`, if there is one.
std::optional<OpKind> OpKindFromName(std::string_view name);

class Op;
class Block;

class Value {
 public:
  enum class Origin { kInput, kParam, kOpResult, kBlockArgument };

  Value(std::string name, TensorType type, Origin origin, Op* defining_op)
      : name_(std::move(name)), type_(std::move(type)), origin_(origin),
        defining_op_(defining_op) {}

  const std::string& name() const { return name_; }
  const TensorType& type() const { return type_; }
  void set_type(TensorType type) { type_ = std::move(type); }
  Origin origin() const { return origin_; }
  // The op whose result this is; null for inputs, params and block arguments.
  Op* defining_op() const { return defining_op_; }

 private:
  friend class Graph;
  std::string name_;
  TensorType type_;
  Origin origin_;
  Op* defining_op_;
};

class Op {
 public:
  Op(OpKind kind, std::vector<Value*> operands, AttributeMap attributes)
      : kind_(kind), operands_(std::move(operands)), attributes_(std::move(attributes)) {}

  OpKind kind() const { return kind_; }
  const char* name() const { return OpKindName(kind_); }

  const std::vector<Value*>& operands() const { return operands_; }
  Value* operand(size_t i) const { return operands_[i]; }
  void set_operand(size_t i, Value* value) { operands_[i] = value; }
  void set_operands(std::vector<Value*> operands) { operands_ = std::move(operands); }

  size_t num_results() const { return results_.size(); }
  Value* result(size_t i) const { return results_[i].get(); }
  std::vector<Value*> results() const;

  const AttributeMap& attributes() const { return attributes_; }
  AttributeMap& mutable_attributes() { return attributes_; }
  bool has_attribute(const std::string& name) const { return attributes_.count(name) > 0; }
  // Typed reads; `fallback` when the attribute is absent or of another type.
  // The verifier is what rejects missing or mistyped attributes.
  int64_t int_attribute(const std::string& name, int64_t fallback = 0) const;
  double float_attribute(const std::string& name, double fallback = 0) const;
  bool bool_attribute(const std::string& name, bool fallback = false) const;
  std::string string_attribute(const std::string& name, const std::string& fallback = "") const;
  std::vector<int64_t> ints_attribute(const std::string& name) const;

  // Only scans have a body.
  Block* body() const { return body_.get(); }
  // The block this op sits in.
  Block* parent() const { return parent_; }

 private:
  friend class Graph;
  friend class Block;
  OpKind kind_;
  std::vector<Value*> operands_;
  std::vector<std::unique_ptr<Value>> results_;
  AttributeMap attributes_;
  std::unique_ptr<Block> body_;
  Block* parent_ = nullptr;
};

// A straight-line list of ops; a scan body also has arguments.
class Block {
 public:
  explicit Block(Op* parent_op) : parent_op_(parent_op) {}

  size_t num_arguments() const { return arguments_.size(); }
  Value* argument(size_t i) const { return arguments_[i].get(); }
  std::vector<Value*> arguments() const;

  size_t num_ops() const { return ops_.size(); }
  Op* op(size_t i) const { return ops_[i].get(); }
  const std::vector<std::unique_ptr<Op>>& ops() const { return ops_; }
  // The scan that owns this block; null for the graph's top-level block.
  Op* parent_op() const { return parent_op_; }

  // Removes ops[i]; its results must be unused by then.
  void EraseOp(size_t i) { ops_.erase(ops_.begin() + static_cast<ptrdiff_t>(i)); }
  // Moves ops[i] out of this block, e.g. to reinsert it elsewhere.
  std::unique_ptr<Op> TakeOp(size_t i);
  // Inserts an op (made by Graph::CreateOp or taken from a block) before ops[i].
  Op* InsertOp(size_t i, std::unique_ptr<Op> op);

 private:
  friend class Graph;
  std::vector<std::unique_ptr<Value>> arguments_;
  std::vector<std::unique_ptr<Op>> ops_;
  Op* parent_op_;
};

struct GraphOutput {
  std::string name;
  Value* value;
};

// Owns everything. Value names are unique across the whole graph, including
// scan bodies, so that the text form can refer to any value by name.
class Graph {
 public:
  explicit Graph(std::string name = "main");
  Graph(const Graph& other);
  Graph& operator=(const Graph& other);
  Graph(Graph&&) = default;
  Graph& operator=(Graph&&) = default;

  const std::string& name() const { return name_; }
  void set_name(std::string name) { name_ = std::move(name); }

  Value* AddInput(const std::string& name, TensorType type);
  Value* AddParam(const std::string& name, TensorType type);
  void AddOutput(const std::string& name, Value* value);
  // Drops params nothing uses any more, e.g. after a pass folded them.
  void RemoveParam(Value* param);

  const std::vector<Value*>& inputs() const { return inputs_; }
  const std::vector<Value*>& params() const { return params_; }
  const std::vector<GraphOutput>& outputs() const { return outputs_; }
  std::vector<GraphOutput>& mutable_outputs() { return outputs_; }
  Value* FindInput(const std::string& name) const;
  Value* FindParam(const std::string& name) const;

  Block& body() { return *body_; }
  const Block& body() const { return *body_; }

  // Creates an op that belongs to no block yet, with results of the given
  // types, named after `result_names` (made unique; empty means "%<n>").
  // A scan gets an empty body whose arguments the caller adds.
  std::unique_ptr<Op> CreateOp(OpKind kind, std::vector<Value*> operands,
                               AttributeMap attributes,
                               const std::vector<TensorType>& result_types,
                               const std::vector<std::string>& result_names = {});
  // CreateOp, then appended to the end of `block`.
  Op* AppendOp(Block& block, OpKind kind, std::vector<Value*> operands,
               AttributeMap attributes, const std::vector<TensorType>& result_types,
               const std::vector<std::string>& result_names = {});
  Value* AddBlockArgument(Block& block, const std::string& name, TensorType type);
  // Adds a result to an op already made: a scan's results are known only
  // once its body is.
  Value* AddResult(Op& op, const std::string& name, TensorType type);

  // A name no value of this graph has yet: `base` itself if free, else
  // `base_1`, `base_2`, ... An empty base gives "0", "1", ...
  std::string UniqueName(const std::string& base);
  // Renaming keeps names unique: fails (returns false) if `name` is taken.
  bool RenameValue(Value* value, const std::string& name);

  // Every use of `from` (operands in any block, graph outputs) becomes `to`.
  void ReplaceAllUses(Value* from, Value* to);

 private:
  void CopyFrom(const Graph& other);

  std::string name_;
  std::vector<std::unique_ptr<Value>> owned_values_;  // inputs and params
  std::vector<Value*> inputs_;
  std::vector<Value*> params_;
  std::vector<GraphOutput> outputs_;
  std::unique_ptr<Block> body_;
  absl::flat_hash_set<std::string> names_;
  int64_t next_anonymous_ = 0;
};

// Calls `fn` on every op of `block` and of the bodies nested in it, outer
// ops before the ops of their bodies.
void WalkOps(const Block& block, const std::function<void(Op*)>& fn);

}  // namespace rnnc::ir

#endif  // RNNC_IR_GRAPH_H
