// The reference interpreter's executable: binds the symbolic dims, keeps the
// tensor of every value in an environment, evaluates the ops of a block in
// order (dispatching each to its kernel, or to the kernel a provider gave
// for it at compile time), runs scans step by step, and returns the graph
// outputs.
//
// Every value's tensor is checked against the value's type under the bound
// dims when it is defined, and every kernel's operand shapes are checked by
// re-inferring the op's result types from them, so a kernel only ever sees
// the shapes docs/IR.md promises it, and a mismatch is an error naming the
// op rather than a crash.
#include "backends/interp/Interpreter.h"

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/node_hash_map.h"
#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "backends/interp/RecurrentLayers.h"
#include "backends/interp/TensorOps.h"
#include "ir/BindDims.h"
#include "ir/ShapeInference.h"
#include "ir/Verifier.h"
#include "runtime/Weights.h"

namespace rnnc::interp {

namespace {

// "op %seq = gru", how errors name the op they come from, as the verifier
// does: by its first result.
std::string OpLabel(const ir::Op& op) {
  if (op.num_results() == 0) return absl::StrFormat("op %s (no results)", op.name());
  return absl::StrFormat("op %%%s = %s", op.result(0)->name(), op.name());
}

absl::Status Prefixed(const std::string& prefix, const absl::Status& status) {
  return absl::Status(status.code(), absl::StrCat(prefix, ": ", status.message()));
}

std::vector<Tensor> OneResult(Tensor tensor) {
  std::vector<Tensor> results;
  results.push_back(std::move(tensor));
  return results;
}

// The kernel of every op but scan, full and yield, which need the
// interpreter's state. The operands have the shapes the op demands.
// A reshape's result shape: its `shape`, each 0 the bound size of the next
// symbolic dim of the operand's type.
std::vector<int64_t> ReshapeSizes(const ir::Op& op, const Tensor& a) {
  std::vector<int64_t> sizes = op.ints_attribute("shape");
  const ir::TensorType& type = op.operand(0)->type();
  int64_t next = 0;
  for (int64_t& size : sizes) {
    if (size != 0) continue;
    while (type.dim(next).is_static()) ++next;
    size = a.dim(next++);
  }
  return sizes;
}

std::vector<Tensor> RunKernel(const ir::Op& op, const std::vector<const Tensor*>& in) {
  switch (op.kind()) {
    case ir::OpKind::Rnn:
    case ir::OpKind::Lstm:
    case ir::OpKind::Gru:
      return RunRecurrentLayers(op, in);
    case ir::OpKind::Dense:
      return OneResult(Dense(*in[0], *in[1], in.size() > 2 ? in[2] : nullptr));
    case ir::OpKind::BatchNorm:
      return OneResult(
          BatchNorm(*in[0], *in[1], *in[2], *in[3], *in[4], op.float_attribute("epsilon", 1e-5)));
    case ir::OpKind::Matmul:
      return OneResult(Matmul(*in[0], *in[1], op.bool_attribute("transpose_b")));
    case ir::OpKind::Add:
      return OneResult(Add(*in[0], *in[1]));
    case ir::OpKind::Sub:
      return OneResult(Sub(*in[0], *in[1]));
    case ir::OpKind::Mul:
      return OneResult(Mul(*in[0], *in[1]));
    case ir::OpKind::Div:
      return OneResult(Div(*in[0], *in[1]));
    case ir::OpKind::Neg:
      return OneResult(Neg(*in[0]));
    case ir::OpKind::Sigmoid:
      return OneResult(Sigmoid(*in[0]));
    case ir::OpKind::Tanh:
      return OneResult(Tanh(*in[0]));
    case ir::OpKind::Relu:
      return OneResult(Relu(*in[0]));
    case ir::OpKind::Exp:
      return OneResult(Exp(*in[0]));
    case ir::OpKind::Log:
      return OneResult(Log(*in[0]));
    case ir::OpKind::Sqrt:
      return OneResult(Sqrt(*in[0]));
    case ir::OpKind::Step:
      return OneResult(Step(*in[0]));
    case ir::OpKind::Softmax:
      return OneResult(Softmax(*in[0], op.int_attribute("axis")));
    case ir::OpKind::ReduceSum:
      return OneResult(
          ReduceSum(*in[0], op.ints_attribute("axes"), op.bool_attribute("keep_dims")));
    case ir::OpKind::ReduceMean:
      return OneResult(
          ReduceMean(*in[0], op.ints_attribute("axes"), op.bool_attribute("keep_dims")));
    case ir::OpKind::ReduceMax:
      return OneResult(
          ReduceMax(*in[0], op.ints_attribute("axes"), op.bool_attribute("keep_dims")));
    case ir::OpKind::Concat:
      return OneResult(Concat(in, op.int_attribute("axis")));
    case ir::OpKind::Split:
      return Split(*in[0], op.int_attribute("axis"), op.ints_attribute("sizes"));
    case ir::OpKind::Slice:
      return OneResult(Slice(*in[0], op.int_attribute("axis"), op.int_attribute("start"),
                             op.int_attribute("end")));
    case ir::OpKind::Select:
      return OneResult(Select(*in[0], op.int_attribute("axis"), op.int_attribute("index")));
    case ir::OpKind::Transpose:
      return OneResult(Transpose(*in[0], op.ints_attribute("perm")));
    case ir::OpKind::Reshape:
      return OneResult(Reshape(*in[0], ReshapeSizes(op, *in[0])));
    case ir::OpKind::Full:
    case ir::OpKind::Scan:
    case ir::OpKind::Yield:
      break;
  }
  return {};
}

// The tensors of one run. Inputs, op results and scan body arguments live
// in `values_`; params are read from the executable's weights.
// Kernels given by a KernelProvider, by the op they take.
using ProvidedKernels = absl::flat_hash_map<const ir::Op*, std::unique_ptr<OpKernel>>;

class Environment {
 public:
  Environment(const absl::flat_hash_map<const ir::Value*, const Tensor*>& params,
              const ProvidedKernels& kernels, ir::BoundDims bound)
      : params_(params), kernels_(kernels), bound_(std::move(bound)) {}

