// Training a model built with the DSL, in either of the two styles users
// know. Keras's:
//
//   Trainer trainer(model);   // the model's output: the predictions
//   trainer.Compile(std::make_unique<Adam>(AdamOptions().lr(1e-3)),
//                   [](Var logits, Var y) { return losses::SoftmaxCrossEntropy(logits, y); },
//                   {CategoricalAccuracyMetric()});
//   absl::StatusOr<History> history = trainer.Fit(train, fit_options);
//   absl::StatusOr<MetricValues> test = trainer.Evaluate(test_data, 64);
//   absl::StatusOr<Tensor> logits = trainer.Predict({{"x", x}});
//
// and PyTorch's, batch by batch:
//
//   trainer.ZeroGrad();
//   absl::StatusOr<MetricValues> loss = trainer.Backward(batch);  // x and y
//   trainer.Step();
//
// Compile adds the targets as an input (named "y" unless told otherwise)
// and the loss and metrics as outputs of the model, differentiates the
// result once (training::Differentiate), turns the params into inputs
// (ParamsAsInputs) and compiles that once with the backend's compile
// function (the interpreter's unless the caller passes another's). Every
// step then runs the same executable with the current weights as inputs.
// Symbolic T and N make a smaller last batch (as Keras gives) need nothing.
//
// Everything is deterministic: the initial weights come from the Model's
// seed, the shuffling from FitOptions::seed and the epoch.
#ifndef RNNC_TRAINING_TRAINER_H
#define RNNC_TRAINING_TRAINER_H

#include <cstdint>
#include <functional>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "frontend/Model.h"
#include "ir/Graph.h"
#include "runtime/Executable.h"
#include "runtime/Tensor.h"
#include "training/Dataset.h"
#include "training/History.h"
#include "training/LearningRate.h"
#include "training/Optimizers.h"
#include "training/ProgressBar.h"

namespace rnnc::training {

// A backend: a graph (with no params: the Trainer passes weights as
// inputs) and its weights (none) to something that runs. The `rnnc`
// driver's tools::Compile with a backend name bound fits.
using CompileFunction = std::function<absl::StatusOr<std::unique_ptr<Executable>>(
    const ir::Graph& graph, TensorMap weights)>;
// interp::CompileForInterpreter.
CompileFunction InterpreterCompileFunction();

// Builds a loss or a metric into the model from the predictions and the
// targets: a lambda over a function of frontend/Losses.h, typically.
using LossFunction = std::function<Var(Var predictions, Var targets)>;
struct Metric {
  std::string name;
  LossFunction build;
};
// Keras's "accuracy" for one-hot targets: losses::CategoricalAccuracy.
Metric CategoricalAccuracyMetric();
// Keras's "binary_accuracy" at 0.5: losses::BinaryAccuracy.
Metric BinaryAccuracyMetric();

struct CompileOptions {
  // The model output holding the predictions; empty: the model's only one.
  std::string prediction;
  // The name of the targets' input, which takes the predictions' type.
  std::string target = "y";
  // Sets the optimizer's learning rate at the start of every epoch from the
  // one it had at Compile.
  LearningRateSchedule schedule = ConstantLr();
  CompileFunction compile = InterpreterCompileFunction();
  // DifferentiateOptions::truncate_bptt.
  int64_t truncate_bptt = 0;
};

enum class ProgressStyle {
  kAuto,    // the bar when standard output is a terminal, else plain lines
  kBar,
  kLines,
  kSilent,
};

struct FitOptions {
  // Fit runs epochs epoch() .. epochs-1: after LoadCheckpoint, the rest.
  int64_t epochs = 1;
  int64_t batch_size = 32;
  bool shuffle = true;
  uint64_t seed = 0;
  // Evaluated after every epoch, as "val_<metric>"; null: none.
  const Dataset* validation = nullptr;
  // > 0: stop each epoch after this many steps (a quick measurement).
  int64_t max_steps_per_epoch = 0;
  ProgressStyle progress = ProgressStyle::kAuto;
  // Where progress goes; null: std::cout.
  std::ostream* out = nullptr;
  // > 0: gradients clipped to this global norm before every step
  // (ClipGradientsByGlobalNorm, torch.nn.utils.clip_grad_norm_).
  double clip_global_norm = 0;
  // Non-empty: a checkpoint written there after every epoch.
  std::string checkpoint_path;
};

class Trainer {
 public:
  // The model must stay alive and be complete but for the loss: Compile
  // adds to it.
  explicit Trainer(Model& model) : model_(model) {}

