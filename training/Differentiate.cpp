// differentiate's driver: expands layer ops, finds what the loss depends on,
// seeds ∂loss/∂loss = 1, runs reverse mode over the top-level block and
// outputs each param's (and input's) gradient. Also Activity and Backprop,
// the machinery the rules (GradientRules.cpp, ScanGradient.cpp) run in.
#include "training/Differentiate.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "ir/Verifier.h"
#include "passes/PassManager.h"
#include "training/Backprop.h"

namespace rnnc::training {

using ir::Op;
using ir::OpKind;
using ir::Value;

void Activity::Propagate(const ir::Block& block) {
  for (const auto& op : block.ops()) {
    if (op->kind() == OpKind::Yield) continue;
    if (op->kind() == OpKind::Scan) {
      PropagateScan(*op);
      continue;
    }
    bool any = false;
    for (const Value* operand : op->operands()) any = any || IsActive(operand);
    if (!any) continue;
    for (const Value* result : op->results()) Mark(result);
  }
}

// Carry i is active when its init is, or when the step makes next_i active
// from other active values (a weight the body uses, an active sequence):
// marking only grows, so repeating until no carry changes ends within
// `carries` rounds.
void Activity::PropagateScan(const Op& scan) {
  const ir::Block& body = *scan.body();
  const size_t carries = static_cast<size_t>(scan.int_attribute("carries"));
  for (size_t i = 0; i < scan.operands().size(); ++i) {
    if (IsActive(scan.operand(i))) Mark(body.argument(i));
  }
  const Op& yield = *body.ops().back();
  for (bool changed = true; changed;) {
    Propagate(body);
    changed = false;
    for (size_t i = 0; i < carries; ++i) {
      if (IsActive(yield.operand(i)) && !IsActive(body.argument(i))) {
        Mark(body.argument(i));
        changed = true;
      }
    }
  }
  for (size_t i = 0; i < scan.num_results(); ++i) {
    if (i < carries ? IsActive(body.argument(i)) : IsActive(yield.operand(i))) {
      Mark(scan.result(i));
    }
  }
}

Value* Backprop::Gradient(const Value* value) const {
  auto it = gradients_.find(value);
  return it == gradients_.end() ? nullptr : it->second;
}

Value* Backprop::GradientOrZeros(const Value* value) {
  Value* gradient = Gradient(value);
  return gradient != nullptr ? gradient : Zeros(builder_, value->type());
}

void Backprop::Accumulate(const Value* value, Value* gradient) {
  if (!IsActive(value)) return;
  Value*& sum = gradients_[value];
  sum = sum == nullptr ? gradient : builder_.Binary(OpKind::Add, sum, gradient);
}

absl::Status Backprop::Run(const std::vector<Op*>& ops) {
  for (auto it = ops.rbegin(); it != ops.rend(); ++it) {
    Op& op = **it;
    if (op.kind() == OpKind::Yield) continue;
    const absl::Status status =
        op.kind() == OpKind::Scan ? ApplyScanGradient(op, *this) : ApplyGradientRule(op, *this);
    if (!status.ok()) return status;
  }
  return absl::OkStatus();
}

namespace {

absl::StatusOr<Value*> FindLoss(const ir::Graph& graph, const std::string& name) {
  for (const ir::GraphOutput& output : graph.outputs()) {
    if (output.name != name) continue;
    if (output.value->type().rank() != 0) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "differentiate: loss output '%s' (%%%s) has type %s, expected a scalar f32[]", name,
          output.value->name(), output.value->type().ToString()));
    }
    return output.value;
  }
  return absl::InvalidArgumentError(
      absl::StrFormat("differentiate: the graph has no output named '%s' to use as the loss", name));
}

}  // namespace

absl::StatusOr<ir::Graph> Differentiate(const ir::Graph& forward,
                                        const DifferentiateOptions& options) {
  if (options.truncate_bptt < 0) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "differentiate: truncate_bptt = %d, expected 0 (full) or a window length >= 1",
        options.truncate_bptt));
  }
  if (absl::Status status = ir::Verify(forward); !status.ok()) return status;
  absl::StatusOr<ir::Graph> expanded =
      passes::RunPasses(forward, std::vector<std::string>{"expand-rnn-layers"}, {});
  if (!expanded.ok()) return expanded.status();
  ir::Graph graph = *std::move(expanded);
  absl::StatusOr<Value*> loss = FindLoss(graph, options.loss);
  if (!loss.ok()) return loss.status();

  Activity activity;
  for (const Value* param : graph.params()) activity.Mark(param);
  if (options.input_gradients) {
    for (const Value* input : graph.inputs()) activity.Mark(input);
  }
  activity.Propagate(graph.body());

  std::vector<Op*> forward_ops;
  for (const auto& op : graph.body().ops()) forward_ops.push_back(op.get());
  passes::Builder builder = passes::Builder::AtEnd(graph, graph.body());
  Backprop backprop(builder, activity, options.truncate_bptt);
  // ∂loss/∂loss = 1.
  backprop.Accumulate(*loss, backprop.builder().Full(ir::TensorType(), 1.0, "loss.grad"));
  if (absl::Status status = backprop.Run(forward_ops); !status.ok()) return status;

  std::vector<Value*> differentiated = graph.params();
  if (options.input_gradients) {
    differentiated.insert(differentiated.end(), graph.inputs().begin(), graph.inputs().end());
  }
  for (Value* value : differentiated) {
    const std::string name = absl::StrCat("grad.", value->name());
    Value* gradient = backprop.GradientOrZeros(value);
    // A gradient that is its own value (the loss is the param) keeps its
    // name; else it takes the output's, which reads well in the text form.
    if (gradient->origin() == Value::Origin::kOpResult) graph.RenameValue(gradient, name);
    graph.AddOutput(name, gradient);
  }
  if (absl::Status status = ir::Verify(graph); !status.ok()) {
    return absl::InternalError(
        absl::StrCat("differentiate built a gradient graph that does not verify: ",
                     status.message()));
  }
  return graph;
}

}  // namespace rnnc::training