  // Gives `value` its tensor, which must have the value's type under the
  // bound dims.
  absl::Status Define(const ir::Value* value, Tensor tensor) {
    if (absl::Status status = CheckShape(value, tensor); !status.ok()) return status;
    values_[value] = std::move(tensor);
    return absl::OkStatus();
  }

  // Like Define, for a tensor the caller keeps alive for the whole run (the
  // inputs): read in place, not copied.
  absl::Status Borrow(const ir::Value* value, const Tensor& tensor) {
    if (absl::Status status = CheckShape(value, tensor); !status.ok()) return status;
    borrowed_[value] = &tensor;
    return absl::OkStatus();
  }

  // Keeps a caller's tensor for `value` (a graph output) as the storage a
  // provided kernel writes that result into, when its shape fits.
  void Recycle(const ir::Value* value, Tensor tensor) { recycled_[value] = std::move(tensor); }

  // Moves the tensor of an op result out, once nothing will read it again;
  // borrowed tensors and params are copied. Where the caller's recycled
  // tensor is still unused (the interpreter's own kernels allocate their
  // results), the values are copied into it, so the caller keeps its buffer.
  Tensor Release(const ir::Value* value) {
    Tensor tensor;
    if (auto it = values_.find(value); it != values_.end()) {
      tensor = std::move(it->second);
      values_.erase(it);
    } else {
      tensor = *Find(value);
    }
    if (auto it = recycled_.find(value);
        it != recycled_.end() && it->second.shape() == tensor.shape()) {
      std::copy(tensor.values().begin(), tensor.values().end(), it->second.values().begin());
      tensor = std::move(it->second);
      recycled_.erase(it);
    }
    return tensor;
  }

  // Runs the ops of `block` in order. A scan body ends in a yield, whose
  // operands are returned; the top-level block returns nothing.
  absl::StatusOr<std::vector<Tensor>> RunBlock(const ir::Block& block) {
    for (const auto& op : block.ops()) {
      absl::StatusOr<std::vector<const Tensor*>> operands = Operands(*op);
      if (!operands.ok()) return Prefixed(OpLabel(*op), operands.status());
      if (op->kind() == ir::OpKind::Yield) {
        std::vector<Tensor> yielded;
        for (const Tensor* tensor : *operands) yielded.push_back(*tensor);
        return yielded;
      }
      if (absl::Status status = RunOp(*op, *operands); !status.ok()) {
        return Prefixed(OpLabel(*op), status);
      }
    }
    return std::vector<Tensor>();
  }

