#include "frontend/Model.h"

#include "absl/strings/str_format.h"
#include "ir/ShapeInference.h"
#include "ir/Verifier.h"
#include "runtime/Safetensors.h"
#include "runtime/Weights.h"

namespace rnnc {

const ir::TensorType& Var::type() const {
  static const ir::TensorType kEmpty;
  return value_ ? value_->type() : kEmpty;
}

Model::Model(std::string name, uint64_t seed) : graph_(std::move(name)), rng_(seed) {
  blocks_.push_back(&graph_.body());
}

Var Model::Input(const std::string& name, ir::TensorType type) {
  return Var(this, graph_.AddInput(name, std::move(type)));
}

Var Model::Param(const std::string& name, std::vector<int64_t> shape, Initializer init) {
  if (graph_.FindParam(name) || graph_.FindInput(name)) {
    Fail(absl::InvalidArgumentError(
        absl::StrFormat("model '%s': parameter '%s' is defined twice", graph_.name(), name)));
    return Var();
  }
  std::vector<ir::Dim> dims(shape.begin(), shape.end());
  Tensor values(shape);
  if (init.kind == Initializer::Kind::kUniform) {
    std::uniform_real_distribution<float> uniform(static_cast<float>(-init.a),
                                                  static_cast<float>(init.a));
    for (float& v : values.values()) v = uniform(rng_);
  } else {
    for (float& v : values.values()) v = static_cast<float>(init.a);
  }
  weights_[name] = std::move(values);
  return Var(this, graph_.AddParam(name, ir::TensorType(std::move(dims))));
}

void Model::Output(const std::string& name, Var value) {
  if (!value.valid()) return;  // the error that emptied it is already kept
  if (blocks_.size() != 1) {
    Fail(absl::FailedPreconditionError(
        absl::StrFormat("output '%s' is declared inside a scan body", name)));
    return;
  }
  graph_.AddOutput(name, value.value());
}

absl::StatusOr<ir::Graph> Model::Build() const {
  if (!status_.ok()) return status_;
  if (absl::Status verified = ir::Verify(graph_); !verified.ok()) return verified;
  return graph_;
}

absl::Status Model::SetWeights(const TensorMap& weights) {
  if (absl::Status checked = CheckWeights(graph_, weights); !checked.ok()) return checked;
  weights_ = weights;
  return absl::OkStatus();
}

absl::Status Model::LoadWeights(const std::string& safetensors_path) {
  absl::StatusOr<SafetensorsFile> file = ReadSafetensors(safetensors_path);
  if (!file.ok()) return file.status();
  return SetWeights(file->tensors);
}

absl::Status Model::SaveWeights(const std::string& safetensors_path) const {
  return WriteSafetensors(safetensors_path, weights_);
}

void Model::Fail(absl::Status status) {
  if (status_.ok()) status_ = std::move(status);
}

Vars Model::AddOp(ir::OpKind kind, const Vars& operands, ir::AttributeMap attributes,
                  const std::vector<std::string>& result_names) {
  std::vector<ir::Value*> values;
  std::vector<ir::TensorType> types;
  for (const Var& v : operands) {
    if (!v.valid()) return {};
    values.push_back(v.value());
    types.push_back(v.type());
  }
  absl::StatusOr<std::vector<ir::TensorType>> result_types =
      ir::InferResultTypes(kind, types, attributes);
  if (!result_types.ok()) {
    Fail(result_types.status());
    return {};
  }
  // Unnamed results are named after their op (%dense, %sigmoid_2): the
  // printed IR reads better than with bare numbers.
  std::vector<std::string> names = result_names;
  names.resize(result_types->size());
  for (std::string& name : names) {
    if (name.empty()) name = ir::OpKindName(kind);
  }
  ir::Op* op = graph_.AppendOp(CurrentBlock(), kind, std::move(values), std::move(attributes),
                               *result_types, names);
  Vars results;
  for (ir::Value* r : op->results()) results.emplace_back(this, r);
  return results;
}

Var Model::Full(ir::TensorType type, double value) {
  ir::Op* op = graph_.AppendOp(CurrentBlock(), ir::OpKind::Full, {}, {{"value", value}},
                               {std::move(type)}, {"full"});
  return Var(this, op->result(0));
}

ir::Op* Model::BeginScan(const Vars& initial, const Vars& sequences, bool reverse) {
  std::vector<ir::Value*> operands;
  for (const Var& v : initial) operands.push_back(v.value());
  for (const Var& v : sequences) operands.push_back(v.value());
  ir::Op* scan = CurrentBlock().InsertOp(
      CurrentBlock().num_ops(),
      graph_.CreateOp(ir::OpKind::Scan, operands,
                      {{"carries", static_cast<int64_t>(initial.size())}, {"reverse", reverse}},
                      {}));
  for (const Var& v : initial) graph_.AddBlockArgument(*scan->body(), "state", v.type());
  for (const Var& v : sequences) {
    std::vector<ir::Dim> step(v.type().dims().begin() + 1, v.type().dims().end());
    graph_.AddBlockArgument(*scan->body(), "step", ir::TensorType(std::move(step)));
  }
  blocks_.push_back(scan->body());
  return scan;
}

Vars Model::EndScan(ir::Op* scan, const Vars& carries, const Vars& outputs) {
  blocks_.pop_back();
  std::vector<ir::Value*> yielded;
  for (const Var& v : carries) yielded.push_back(v.value());
  for (const Var& v : outputs) yielded.push_back(v.value());
  for (ir::Value* v : yielded) {
    if (!v) return {};
  }
  graph_.AppendOp(*scan->body(), ir::OpKind::Yield, yielded, {}, {});
  const ir::Dim steps = scan->operand(carries.size())->type().dim(0);
  Vars results;
  for (const Var& v : carries) results.emplace_back(this, graph_.AddResult(*scan, "final", v.type()));
  for (const Var& v : outputs) {
    std::vector<ir::Dim> stacked = {steps};
    stacked.insert(stacked.end(), v.type().dims().begin(), v.type().dims().end());
    results.emplace_back(this, graph_.AddResult(*scan, "steps", ir::TensorType(std::move(stacked))));
  }
  return results;
}

}  // namespace rnnc
