#include "passes/Rewrite.h"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "ir/ShapeInference.h"

namespace rnnc::passes {

using ir::OpKind;
using ir::TensorType;
using ir::Value;

size_t IndexInBlock(const ir::Op* op) {
  const ir::Block& block = *op->parent();
  for (size_t i = 0; i < block.num_ops(); ++i) {
    if (block.op(i) == op) return i;
  }
  return block.num_ops();
}

Builder Builder::Before(ir::Graph& graph, const ir::Op* op) {
  return Builder(graph, *op->parent(), IndexInBlock(op));
}

ir::Op* Builder::Insert(std::unique_ptr<ir::Op> op) {
  return block_->InsertOp(position_++, std::move(op));
}

std::vector<Value*> Builder::Emit(OpKind kind, std::vector<Value*> operands,
                                  ir::AttributeMap attributes,
                                  const std::vector<std::string>& names) {
  std::vector<TensorType> operand_types;
  for (const Value* operand : operands) operand_types.push_back(operand->type());
  absl::StatusOr<std::vector<TensorType>> types =
      ir::InferResultTypes(kind, operand_types, attributes);
  std::vector<TensorType> result_types;
  if (kind == OpKind::Yield) {
    // A yield has no results to infer.
  } else if (types.ok()) {
    result_types = *std::move(types);
  } else {
    const auto sizes = attributes.find("sizes");
    const size_t count = kind == OpKind::Split && sizes != attributes.end()
                             ? std::get<std::vector<int64_t>>(sizes->second).size()
                             : 1;
    result_types.assign(count, TensorType());
  }
  ir::Op* op = Insert(
      graph_->CreateOp(kind, std::move(operands), std::move(attributes), result_types, names));
  return op->results();
}

Value* Builder::Full(TensorType type, double value, const std::string& name) {
  ir::Op* op = Insert(graph_->CreateOp(OpKind::Full, {}, {{"value", value}}, {type}, {name}));
  return op->result(0);
}

Value* Builder::MatmulTransposed(Value* a, Value* b, const std::string& name) {
  return Emit1(OpKind::Matmul, {a, b}, {{"transpose_b", true}}, name);
}

Value* Builder::Slice(Value* a, int64_t axis, int64_t start, int64_t end, const std::string& name) {
  return Emit1(OpKind::Slice, {a}, {{"axis", axis}, {"start", start}, {"end", end}}, name);
}

Value* Builder::Select(Value* a, int64_t axis, int64_t index, const std::string& name) {
  return Emit1(OpKind::Select, {a}, {{"axis", axis}, {"index", index}}, name);
}

Value* Builder::Concat(const std::vector<Value*>& parts, int64_t axis, const std::string& name) {
  if (parts.size() == 1) return parts[0];
  return Emit1(OpKind::Concat, parts, {{"axis", axis}}, name);
}

Value* Builder::Reshape(Value* a, std::vector<int64_t> shape, const std::string& name) {
  return Emit1(OpKind::Reshape, {a}, {{"shape", std::move(shape)}}, name);
}

std::vector<Value*> Builder::Split(Value* a, const std::vector<int64_t>& sizes, int64_t axis) {
  return Emit(OpKind::Split, {a}, {{"axis", axis}, {"sizes", sizes}});
}

Value* Builder::Unsqueeze0(Value* a, const std::string& name) {
  std::vector<ir::Dim> dims = a->type().dims();
  dims.insert(dims.begin(), ir::Dim(1));
  return Binary(OpKind::Add, Full(TensorType(std::move(dims)), 0.0), a, name);
}

ir::Op* BuildScan(Builder& builder, const std::vector<Value*>& initial,
                  const std::vector<Value*>& sequences, bool reverse, const ScanBody& body,
                  const std::vector<std::string>& argument_names,
                  const std::vector<std::string>& result_names) {
  ir::Graph& graph = builder.graph();
  std::vector<Value*> operands = initial;
  operands.insert(operands.end(), sequences.begin(), sequences.end());
  ir::Op* scan = builder.Insert(graph.CreateOp(
      OpKind::Scan, operands,
      {{"carries", static_cast<int64_t>(initial.size())}, {"reverse", reverse}}, {}));
  auto hint = [](const std::vector<std::string>& names, size_t i) {
    return i < names.size() ? names[i] : std::string();
  };
  std::vector<Value*> carries, slices;
  for (size_t i = 0; i < operands.size(); ++i) {
    std::vector<ir::Dim> dims = operands[i]->type().dims();
    if (i >= initial.size()) dims.erase(dims.begin());
    Value* argument = graph.AddBlockArgument(*scan->body(), hint(argument_names, i), dims);
    (i < initial.size() ? carries : slices).push_back(argument);
  }
  Builder inner = Builder::AtEnd(graph, *scan->body());
  ScanStep step = body(inner, carries, slices);
  std::vector<Value*> yielded = step.carries;
  yielded.insert(yielded.end(), step.outputs.begin(), step.outputs.end());
  inner.Emit(OpKind::Yield, yielded);
  const ir::Dim steps = sequences[0]->type().dim(0);
  for (size_t i = 0; i < yielded.size(); ++i) {
    std::vector<ir::Dim> dims = yielded[i]->type().dims();
    if (i >= step.carries.size()) dims.insert(dims.begin(), steps);
    graph.AddResult(*scan, hint(result_names, i), dims);
  }
  return scan;
}

std::string ReleaseName(ir::Graph& graph, Value* value) {
  std::string name = value->name();
  // RenameValue wants a name nobody holds, which UniqueName would reserve.
  for (int64_t i = 0; !graph.RenameValue(value, absl::StrCat(name, ".replaced", i)); ++i) {
  }
  return name;
}

ir::Op* RebuildScan(ir::Graph& graph, ir::Op* scan, const std::vector<bool>& keep_carry,
                    const std::vector<bool>& keep_sequence, const std::vector<bool>& keep_output) {
  const size_t carries = keep_carry.size();
  ir::Block& old_body = *scan->body();
  ir::Op* yield = old_body.op(old_body.num_ops() - 1);
  std::vector<Value*> initial, sequences, next, outputs;
  std::vector<Value*> old_arguments, old_results;
  for (size_t i = 0; i < carries; ++i) {
    if (!keep_carry[i]) continue;
    initial.push_back(scan->operand(i));
    next.push_back(yield->operand(i));
    old_arguments.push_back(old_body.argument(i));
    old_results.push_back(scan->result(i));
  }
  for (size_t i = 0; i < keep_sequence.size(); ++i) {
    if (!keep_sequence[i]) continue;
    sequences.push_back(scan->operand(carries + i));
    old_arguments.push_back(old_body.argument(carries + i));
  }
  for (size_t i = 0; i < keep_output.size(); ++i) {
    if (!keep_output[i]) continue;
    outputs.push_back(yield->operand(carries + i));
    old_results.push_back(scan->result(carries + i));
  }
  std::vector<std::string> argument_names, result_names;
  for (Value* v : old_arguments) argument_names.push_back(ReleaseName(graph, v));
  for (Value* v : old_results) result_names.push_back(ReleaseName(graph, v));

  Builder builder = Builder::Before(graph, scan);
  ir::Op* rebuilt = BuildScan(
      builder, initial, sequences, scan->bool_attribute("reverse"),
      [&](Builder& body, const std::vector<Value*>& new_carries,
          const std::vector<Value*>& new_slices) {
        // The old body's ops move over whole; only the arguments change.
        while (old_body.num_ops() > 1) body.Insert(old_body.TakeOp(0));
        std::vector<Value*> new_arguments = new_carries;
        new_arguments.insert(new_arguments.end(), new_slices.begin(), new_slices.end());
        // The yield to come may pass an argument straight through, so what it
        // yields is remapped as well as the moved ops' operands.
        for (size_t i = 0; i < old_arguments.size(); ++i) {
          graph.ReplaceAllUses(old_arguments[i], new_arguments[i]);
          for (std::vector<Value*>* yielded : {&next, &outputs}) {
            std::replace(yielded->begin(), yielded->end(), old_arguments[i], new_arguments[i]);
          }
        }
        return ScanStep{next, outputs};
      },
      argument_names, result_names);
  for (size_t i = 0; i < old_results.size(); ++i) {
    graph.ReplaceAllUses(old_results[i], rebuilt->result(i));
  }
  scan->parent()->EraseOp(IndexInBlock(scan));
  return rebuilt;
}

Value* StepOutputs::Stacked(Value* value) {
  const ir::Block& body = *scan_.body();
  const size_t carries = scan_.int_attribute("carries");
  for (size_t i = carries; i < body.num_arguments(); ++i) {
    if (body.argument(i) == value) return scan_.operand(i);
  }
  if (auto it = outputs_.find(value); it != outputs_.end()) return it->second;
  ir::Op& yield = *body.ops().back();
  std::vector<Value*> yielded = yield.operands();
  yielded.push_back(value);
  yield.set_operands(yielded);
  std::vector<ir::Dim> dims = value->type().dims();
  dims.insert(dims.begin(), scan_.operand(carries)->type().dim(0));
  Value* stacked = graph_.AddResult(scan_, value->name() + ".steps", ir::TensorType(dims));
  outputs_[value] = stacked;
  return stacked;
}

std::vector<Value*> CloneBody(Builder& builder, const ir::Block& body, ValueMap& map) {
  auto lookup = [&](Value* v) {
    auto it = map.find(v);
    return it == map.end() ? v : it->second;
  };
  auto lookup_all = [&](const std::vector<Value*>& values) {
    std::vector<Value*> mapped;
    for (Value* v : values) mapped.push_back(lookup(v));
    return mapped;
  };
  for (const auto& op : body.ops()) {
    if (op->kind() == OpKind::Yield) return lookup_all(op->operands());
    std::vector<std::string> names;
    for (const Value* r : op->results()) names.push_back(r->name());
    if (op->kind() == OpKind::Scan) {
      const size_t carries = op->int_attribute("carries");
      std::vector<Value*> operands = lookup_all(op->operands());
      std::vector<std::string> argument_names;
      for (const Value* a : op->body()->arguments()) argument_names.push_back(a->name());
      ir::Op* clone = BuildScan(
          builder, std::vector<Value*>(operands.begin(), operands.begin() + carries),
          std::vector<Value*>(operands.begin() + carries, operands.end()),
          op->bool_attribute("reverse"),
          [&](Builder& inner, const std::vector<Value*>& new_carries,
              const std::vector<Value*>& new_slices) {
            for (size_t i = 0; i < op->body()->num_arguments(); ++i) {
              map[op->body()->argument(i)] = i < carries ? new_carries[i] : new_slices[i - carries];
            }
            std::vector<Value*> yielded = CloneBody(inner, *op->body(), map);
            return ScanStep{std::vector<Value*>(yielded.begin(), yielded.begin() + carries),
                            std::vector<Value*>(yielded.begin() + carries, yielded.end())};
          },
          argument_names, names);
      for (size_t i = 0; i < op->num_results(); ++i) map[op->result(i)] = clone->result(i);
      continue;
    }
    std::vector<ir::TensorType> types;
    for (const Value* r : op->results()) types.push_back(r->type());
    ir::Op* clone = builder.Insert(builder.graph().CreateOp(op->kind(), lookup_all(op->operands()),
                                                            op->attributes(), types, names));
    for (size_t i = 0; i < op->num_results(); ++i) map[op->result(i)] = clone->result(i);
  }
  return {};
}

}  // namespace rnnc::passes