  // The tensor of `value`; null if it has none yet.
  const Tensor* Find(const ir::Value* value) const {
    if (auto it = values_.find(value); it != values_.end()) return &it->second;
    if (auto it = borrowed_.find(value); it != borrowed_.end()) return it->second;
    if (auto it = params_.find(value); it != params_.end()) return it->second;
    return nullptr;
  }

 private:
  // A value's tensor must have its type's shape under the bound dims.
  absl::Status CheckShape(const ir::Value* value, const Tensor& tensor) const {
    absl::StatusOr<std::vector<int64_t>> expected = value->type().Resolve(bound_);
    if (!expected.ok()) return expected.status();
    if (tensor.shape() != *expected) {
      return absl::InvalidArgumentError(
          absl::StrFormat("%%%s has shape %s, but its type %s means %s with %s", value->name(),
                          tensor.ShapeString(), value->type().ToString(),
                          ir::ShapeToString(*expected), BoundDimsString()));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<std::vector<const Tensor*>> Operands(const ir::Op& op) const {
    std::vector<const Tensor*> operands;
    for (const ir::Value* value : op.operands()) {
      const Tensor* tensor = Find(value);
      if (!tensor) {
        return absl::InvalidArgumentError(
            absl::StrFormat("operand %%%s has no value yet", value->name()));
      }
      operands.push_back(tensor);
    }
    return operands;
  }

  absl::Status RunOp(const ir::Op& op, const std::vector<const Tensor*>& operands) {
    absl::StatusOr<std::vector<Tensor>> results = Compute(op, operands);
    if (!results.ok()) return results.status();
    if (results->size() != op.num_results()) {
      return absl::InternalError(absl::StrFormat("computed %d results for %d declared",
                                                 results->size(), op.num_results()));
    }
    for (size_t i = 0; i < op.num_results(); ++i) {
      if (absl::Status status = Define(op.result(i), std::move((*results)[i])); !status.ok()) {
        return status;
      }
    }
    return absl::OkStatus();
  }

  absl::StatusOr<std::vector<Tensor>> Compute(const ir::Op& op,
                                              const std::vector<const Tensor*>& operands) {
    if (op.kind() == ir::OpKind::Scan) return RunScan(op, operands);
    if (op.kind() == ir::OpKind::Full) {
      absl::StatusOr<std::vector<int64_t>> shape = op.result(0)->type().Resolve(bound_);
      if (!shape.ok()) return shape.status();
      const float value = static_cast<float>(op.float_attribute("value"));
      return OneResult(Tensor(*shape, std::vector<float>(NumElements(*shape), value)));
    }
    // The kernels trust their operands' shapes; inferring the result types
    // from the concrete shapes checks every rule docs/IR.md states for them.
    std::vector<ir::TensorType> operand_types;
    for (const Tensor* tensor : operands) {
      operand_types.emplace_back(
          std::vector<ir::Dim>(tensor->shape().begin(), tensor->shape().end()));
    }
    // A reshape's 0s stand for symbolic dims, which concrete shapes no longer
    // mark: the check reads the sizes they are bound to.
    ir::AttributeMap attributes = op.attributes();
    if (op.kind() == ir::OpKind::Reshape) attributes["shape"] = ReshapeSizes(op, *operands[0]);
    absl::StatusOr<std::vector<ir::TensorType>> result_types =
        ir::InferResultTypes(op.kind(), operand_types, attributes);
    if (!result_types.ok()) return Prefixed("at run time", result_types.status());
    if (auto it = kernels_.find(&op); it != kernels_.end()) {
      std::vector<Tensor> results = ResultStorage(op, *result_types);
      if (absl::Status status = it->second->Run(operands, bound_, results); !status.ok()) {
        return status;
      }
      return results;
    }
    return RunKernel(op, operands);
  }

  // One tensor per result of `op`, of its type (static here): the caller's
  // recycled tensor where one fits, else a new one.
  std::vector<Tensor> ResultStorage(const ir::Op& op, const std::vector<ir::TensorType>& types) {
    std::vector<Tensor> results;
    for (size_t i = 0; i < op.num_results(); ++i) {
      std::vector<int64_t> shape;
      for (const ir::Dim& dim : types[i].dims()) shape.push_back(dim.size());
      auto it = recycled_.find(op.result(i));
      if (it != recycled_.end() && it->second.shape() == shape) {
        results.push_back(std::move(it->second));
        recycled_.erase(it);
      } else {
        results.emplace_back(std::move(shape));
      }
    }
    return results;
  }

  // scan(init_1..init_k, seq_1..seq_m) {carries = k, reverse}: for t = 0..T-1
  // (T-1..0 when reversed), the body reads the carries and slice t of each
  // sequence and yields the next carries and n step outputs; the results
  // are the final carries and the step outputs stacked as (T, ...), output t
  // at position t whichever way the loop runs.
  absl::StatusOr<std::vector<Tensor>> RunScan(const ir::Op& op,
                                              const std::vector<const Tensor*>& operands) {
    const ir::Block& body = *op.body();
    const size_t num_carries = static_cast<size_t>(op.int_attribute("carries"));
    const bool reverse = op.bool_attribute("reverse");
    if (operands.size() <= num_carries || body.num_arguments() != operands.size()) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "%d operands and %d body arguments for %d carries and at least one sequence",
          operands.size(), body.num_arguments(), num_carries));
    }
    const int64_t steps = operands[num_carries]->rank() > 0 ? operands[num_carries]->dim(0) : 0;
    for (size_t j = num_carries; j < operands.size(); ++j) {
      if (operands[j]->rank() == 0 || operands[j]->dim(0) != steps) {
        return absl::InvalidArgumentError(
            absl::StrFormat("sequence %%%s has shape %s, expected %d steps along axis 0 like %%%s",
                            op.operand(j)->name(), operands[j]->ShapeString(), steps,
                            op.operand(num_carries)->name()));
      }
    }
    std::vector<Tensor> results;  // the carries, then the stacked step outputs
    for (size_t i = 0; i < num_carries; ++i) results.push_back(*operands[i]);
    for (size_t i = num_carries; i < op.num_results(); ++i) {
      absl::StatusOr<std::vector<int64_t>> shape = op.result(i)->type().Resolve(bound_);
      if (!shape.ok()) return shape.status();
      results.emplace_back(*shape);
    }
    for (int64_t step = 0; step < steps; ++step) {
      const int64_t t = reverse ? steps - 1 - step : step;
      for (size_t i = 0; i < operands.size(); ++i) {
        Tensor argument = i < num_carries ? results[i] : Select(*operands[i], 0, t);
        if (absl::Status status = Define(body.argument(i), std::move(argument)); !status.ok()) {
          return status;
        }
      }
      absl::StatusOr<std::vector<Tensor>> yielded = RunBlock(body);
      if (!yielded.ok()) return yielded.status();
      if (yielded->size() != op.num_results()) {
        return absl::InvalidArgumentError(absl::StrFormat(
            "the body yields %d values for %d results", yielded->size(), op.num_results()));
      }
      for (size_t i = 0; i < num_carries; ++i) results[i] = std::move((*yielded)[i]);
      for (size_t i = num_carries; i < op.num_results(); ++i) {
        const Tensor& output = (*yielded)[i];
        const std::vector<int64_t>& stacked_shape = results[i].shape();
        if (stacked_shape.empty() ||
            output.shape() !=
                std::vector<int64_t>(stacked_shape.begin() + 1, stacked_shape.end())) {
          return absl::InvalidArgumentError(absl::StrFormat(
              "step output %d has shape %s, which does not stack into %%%s of shape %s", i,
              output.ShapeString(), op.result(i)->name(), results[i].ShapeString()));
        }
        StoreSlice(results[i], t, output);
      }
    }
    return results;
  }

