#include "frontend/Layers.h"

#include <cmath>

#include "absl/strings/str_cat.h"
#include "frontend/CellOps.h"

namespace rnnc::nn {

namespace {

std::string Prefixed(const std::string& name, const char* param) {
  return name.empty() ? param : absl::StrCat(name, ".", param);
}

}  // namespace

Dense::Dense(Model& model, const std::string& name, DenseOptions options)
    : model_(model), options_(std::move(options)) {
  const int64_t in = options_.in_features();
  const Initializer init = Initializer::Uniform(in > 0 ? 1.0 / std::sqrt(in) : 0.0);
  weight_ = model_.Param(Prefixed(name, "weight"), {options_.out_features(), in}, init);
  if (options_.bias()) bias_ = model_.Param(Prefixed(name, "bias"), {options_.out_features()}, init);
}

Var Dense::operator()(Var x) {
  Vars operands = {x, weight_};
  if (options_.bias()) operands.push_back(bias_);
  Vars y = model_.AddOp(ir::OpKind::Dense, operands);
  return Activation(y.empty() ? Var() : y[0], options_.activation());
}

BatchNorm::BatchNorm(Model& model, const std::string& name, int64_t features, double epsilon,
                     double momentum)
    : model_(model), epsilon_(epsilon), momentum_(momentum) {
  params_ = {model_.Param(Prefixed(name, "weight"), {features}, Initializer::Constant(1)),
             model_.Param(Prefixed(name, "bias"), {features}, Initializer::Constant(0)),
             model_.Param(Prefixed(name, "running_mean"), {features}, Initializer::Constant(0)),
             model_.Param(Prefixed(name, "running_var"), {features}, Initializer::Constant(1))};
}

Var BatchNorm::operator()(Var x) {
  Vars operands = {x};
  operands.insert(operands.end(), params_.begin(), params_.end());
  ir::AttributeMap attributes = {{"epsilon", epsilon_}};
  // Only a momentum other than the default is spelled out in the IR.
  if (momentum_ != 0.1) attributes["momentum"] = momentum_;
  Vars y = model_.AddOp(ir::OpKind::BatchNorm, operands, attributes);
  return y.empty() ? Var() : y[0];
}

Var Activation(Var x, const std::string& name) {
  if (name == "linear" || name.empty()) return x;
  if (name == "sigmoid") return Sigmoid(x);
  if (name == "tanh") return Tanh(x);
  if (name == "relu") return Relu(x);
  if (name == "softmax") return Softmax(x, -1);
  if (x.model()) {
    x.model()->Fail(absl::InvalidArgumentError(absl::StrCat(
        "unknown activation '", name, "'; expected linear, sigmoid, tanh, relu or softmax")));
  }
  return Var();
}

}  // namespace rnnc::nn
