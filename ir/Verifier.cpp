// The IR verifier. One walk over the graph in program order tracks which
// values are defined and which are visible; each op is checked through the
// same OpContext as shape inference, so both word a fault the same way.
#include "ir/Verifier.h"

#include <cmath>
#include <set>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "ir/Lexer.h"
#include "ir/ShapeRules.h"

namespace rnnc::ir {

namespace {

// "op %h_n = gru", or "op yield (no results)".
std::string OpIdentity(const Op& op) {
  if (op.num_results() == 0) return absl::StrFormat("op %s (no results)", op.name());
  return absl::StrFormat("op %%%s = %s", op.result(0)->name(), op.name());
}

std::string TypesToString(const std::vector<TensorType>& types) {
  return absl::StrJoin(
      types, ", ", [](std::string* out, const TensorType& type) { out->append(type.ToString()); });
}

// The op as shape rules see it; its operands must not be null.
OpContext ContextOf(const Op& op) {
  std::vector<TensorType> types;
  std::vector<std::string> names;
  for (const Value* operand : op.operands()) {
    types.push_back(operand->type());
    names.push_back(absl::StrCat("%", operand->name()));
  }
  return OpContext(OpIdentity(op), std::move(types), op.attributes(), std::move(names));
}

class Verifier {
 public:
  explicit Verifier(const Graph& graph) : graph_(graph) {}

  absl::Status Run() {
    RNNC_RETURN_IF_ERROR(CollectValues());
    for (const Value* input : graph_.inputs()) Define(input);
    for (const Value* param : graph_.params()) Define(param);
    RNNC_RETURN_IF_ERROR(VerifyBlock(graph_.body()));
    return VerifyOutputs();
  }

 private:
  absl::Status GraphError(absl::string_view message) const {
    return absl::InvalidArgumentError(absl::StrFormat("graph %s: %s", graph_.name(), message));
  }

  void Define(const Value* value) {
    defined_.insert(value);
    visible_.insert(value);
  }

  // Records every value the graph defines, rejecting a name defined twice
  // and params of symbolic type.
  absl::Status CollectValues() {
    absl::flat_hash_map<std::string, std::string> definitions;  // name -> what defines it
    absl::Status status;
    auto add = [&](const Value* value, std::string what) {
      all_values_.insert(value);
      if (status.ok()) status = CheckSpelling(*value);
      auto [it, inserted] = definitions.emplace(value->name(), what);
      if (!inserted && status.ok()) {
        status = GraphError(absl::StrFormat("value name %%%s is defined twice: as %s and as %s",
                                            value->name(), it->second, what));
      }
    };
    for (const Value* input : graph_.inputs()) add(input, "an input");
    for (const Value* param : graph_.params()) {
      add(param, "a param");
      if (!param->type().is_static() && status.ok()) {
        status = GraphError(absl::StrFormat(
            "param %%%s has type %s; params must have static types, known when weights load",
            param->name(), param->type().ToString()));
      }
    }
    if (!IsIdentifier(graph_.name()) && status.ok()) {
      status = GraphError("the graph's name must be an identifier ([A-Za-z_][A-Za-z0-9_]*)");
    }
    WalkOps(graph_.body(), [&](Op* op) {
      for (const auto& [name, attribute] : op->attributes()) {
        const auto* text = std::get_if<std::string>(&attribute);
        if (text && !IsPrintableString(*text) && status.ok()) {
          status = GraphError(absl::StrFormat(
              "%s: attribute %s holds a quote, backslash or line break", OpIdentity(*op), name));
        }
        const auto* number = std::get_if<double>(&attribute);
        if (number && !std::isfinite(*number) && status.ok()) {
          status = GraphError(absl::StrFormat("%s: attribute %s = %g is not finite",
                                              OpIdentity(*op), name, *number));
        }
      }
      for (size_t i = 0; i < op->num_results(); ++i) {
        add(op->result(i), absl::StrFormat("result %d of %s", i, OpIdentity(*op)));
      }
      if (op->body() == nullptr) return;
      for (const Value* argument : op->body()->arguments()) {
        add(argument, absl::StrFormat("an argument of the body of %s", OpIdentity(*op)));
      }
    });
    return status;
  }