  std::string BoundDimsString() const {
    std::map<std::string, int64_t> sorted(bound_.begin(), bound_.end());
    return sorted.empty() ? "no bound dims" : absl::StrJoin(sorted, ", ", absl::PairFormatter("="));
  }

  const absl::flat_hash_map<const ir::Value*, const Tensor*>& params_;
  const ProvidedKernels& kernels_;
  const ir::BoundDims bound_;
  // Node-based: ops hold pointers to their operands while defining results.
  absl::node_hash_map<const ir::Value*, Tensor> values_;
  absl::flat_hash_map<const ir::Value*, const Tensor*> borrowed_;  // the inputs
  absl::flat_hash_map<const ir::Value*, Tensor> recycled_;         // the caller's outputs
};

class InterpreterExecutable : public Executable {
 public:
  InterpreterExecutable(const ir::Graph& graph, TensorMap weights)
      : graph_(graph), weights_(std::move(weights)) {
    for (const ir::Value* param : graph_.params()) params_[param] = &weights_.at(param->name());
  }

  // Asks `provider` for a kernel for every op of the executable's own copy
  // of the graph, which is what Run walks.
  absl::Status ProvideKernels(const KernelProvider& provider) {
    absl::Status status;
    ir::WalkOps(graph_.body(), [&](ir::Op* op) {
      if (!status.ok()) return;
      absl::StatusOr<std::unique_ptr<OpKernel>> kernel = provider(*op, weights_);
      if (!kernel.ok()) {
        status = Prefixed(OpLabel(*op), kernel.status());
      } else if (*kernel) {
        kernels_[op] = *std::move(kernel);
      }
    });
    return status;
  }

