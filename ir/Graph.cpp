#include "ir/Graph.h"

#include <algorithm>
#include <cmath>
#include <charconv>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace rnnc::ir {

namespace {

constexpr const char* kOpNames[] = {
#define RNNC_OP(Kind, name, summary) name,
#include "ir/Ops.def"
};

}  // namespace

const char* OpKindName(OpKind kind) { return kOpNames[static_cast<int>(kind)]; }

std::optional<OpKind> OpKindFromName(std::string_view name) {
  for (size_t i = 0; i < std::size(kOpNames); ++i) {
    if (name == kOpNames[i]) return static_cast<OpKind>(i);
  }
  return std::nullopt;
}

std::string AttributeToString(const Attribute& attribute) {
  struct Printer {
    std::string operator()(bool b) const { return b ? "true" : "false"; }
    std::string operator()(int64_t i) const { return absl::StrCat(i); }
    std::string operator()(double d) const {
      // The shortest text that reads back as the same double (1e-05, not
      // 1.0000000000000001e-05), with ".0" added so that it reads as a float.
      char buffer[64];
      const std::to_chars_result end = std::to_chars(buffer, buffer + sizeof(buffer), d);
      std::string text(buffer, end.ptr);
      if (text.find_first_of(".eEn") == std::string::npos) text += ".0";
      return text;
    }
    std::string operator()(const std::string& s) const { return absl::StrCat("\"", s, "\""); }
    std::string operator()(const std::vector<int64_t>& v) const {
      return absl::StrCat("[", absl::StrJoin(v, ", "), "]");
    }
  };
  return std::visit(Printer{}, attribute);
}

std::vector<Value*> Op::results() const {
  std::vector<Value*> values;
  for (const auto& r : results_) values.push_back(r.get());
  return values;
}

template <typename T>
static T ReadAttribute(const AttributeMap& attributes, const std::string& name, T fallback) {
  auto it = attributes.find(name);
  if (it == attributes.end()) return fallback;
  if (const T* value = std::get_if<T>(&it->second)) return *value;
  return fallback;
}

int64_t Op::int_attribute(const std::string& name, int64_t fallback) const {
  return ReadAttribute<int64_t>(attributes_, name, fallback);
}
double Op::float_attribute(const std::string& name, double fallback) const {
  auto it = attributes_.find(name);
  // An integer literal where a float is wanted (`epsilon = 1`) still reads.
  if (it != attributes_.end() && std::holds_alternative<int64_t>(it->second)) {
    return static_cast<double>(std::get<int64_t>(it->second));
  }
  return ReadAttribute<double>(attributes_, name, fallback);
}
bool Op::bool_attribute(const std::string& name, bool fallback) const {
  return ReadAttribute<bool>(attributes_, name, fallback);
}
std::string Op::string_attribute(const std::string& name, const std::string& fallback) const {
  return ReadAttribute<std::string>(attributes_, name, fallback);
}
std::vector<int64_t> Op::ints_attribute(const std::string& name) const {
  return ReadAttribute<std::vector<int64_t>>(attributes_, name, {});
}

std::vector<Value*> Block::arguments() const {
  std::vector<Value*> values;
  for (const auto& a : arguments_) values.push_back(a.get());
  return values;
}

std::unique_ptr<Op> Block::TakeOp(size_t i) {
  std::unique_ptr<Op> op = std::move(ops_[i]);
  ops_.erase(ops_.begin() + static_cast<ptrdiff_t>(i));
  op->parent_ = nullptr;
  return op;
}

Op* Block::InsertOp(size_t i, std::unique_ptr<Op> op) {
  op->parent_ = this;
  Op* raw = op.get();
  ops_.insert(ops_.begin() + static_cast<ptrdiff_t>(i), std::move(op));
  return raw;
}

Graph::Graph(std::string name) : name_(std::move(name)), body_(std::make_unique<Block>(nullptr)) {}

Graph::Graph(const Graph& other) : body_(std::make_unique<Block>(nullptr)) { CopyFrom(other); }

Graph& Graph::operator=(const Graph& other) {
  if (this != &other) {
    owned_values_.clear();
    inputs_.clear();
    params_.clear();
    outputs_.clear();
    body_ = std::make_unique<Block>(nullptr);
    names_.clear();
    CopyFrom(other);
  }
  return *this;
}