  // A name or dim the text form cannot spell would print text that does not
  // parse back.
  absl::Status CheckSpelling(const Value& value) const {
    if (!IsValueName(value.name())) {
      return GraphError(absl::StrFormat(
          "value name '%s' may only hold letters, digits, '_' and '.'", value.name()));
    }
    for (const Dim& dim : value.type().dims()) {
      if (dim.is_symbolic() && !IsIdentifier(dim.symbol())) {
        return GraphError(absl::StrFormat("%%%s: dim symbol '%s' is not an identifier",
                                          value.name(), dim.symbol()));
      }
    }
    return absl::OkStatus();
  }

  absl::Status VerifyBlock(const Block& block) {
    for (size_t i = 0; i < block.num_ops(); ++i) {
      const Op& op = *block.op(i);
      if (op.kind() == OpKind::Yield && (block.parent_op() == nullptr || i + 1 < block.num_ops())) {
        return absl::InvalidArgumentError(
            absl::StrCat(OpIdentity(op), ": yield may only be the last op of a scan body"));
      }
      RNNC_RETURN_IF_ERROR(VerifyOperands(op));
      RNNC_RETURN_IF_ERROR(VerifyOp(op));
      for (const Value* result : op.results()) Define(result);
    }
    return absl::OkStatus();
  }

  absl::Status VerifyOperands(const Op& op) const {
    for (size_t i = 0; i < op.operands().size(); ++i) {
      const Value* operand = op.operand(i);
      if (operand == nullptr) {
        return absl::InvalidArgumentError(
            absl::StrFormat("%s: operand %d is null", OpIdentity(op), i));
      }
      if (visible_.contains(operand)) continue;
      const char* why = !all_values_.contains(operand) ? "is not a value of this graph"
                        : defined_.contains(operand)
                            ? "is defined inside a scan body that does not enclose this op"
                            : "is used before it is defined";
      return absl::InvalidArgumentError(
          absl::StrFormat("%s: operand %d (%%%s) %s", OpIdentity(op), i, operand->name(), why));
    }
    return absl::OkStatus();
  }

  absl::Status VerifyOp(const Op& op) {
    OpContext context = ContextOf(op);
    switch (op.kind()) {
      case OpKind::Yield:
        // Its operands are checked against the scan it ends.
        if (op.num_results() != 0) return context.Error("yield has no results");
        return context.ExpectNoOtherAttributes();
      case OpKind::Full:
        return VerifyFull(op, context);
      case OpKind::Scan:
        return VerifyScan(op, context);
      default: {
        RNNC_ASSIGN_OR_RETURN(std::vector<TensorType> inferred,
                              InferResultTypes(op.kind(), context));
        return ExpectResultTypes(op, context, inferred);
      }
    }
  }

  static absl::Status ExpectResultTypes(const Op& op, const OpContext& context,
                                        const std::vector<TensorType>& inferred) {
    if (op.num_results() != inferred.size()) {
      return context.Error(absl::StrFormat("declares %d results, inferred %d: %s", op.num_results(),
                                           inferred.size(), TypesToString(inferred)));
    }
    for (size_t i = 0; i < inferred.size(); ++i) {
      if (op.result(i)->type() == inferred[i]) continue;
      return context.Error(absl::StrFormat("result %d declared %s, inferred %s", i,
                                           op.result(i)->type().ToString(),
                                           inferred[i].ToString()));
    }
    return absl::OkStatus();
  }

  // `full` declares its type, which nothing infers; only its form is checked.
  static absl::Status VerifyFull(const Op& op, OpContext& context) {
    RNNC_RETURN_IF_ERROR(context.ExpectNumOperands(0, 0, ""));
    RNNC_RETURN_IF_ERROR(context.Float("value").status());
    RNNC_RETURN_IF_ERROR(context.ExpectNoOtherAttributes());
    if (op.num_results() == 1) return absl::OkStatus();
    return context.Error(absl::StrFormat("declares %d results, expected 1", op.num_results()));
  }