  absl::Status Run(const TensorMap& inputs, TensorMap& outputs) override {
    std::map<std::string, std::vector<int64_t>> input_shapes;
    for (const auto& [name, tensor] : inputs) input_shapes[name] = tensor.shape();
    absl::StatusOr<ir::BoundDims> bound = ir::BindDims(graph_, input_shapes);
    if (!bound.ok()) return bound.status();

    Environment environment(params_, kernels_, *std::move(bound));
    for (const ir::Value* input : graph_.inputs()) {
      // BindDims has checked that every input is there, with a shape that
      // fits its type.
      const Tensor& tensor = inputs.at(input->name());
      if (tensor.num_elements() != NumElements(tensor.shape())) {
        return absl::InvalidArgumentError(absl::StrFormat("input '%s' has %d values for shape %s",
                                                          input->name(), tensor.num_elements(),
                                                          tensor.ShapeString()));
      }
      if (absl::Status status = environment.Borrow(input, tensor); !status.ok()) {
        return Prefixed(absl::StrCat("input '", input->name(), "'"), status);
      }
    }
    for (const ir::GraphOutput& output : graph_.outputs()) {
      // A default Tensor has shape [] but no element: not a scalar's storage.
      auto it = outputs.find(output.name);
      if (it != outputs.end() && output.value->defining_op() != nullptr &&
          it->second.num_elements() == NumElements(it->second.shape())) {
        environment.Recycle(output.value, std::move(it->second));
      }
    }
    if (absl::StatusOr<std::vector<Tensor>> done = environment.RunBlock(graph_.body());
        !done.ok()) {
      return done.status();
    }
    // A value named by several outputs is copied for all but its last one.
    absl::flat_hash_map<const ir::Value*, int> remaining;
    for (const ir::GraphOutput& output : graph_.outputs()) ++remaining[output.value];
    for (const ir::GraphOutput& output : graph_.outputs()) {
      if (!environment.Find(output.value)) {
        return absl::InvalidArgumentError(
            absl::StrFormat("output '%s' (%%%s) has no value", output.name, output.value->name()));
      }
      // Not a ?: of the two: with a const lvalue on one side its result is
      // const, and the assignment would copy the released tensor too.
      if (--remaining[output.value] == 0) {
        outputs[output.name] = environment.Release(output.value);
      } else {
        outputs[output.name] = *environment.Find(output.value);
      }
    }
    return absl::OkStatus();
  }

 private:
  const ir::Graph graph_;
  const TensorMap weights_;
  absl::flat_hash_map<const ir::Value*, const Tensor*> params_;
  ProvidedKernels kernels_;
};

}  // namespace

absl::StatusOr<std::unique_ptr<Executable>> CompileForInterpreter(
    const ir::Graph& graph, TensorMap weights, const KernelProvider& provider) {
  if (absl::Status status = ir::Verify(graph); !status.ok()) return status;
  if (absl::Status status = CheckWeights(graph, weights); !status.ok()) return status;
  auto executable = std::make_unique<InterpreterExecutable>(graph, std::move(weights));
  if (provider) {
    if (absl::Status status = executable->ProvideKernels(provider); !status.ok()) return status;
  }
  return executable;
}

}  // namespace rnnc::interp