  // Errors: called twice, no optimizer or loss, no such prediction output,
  // a metric named "loss" or twice, the target name taken, the loss not a
  // scalar, and the errors of building, differentiating and compiling.
  // After an error past the checks of the arguments the model holds the
  // targets, loss and metrics it was given: build a fresh one to retry.
  absl::Status Compile(std::unique_ptr<Optimizer> optimizer, LossFunction loss,
                       std::vector<Metric> metrics, CompileOptions options = {});

  // Keras's fit: trains on `data` (one tensor per non-param input: x and
  // the targets), printing progress, and returns the History of the epochs
  // it ran.
  absl::StatusOr<History> Fit(const Dataset& data, const FitOptions& options);
  // The loss and metrics over all of `data`, in batches, each batch weighed
  // by its size: exact means over the examples.
  absl::StatusOr<MetricValues> Evaluate(const Dataset& data, int64_t batch_size);
  // The prediction output for `inputs` (the model's inputs, no targets).
  absl::StatusOr<Tensor> Predict(const TensorMap& inputs);

  // PyTorch's loop. Backward runs forward and backward on one batch (inputs
  // and targets), adds the gradients to those kept since ZeroGrad (as
  // PyTorch accumulates .grad) and returns the batch's loss and metrics.
  void ZeroGrad();
  absl::StatusOr<MetricValues> Backward(const TensorMap& batch);
  // One optimizer step with the gradients kept. Errors: no Backward since
  // ZeroGrad.
  absl::Status Step();

  const TensorMap& weights() const { return weights_; }
  // "grad.<param>", summed over the Backward calls since ZeroGrad; mutable
  // as PyTorch's .grad, e.g. for ClipGradientsByGlobalNorm before Step.
  const TensorMap& gradients() const { return gradients_; }
  TensorMap& gradients() { return gradients_; }
  Optimizer& optimizer() { return *optimizer_; }
  // Epochs completed (by Fit, or as restored by LoadCheckpoint).
  int64_t epoch() const { return epoch_; }

  // The weights, the optimizer's state and epoch() (Checkpoint.h).
  absl::Status SaveCheckpoint(const std::string& path) const;
  // Restores them. Errors: not compiled, another optimizer, weights that
  // do not fit the model (runtime/Weights.h), and ReadCheckpoint's.
  absl::Status LoadCheckpoint(const std::string& path);

 private:
  absl::Status CheckCompiled(const char* what) const;
  // Runs `executable` on the weights and `batch` (whose tensors join the
  // weights' map for the run, moved, not copied) into `outputs`, whose
  // buffers Executable::Run reuses from one call to the next.
  absl::Status Run(Executable& executable, TensorMap& batch, TensorMap& outputs);
  // Backward on batch_.
  absl::StatusOr<MetricValues> BackwardOnBatch();
  // The loss and metrics among `outputs`, in order.
  MetricValues Scores(const TensorMap& outputs) const;
  // `graph` (params as inputs) compiled on first use.
  absl::StatusOr<Executable*> Lazily(std::unique_ptr<Executable>& executable,
                                     const ir::Graph& graph);

  Model& model_;
  std::unique_ptr<Optimizer> optimizer_;
  CompileOptions options_;
  std::string prediction_name_;
  std::vector<std::string> score_names_;  // "loss", then the metrics
  // Params a step assigns (batch norm's running statistics), not descends.
  absl::flat_hash_set<std::string> assigned_params_;
  double initial_lr_ = 0;
  ir::Graph predict_graph_;   // params as inputs
  ir::Graph evaluate_graph_;  // with loss and metrics; params as inputs
  std::unique_ptr<Executable> train_;
  std::unique_ptr<Executable> evaluate_;
  std::unique_ptr<Executable> predict_;
  TensorMap weights_;
  TensorMap gradients_;
  // What a step reuses, so that it allocates nothing once the shapes are
  // known: the batches, the outputs, and the gradient buffers ZeroGrad
  // set aside, which the next Backward trades for its outputs'.
  TensorMap batch_;
  TensorMap evaluate_batch_;
  TensorMap train_outputs_;
  TensorMap evaluate_outputs_;
  TensorMap spare_gradients_;
  int64_t epoch_ = 0;
};

}  // namespace rnnc::training

#endif  // RNNC_TRAINING_TRAINER_H
