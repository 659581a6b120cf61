#include "frontend/CellOps.h"

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace rnnc {

namespace {

Model* ModelOf(const Vars& vars) {
  for (const Var& v : vars) {
    if (v.model()) return v.model();
  }
  return nullptr;
}

// One-result op; empty when any operand is (an error is already kept).
Var Apply(ir::OpKind kind, const Vars& operands, ir::AttributeMap attributes = {}) {
  Model* model = ModelOf(operands);
  if (!model) return Var();
  Vars results = model->AddOp(kind, operands, std::move(attributes));
  return results.empty() ? Var() : results[0];
}

Var ScalarLike(Var like, double value) {
  return like.model() ? like.model()->Constant(value) : Var();
}

}  // namespace

Var Matmul(Var a, Var b, bool transpose_b) {
  return Apply(ir::OpKind::Matmul, {a, b}, {{"transpose_b", transpose_b}});
}
Var Sigmoid(Var a) { return Apply(ir::OpKind::Sigmoid, {a}); }
Var Tanh(Var a) { return Apply(ir::OpKind::Tanh, {a}); }
Var Relu(Var a) { return Apply(ir::OpKind::Relu, {a}); }
Var Exp(Var a) { return Apply(ir::OpKind::Exp, {a}); }
Var Log(Var a) { return Apply(ir::OpKind::Log, {a}); }
Var Sqrt(Var a) { return Apply(ir::OpKind::Sqrt, {a}); }
Var Softmax(Var a, int64_t axis) { return Apply(ir::OpKind::Softmax, {a}, {{"axis", axis}}); }
Var Concat(const Vars& parts, int64_t axis) {
  return Apply(ir::OpKind::Concat, parts, {{"axis", axis}});
}
Vars Split(Var a, std::vector<int64_t> sizes, int64_t axis) {
  if (!a.model()) return {};
  return a.model()->AddOp(ir::OpKind::Split, {a}, {{"axis", axis}, {"sizes", std::move(sizes)}});
}
Var Slice(Var a, int64_t axis, int64_t start, int64_t end) {
  return Apply(ir::OpKind::Slice, {a}, {{"axis", axis}, {"start", start}, {"end", end}});
}
Var Select(Var a, int64_t axis, int64_t index) {
  return Apply(ir::OpKind::Select, {a}, {{"axis", axis}, {"index", index}});
}
Var Transpose(Var a, std::vector<int64_t> perm) {
  return Apply(ir::OpKind::Transpose, {a}, {{"perm", std::move(perm)}});
}
Var Reshape(Var a, std::vector<int64_t> shape) {
  return Apply(ir::OpKind::Reshape, {a}, {{"shape", std::move(shape)}});
}

Var operator+(Var a, Var b) { return Apply(ir::OpKind::Add, {a, b}); }
Var operator-(Var a, Var b) { return Apply(ir::OpKind::Sub, {a, b}); }
Var operator*(Var a, Var b) { return Apply(ir::OpKind::Mul, {a, b}); }
Var operator/(Var a, Var b) { return Apply(ir::OpKind::Div, {a, b}); }
Var operator-(Var a) { return Apply(ir::OpKind::Neg, {a}); }
Var operator+(double a, Var b) { return ScalarLike(b, a) + b; }
Var operator-(double a, Var b) { return ScalarLike(b, a) - b; }
Var operator*(double a, Var b) { return ScalarLike(b, a) * b; }
Var operator+(Var a, double b) { return a + ScalarLike(a, b); }
Var operator-(Var a, double b) { return a - ScalarLike(a, b); }
Var operator*(Var a, double b) { return a * ScalarLike(a, b); }

ScanResult Scan(const Vars& sequences, const Vars& initial,
                const std::function<ScanStep(const Vars& slices, const Vars& carries)>& body,
                bool reverse) {
  Vars all = initial;
  all.insert(all.end(), sequences.begin(), sequences.end());
  Model* model = ModelOf(all);
  if (!model) return {};
  for (const Var& v : all) {
    if (!v.valid()) return {};
  }
  if (sequences.empty()) {
    model->Fail(absl::InvalidArgumentError("scan: needs at least one sequence to loop over"));
    return {};
  }
  for (const Var& s : sequences) {
    if (s.type().rank() == 0) {
      model->Fail(absl::InvalidArgumentError(absl::StrCat(
          "scan: sequence %", s.value()->name(), " is a scalar; it needs a time axis")));
      return {};
    }
  }
  ir::Op* scan = model->BeginScan(initial, sequences, reverse);
  Vars carries, slices;
  for (size_t i = 0; i < initial.size(); ++i) carries.push_back(model->ScanArgument(scan, i));
  for (size_t i = 0; i < sequences.size(); ++i) {
    slices.push_back(model->ScanArgument(scan, initial.size() + i));
  }
  ScanStep step = body(slices, carries);
  if (step.carries.size() != initial.size()) {
    model->EndScan(scan, {}, {});
    model->Fail(absl::InvalidArgumentError(absl::StrCat(
        "scan: the body returned ", step.carries.size(), " carried states for ",
        initial.size(), " initial ones")));
    return {};
  }
  Vars results = model->EndScan(scan, step.carries, step.outputs);
  if (results.empty() && !(step.carries.empty() && step.outputs.empty())) return {};
  ScanResult result;
  result.carries.assign(results.begin(), results.begin() + static_cast<ptrdiff_t>(initial.size()));
  result.outputs.assign(results.begin() + static_cast<ptrdiff_t>(initial.size()), results.end());
  return result;
}

}  // namespace rnnc
