// The model being built with the C++ DSL: a graph under construction, the
// initial values of its parameters, and the values (Var) that DSL code
// passes around.
//
//   Model m("tagger");
//   Var x = m.Input("x", {T, N, 8});
//   Var y = nn::GRU(m, "gru", nn::GRUOptions(8, 16))(x);
//   m.Output("y", y);
//   absl::StatusOr<ir::Graph> graph = m.Build();
//
// Building never throws: the first error (a shape mismatch, say) is kept,
// every Var made after it is empty, and Build() returns that error. This is
// the error-as-value discipline of the rest of rnnc without making DSL code
// check a status after every line.
#ifndef RNNC_FRONTEND_MODEL_H
#define RNNC_FRONTEND_MODEL_H

#include <cstdint>
#include <random>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ir/Graph.h"
#include "runtime/Tensor.h"

namespace rnnc {

namespace aot {
struct LibraryOptions;
}  // namespace aot

// The symbolic dims of sequence-first shapes: time steps and batch.
namespace dims {
inline const ir::Dim T = ir::Dim::Symbol("T");
inline const ir::Dim N = ir::Dim::Symbol("N");
}  // namespace dims

class Model;

// A value of the graph being built. Empty after an earlier error.
class Var {
 public:
  Var() = default;
  Var(Model* model, ir::Value* value) : model_(model), value_(value) {}

  bool valid() const { return value_ != nullptr; }
  Model* model() const { return model_; }
  ir::Value* value() const { return value_; }
  // The type; an empty type when !valid().
  const ir::TensorType& type() const;

 private:
  Model* model_ = nullptr;
  ir::Value* value_ = nullptr;
};

using Vars = std::vector<Var>;

// How a parameter starts out.
struct Initializer {
  enum class Kind { kUniform, kConstant };
  Kind kind;
  double a;  // bound of U(-a, a), or the constant
  static Initializer Uniform(double bound) { return {Kind::kUniform, bound}; }
  static Initializer Constant(double value) { return {Kind::kConstant, value}; }
};

class Model {
 public:
  // `seed` makes parameter initialisation reproducible.
  explicit Model(std::string name, uint64_t seed = 0);
  Model(const Model&) = delete;
  Model& operator=(const Model&) = delete;

  Var Input(const std::string& name, ir::TensorType type);
  // A parameter named as in a PyTorch state_dict, initialised now.
  Var Param(const std::string& name, std::vector<int64_t> shape, Initializer init);
  void Output(const std::string& name, Var value);

  // The graph, verified, or the first error met while building it.
  absl::StatusOr<ir::Graph> Build() const;
  // The parameters' current values, by name.
  const TensorMap& weights() const { return weights_; }
  // Replaces the parameters' values; names and shapes must match exactly,
  // as PyTorch's strict load_state_dict.
  absl::Status SetWeights(const TensorMap& weights);
  absl::Status LoadWeights(const std::string& safetensors_path);
  absl::Status SaveWeights(const std::string& safetensors_path) const;

  // Compiles the model with its current weights into a shared library and
  // its C header, Halide-style: model.CompileToSharedLibrary("libm.so",
  // "m.h"). Defined in aot/CompileToLibrary.cpp, not in the frontend
  // library, so that the frontend does not depend on the backends: a
  // program that calls these links rnnc_aot.
  absl::Status CompileToSharedLibrary(const std::string& library_path,
                                      const std::string& header_path) const;
  absl::Status CompileToSharedLibrary(const std::string& library_path,
                                      const std::string& header_path,
                                      const aot::LibraryOptions& options) const;

  // Appends an op to the block being built, typing its results by shape
  // inference. `result_names` are hints (made unique). Returns empty Vars if
  // an operand is empty or the op is ill-typed (the error is kept).
  Vars AddOp(ir::OpKind kind, const Vars& operands, ir::AttributeMap attributes = {},
             const std::vector<std::string>& result_names = {});
  // `full`: a tensor of `type` filled with `value`.
  Var Full(ir::TensorType type, double value);
  // A scalar constant, broadcast by elementwise ops.
  Var Constant(double value) { return Full(ir::TensorType(), value); }

  // Scan building: the DSL's Scan() opens the body, builds it, closes it.
  ir::Op* BeginScan(const Vars& initial, const Vars& sequences, bool reverse);
  Var ScanArgument(ir::Op* scan, size_t i) { return Var(this, scan->body()->argument(i)); }
  Vars EndScan(ir::Op* scan, const Vars& carries, const Vars& outputs);

  // Records `status` unless an error is already kept.
  void Fail(absl::Status status);
  const absl::Status& status() const { return status_; }
  // The graph as built so far, unverified; Build() is the checked view.
  ir::Graph& graph() { return graph_; }

 private:
  ir::Block& CurrentBlock() { return *blocks_.back(); }

  ir::Graph graph_;
  TensorMap weights_;
  std::mt19937_64 rng_;
  std::vector<ir::Block*> blocks_;  // innermost last
  absl::Status status_;
};

}  // namespace rnnc

#endif  // RNNC_FRONTEND_MODEL_H