  // scan(init_1..init_k, seq_1..seq_m) {carries = k}: body arguments are the
  // carries (typed as their inits) and one step of each sequence (its type
  // without axis 0); the yield gives the next carries, then per-step outputs
  // that the scan stacks along a new axis 0 of length T.
  absl::Status VerifyScan(const Op& op, OpContext& context) {
    if (op.body() == nullptr) return context.Error("scan has no body");
    const size_t operands = context.num_operands();
    RNNC_ASSIGN_OR_RETURN(int64_t carries_attribute,
                          context.IntInRange("carries", 0, static_cast<int64_t>(operands)));
    RNNC_RETURN_IF_ERROR(context.Bool("reverse", false).status());
    RNNC_RETURN_IF_ERROR(context.ExpectNoOtherAttributes());
    const size_t carries = static_cast<size_t>(carries_attribute);
    if (carries == operands) {
      return context.Error(absl::StrFormat(
          "expected at least one sequence operand after the %d carries, got %d operands", carries,
          operands));
    }
    for (size_t i = carries; i < operands; ++i) {
      RNNC_RETURN_IF_ERROR(context.ExpectMinRank(i, 1));
      if (i > carries) RNNC_RETURN_IF_ERROR(context.ExpectSameDim(i, 0, carries, 0));
    }

    const Block& body = *op.body();
    if (body.num_arguments() != operands) {
      return context.Error(absl::StrFormat(
          "its body has %d arguments, expected %d: one per carry (%d), one per sequence (%d)",
          body.num_arguments(), operands, carries, operands - carries));
    }
    for (size_t i = 0; i < operands; ++i) {
      const std::vector<Dim>& dims = context.type(i).dims();
      const TensorType expected =
          i < carries ? context.type(i) : TensorType({dims.begin() + 1, dims.end()});
      if (body.argument(i)->type() == expected) continue;
      return context.Error(
          absl::StrFormat("body argument %d (%%%s) has type %s, expected %s, %s %s, %s", i,
                          body.argument(i)->name(), body.argument(i)->type().ToString(),
                          expected.ToString(), i < carries ? "the type of" : "one step of",
                          context.Describe(i), context.type(i).ToString()));
    }

    const absl::flat_hash_set<const Value*> visible_outside = visible_;
    for (const Value* argument : body.arguments()) Define(argument);
    RNNC_RETURN_IF_ERROR(VerifyBlock(body));
    visible_ = visible_outside;

    if (body.num_ops() == 0 || body.ops().back()->kind() != OpKind::Yield) {
      return context.Error("its body must end in a yield");
    }
    const Op& yield = *body.ops().back();
    if (yield.operands().size() < carries) {
      return context.Error(absl::StrFormat(
          "its yield has %d operands, expected at least %d: the next value of each carry",
          yield.operands().size(), carries));
    }
    std::vector<TensorType> results;
    for (size_t i = 0; i < yield.operands().size(); ++i) {
      const TensorType& yielded = yield.operand(i)->type();
      if (i < carries && yielded != context.type(i)) {
        return context.Error(absl::StrFormat(
            "yield operand %d (%%%s) has type %s, expected %s, the type of carry %s", i,
            yield.operand(i)->name(), yielded.ToString(), context.type(i).ToString(),
            context.Describe(i)));
      }
      std::vector<Dim> dims = yielded.dims();
      if (i >= carries) dims.insert(dims.begin(), context.type(carries).dim(0));
      results.emplace_back(std::move(dims));
    }
    return ExpectResultTypes(op, context, results);
  }

  absl::Status VerifyOutputs() const {
    if (graph_.outputs().empty()) return GraphError("has no outputs");
    std::set<std::string> names;
    for (const GraphOutput& output : graph_.outputs()) {
      if (!IsValueName(output.name)) {
        return GraphError(absl::StrFormat(
            "output name '%s' may only hold letters, digits, '_' and '.'", output.name));
      }
      if (!names.insert(output.name).second) {
        return GraphError(absl::StrFormat("output name '%s' is used twice", output.name));
      }
      if (output.value == nullptr) {
        return GraphError(absl::StrFormat("output '%s' has no value", output.name));
      }
      if (visible_.contains(output.value)) continue;
      return GraphError(
          absl::StrFormat("output '%s' is %%%s, which %s", output.name, output.value->name(),
                          all_values_.contains(output.value)
                              ? "is defined inside a scan body; outputs must be top-level values"
                              : "is not a value of this graph"));
    }
    return absl::OkStatus();
  }

  const Graph& graph_;
  absl::flat_hash_set<const Value*> all_values_;  // every value the graph defines
  absl::flat_hash_set<const Value*> defined_;     // those defined so far, in program order
  absl::flat_hash_set<const Value*> visible_;     // those visible at the op being checked
};

}  // namespace

absl::Status Verify(const Graph& graph) { return Verifier(graph).Run(); }

}  // namespace rnnc::ir
