#include "passes/PatternMatch.h"

namespace rnnc::passes {

ir::Op* DefiningOp(const ir::Value* value, ir::OpKind kind) {
  ir::Op* op = value->defining_op();
  return op != nullptr && op->kind() == kind ? op : nullptr;
}

bool IsFull(const ir::Value* value, double constant) {
  const ir::Op* op = DefiningOp(value, ir::OpKind::Full);
  return op != nullptr && op->float_attribute("value") == constant;
}

bool IsDefinedOutside(const ir::Value* value, const ir::Op* scan) {
  bool inside = false;
  WalkOps(*scan->body(), [&](ir::Op* op) {
    for (const ir::Value* result : op->results()) inside = inside || result == value;
  });
  auto is_argument = [&](const ir::Block& block) {
    for (const ir::Value* argument : block.arguments()) inside = inside || argument == value;
  };
  is_argument(*scan->body());
  WalkOps(*scan->body(), [&](ir::Op* op) {
    if (op->body() != nullptr) is_argument(*op->body());
  });
  return !inside;
}

UseCounts CountUses(const ir::Graph& graph) {
  UseCounts counts;
  WalkOps(graph.body(), [&](ir::Op* op) {
    for (const ir::Value* operand : op->operands()) ++counts[operand];
  });
  for (const ir::GraphOutput& output : graph.outputs()) ++counts[output.value];
  return counts;
}

std::vector<ir::Op*> CollectOps(const ir::Block& block, ir::OpKind kind) {
  std::vector<ir::Op*> ops;
  WalkOps(block, [&](ir::Op* op) {
    if (op->kind() == kind) ops.push_back(op);
  });
  return ops;
}

std::vector<ir::Op*> Users(const ir::Graph& graph, const ir::Value* value) {
  std::vector<ir::Op*> users;
  WalkOps(graph.body(), [&](ir::Op* op) {
    for (const ir::Value* operand : op->operands()) {
      if (operand == value) {
        users.push_back(op);
        break;
      }
    }
  });
  return users;
}

}  // namespace rnnc::passes