void Graph::CopyFrom(const Graph& other) {
  name_ = other.name_;
  names_ = other.names_;
  next_anonymous_ = other.next_anonymous_;
  absl::flat_hash_map<const Value*, Value*> map;
  auto copy_value = [&](const Value* v, Value::Origin origin, Op* def) {
    auto copy = std::make_unique<Value>(v->name(), v->type(), origin, def);
    map[v] = copy.get();
    return copy;
  };
  for (const Value* v : other.inputs_) {
    owned_values_.push_back(copy_value(v, Value::Origin::kInput, nullptr));
    inputs_.push_back(owned_values_.back().get());
  }
  for (const Value* v : other.params_) {
    owned_values_.push_back(copy_value(v, Value::Origin::kParam, nullptr));
    params_.push_back(owned_values_.back().get());
  }
  std::function<void(const Block&, Block&)> copy_block = [&](const Block& from, Block& to) {
    for (const auto& arg : from.arguments_) {
      to.arguments_.push_back(copy_value(arg.get(), Value::Origin::kBlockArgument, nullptr));
    }
    for (const auto& op : from.ops_) {
      std::vector<Value*> operands;
      for (Value* v : op->operands_) operands.push_back(map.at(v));
      auto copy = std::make_unique<Op>(op->kind_, std::move(operands), op->attributes_);
      copy->parent_ = &to;
      for (const auto& r : op->results_) {
        copy->results_.push_back(copy_value(r.get(), Value::Origin::kOpResult, copy.get()));
      }
      if (op->body_) {
        copy->body_ = std::make_unique<Block>(copy.get());
        copy_block(*op->body_, *copy->body_);
      }
      to.ops_.push_back(std::move(copy));
    }
  };
  copy_block(*other.body_, *body_);
  for (const GraphOutput& out : other.outputs_) outputs_.push_back({out.name, map.at(out.value)});
}

Value* Graph::AddInput(const std::string& name, TensorType type) {
  owned_values_.push_back(std::make_unique<Value>(UniqueName(name), std::move(type),
                                                  Value::Origin::kInput, nullptr));
  inputs_.push_back(owned_values_.back().get());
  return inputs_.back();
}

Value* Graph::AddParam(const std::string& name, TensorType type) {
  owned_values_.push_back(std::make_unique<Value>(UniqueName(name), std::move(type),
                                                  Value::Origin::kParam, nullptr));
  params_.push_back(owned_values_.back().get());
  return params_.back();
}

void Graph::AddOutput(const std::string& name, Value* value) { outputs_.push_back({name, value}); }

void Graph::RemoveParam(Value* param) {
  params_.erase(std::remove(params_.begin(), params_.end(), param), params_.end());
  names_.erase(param->name());
  owned_values_.erase(std::remove_if(owned_values_.begin(), owned_values_.end(),
                                     [&](const auto& v) { return v.get() == param; }),
                      owned_values_.end());
}

Value* Graph::FindInput(const std::string& name) const {
  for (Value* v : inputs_) {
    if (v->name() == name) return v;
  }
  return nullptr;
}

Value* Graph::FindParam(const std::string& name) const {
  for (Value* v : params_) {
    if (v->name() == name) return v;
  }
  return nullptr;
}

std::unique_ptr<Op> Graph::CreateOp(OpKind kind, std::vector<Value*> operands,
                                    AttributeMap attributes,
                                    const std::vector<TensorType>& result_types,
                                    const std::vector<std::string>& result_names) {
  auto op = std::make_unique<Op>(kind, std::move(operands), std::move(attributes));
  for (size_t i = 0; i < result_types.size(); ++i) {
    std::string base = i < result_names.size() ? result_names[i] : "";
    op->results_.push_back(std::make_unique<Value>(UniqueName(base), result_types[i],
                                                   Value::Origin::kOpResult, op.get()));
  }
  if (kind == OpKind::Scan) op->body_ = std::make_unique<Block>(op.get());
  return op;
}

Op* Graph::AppendOp(Block& block, OpKind kind, std::vector<Value*> operands,
                    AttributeMap attributes, const std::vector<TensorType>& result_types,
                    const std::vector<std::string>& result_names) {
  return block.InsertOp(block.num_ops(),
                        CreateOp(kind, std::move(operands), std::move(attributes),
                                 result_types, result_names));
}

Value* Graph::AddBlockArgument(Block& block, const std::string& name, TensorType type) {
  block.arguments_.push_back(std::make_unique<Value>(UniqueName(name), std::move(type),
                                                     Value::Origin::kBlockArgument, nullptr));
  return block.arguments_.back().get();
}

Value* Graph::AddResult(Op& op, const std::string& name, TensorType type) {
  op.results_.push_back(
      std::make_unique<Value>(UniqueName(name), std::move(type), Value::Origin::kOpResult, &op));
  return op.results_.back().get();
}

std::string Graph::UniqueName(const std::string& base) {
  if (base.empty()) {
    std::string name;
    do {
      name = absl::StrCat(next_anonymous_++);
    } while (names_.contains(name));
    names_.insert(name);
    return name;
  }
  std::string name = base;
  for (int64_t suffix = 1; names_.contains(name); ++suffix) name = absl::StrCat(base, "_", suffix);
  names_.insert(name);
  return name;
}

bool Graph::RenameValue(Value* value, const std::string& name) {
  if (value->name() == name) return true;
  if (names_.contains(name)) return false;
  names_.erase(value->name());
  names_.insert(name);
  value->name_ = name;
  return true;
}

void WalkOps(const Block& block, const std::function<void(Op*)>& fn) {
  for (const auto& op : block.ops()) {
    fn(op.get());
    if (op->body()) WalkOps(*op->body(), fn);
  }
}

void Graph::ReplaceAllUses(Value* from, Value* to) {
  WalkOps(*body_, [&](Op* op) {
    for (size_t i = 0; i < op->operands().size(); ++i) {
      if (op->operand(i) == from) op->set_operand(i, to);
    }
  });
  for (GraphOutput& out : outputs_) {
    if (out.value == from) out.value = to;
  }
}

}  // namespace rnnc::ir
