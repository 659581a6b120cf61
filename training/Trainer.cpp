// The Trainer (see Trainer.h): building the training graphs once, and the
// loops of fit, evaluate and PyTorch-style steps over them.
#include "training/Trainer.h"

#include <chrono>
#include <iostream>
#include <optional>
#include <utility>

#include "absl/container/flat_hash_set.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "backends/interp/Interpreter.h"
#include "frontend/Losses.h"
#include "runtime/Weights.h"
#include "training/Checkpoint.h"
#include "training/Differentiate.h"
#include "training/ParamsAsInputs.h"
#include "training/StatisticsUpdates.h"
#include "training/TrainingForm.h"

namespace rnnc::training {

CompileFunction InterpreterCompileFunction() {
  return [](const ir::Graph& graph, TensorMap weights) {
    return interp::CompileForInterpreter(graph, std::move(weights));
  };
}

Metric CategoricalAccuracyMetric() {
  return {"accuracy", [](Var p, Var y) { return losses::CategoricalAccuracy(p, y); }};
}

Metric BinaryAccuracyMetric() {
  return {"binary_accuracy", [](Var p, Var y) { return losses::BinaryAccuracy(p, y); }};
}

namespace {

// Σ of each score weighed by its batch's size, for exact means over the
// examples of an epoch.
class ScoreMeans {
 public:
  void Add(const MetricValues& scores, int64_t examples) {
    if (sums_.empty()) sums_.assign(scores.size(), 0.0);
    for (size_t i = 0; i < scores.size(); ++i) sums_[i] += scores[i].second * examples;
    names_ = scores;
    examples_ += examples;
  }
  MetricValues Means() const {
    MetricValues means = names_;
    for (size_t i = 0; i < means.size(); ++i) means[i].second = sums_[i] / examples_;
    return means;
  }

 private:
  MetricValues names_;
  std::vector<double> sums_;
  int64_t examples_ = 0;
};

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

}  // namespace

absl::Status Trainer::Compile(std::unique_ptr<Optimizer> optimizer, LossFunction loss,
                              std::vector<Metric> metrics, CompileOptions options) {
  if (train_) return absl::FailedPreconditionError("trainer: Compile was called already");
  if (!optimizer || !loss) {
    return absl::InvalidArgumentError("trainer: Compile needs an optimizer and a loss");
  }
  absl::StatusOr<ir::Graph> predict = model_.Build();
  if (!predict.ok()) return predict.status();
  const ir::GraphOutput* prediction = nullptr;
  for (const ir::GraphOutput& output : predict->outputs()) {
    if (options.prediction.empty() || output.name == options.prediction) prediction = &output;
  }
  if (prediction == nullptr || (options.prediction.empty() && predict->outputs().size() != 1)) {
    std::vector<std::string> names;
    for (const ir::GraphOutput& output : predict->outputs()) names.push_back(output.name);
    return absl::InvalidArgumentError(absl::StrFormat(
        "trainer: %s; the model's outputs are: %s",
        options.prediction.empty()
            ? "the model must have exactly one output, or CompileOptions::prediction name one"
            : absl::StrCat("the model has no output named '", options.prediction, "'"),
        absl::StrJoin(names, ", ")));
  }
  // UniqueName gives the name back only when no value has it.
  if (predict->UniqueName(options.target) != options.target) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "trainer: the model already has a value named '%s' for the targets; set "
        "CompileOptions::target to another name",
        options.target));
  }
  absl::flat_hash_set<std::string> names = {"loss"};
  for (const ir::GraphOutput& output : predict->outputs()) {
    if (!names.insert(output.name).second) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "trainer: the model has an output named '%s', the name of the loss Compile adds",
          output.name));
    }
  }
  for (const Metric& metric : metrics) {
    if (!names.insert(metric.name).second || !metric.build) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "trainer: metric '%s' is named twice (\"loss\" and the model's outputs are taken) "
          "or has no function",
          metric.name));
    }
  }

  // The model's own Value is the prediction: the loss and metrics are
  // built on it in the DSL, as a user would write them.
  Var predictions;
  for (const ir::GraphOutput& output : model_.graph().outputs()) {
    if (output.name == prediction->name) predictions = Var(&model_, output.value);
  }
  prediction_name_ = prediction->name;
  Var targets = model_.Input(options.target, predictions.type());
  model_.Output("loss", loss(predictions, targets));
  score_names_ = {"loss"};
  for (const Metric& metric : metrics) {
    model_.Output(metric.name, metric.build(predictions, targets));
    score_names_.push_back(metric.name);
  }
  absl::StatusOr<ir::Graph> forward = model_.Build();
  if (!forward.ok()) return forward.status();

  DifferentiateOptions differentiate;
  differentiate.loss = "loss";
  differentiate.truncate_bptt = options.truncate_bptt;
  // Training runs the training form (batch norm on batch statistics); the
  // evaluation and prediction graphs are the inference form.
  const ir::Graph train_form = TrainingForm(*forward);
  absl::StatusOr<ir::Graph> gradients = Differentiate(train_form, differentiate);
  if (!gradients.ok()) return gradients.status();
  const std::vector<std::string> assigned = AssignedParams(train_form);
  absl::StatusOr<std::unique_ptr<Executable>> train =
      options.compile(ParamsAsInputs(*gradients), TensorMap());
  if (!train.ok()) return train.status();

  predict_graph_ = ParamsAsInputs(*predict);
  evaluate_graph_ = ParamsAsInputs(*forward);
  train_ = *std::move(train);
  optimizer_ = std::move(optimizer);
  initial_lr_ = optimizer_->lr();
  options_ = std::move(options);
  weights_ = model_.weights();
  assigned_params_ = {assigned.begin(), assigned.end()};
  return absl::OkStatus();
}

absl::Status Trainer::CheckCompiled(const char* what) const {
  if (train_) return absl::OkStatus();
  return absl::FailedPreconditionError(
      absl::StrFormat("trainer: %s before Compile; call Compile first", what));
}

absl::Status Trainer::Run(Executable& executable, TensorMap& batch, TensorMap& outputs) {
  for (const auto& [name, tensor] : batch) {
    if (weights_.contains(name)) {
      return absl::InvalidArgumentError(absl::StrFormat(
          "trainer: batch tensor '%s' has the name of a weight of the model", name));
    }
  }
  // The batch's tensors join the weights' map for the run and leave it
  // after: nodes move, no tensor is copied.
  std::vector<std::string> names;
  while (!batch.empty()) {
    names.push_back(batch.begin()->first);
    weights_.insert(batch.extract(batch.begin()));
  }
  absl::Status status = executable.Run(weights_, outputs);
  for (const std::string& name : names) batch.insert(weights_.extract(name));
  return status;
}

MetricValues Trainer::Scores(const TensorMap& outputs) const {
  MetricValues scores;
  for (const std::string& name : score_names_) {
    scores.emplace_back(name, outputs.at(name).data()[0]);
  }
  return scores;
}

absl::StatusOr<Executable*> Trainer::Lazily(std::unique_ptr<Executable>& executable,
                                            const ir::Graph& graph) {
  if (!executable) {
    absl::StatusOr<std::unique_ptr<Executable>> compiled = options_.compile(graph, TensorMap());
    if (!compiled.ok()) return compiled.status();
    executable = *std::move(compiled);
  }
  return executable.get();
}

void Trainer::ZeroGrad() {
  spare_gradients_.merge(gradients_);
  gradients_.clear();
}

absl::StatusOr<MetricValues> Trainer::Backward(const TensorMap& batch) {
  batch_ = batch;
  return BackwardOnBatch();
}

absl::StatusOr<MetricValues> Trainer::BackwardOnBatch() {
  if (absl::Status status = CheckCompiled("Backward"); !status.ok()) return status;
  if (absl::Status status = Run(*train_, batch_, train_outputs_); !status.ok()) return status;
  // As PyTorch's forward in train(): the running statistics move now.
  if (absl::Status status = ApplyStatisticsUpdates(train_outputs_, weights_); !status.ok()) {
    return status;
  }
  for (auto& [name, tensor] : train_outputs_) {
    if (!name.starts_with("grad.") || assigned_params_.contains(name.substr(5))) continue;
    if (auto it = gradients_.find(name); it != gradients_.end()) {
      std::vector<float>& sum = it->second.values();
      for (size_t e = 0; e < sum.size(); ++e) sum[e] += tensor.values()[e];
      continue;
    }
    // The first gradient since ZeroGrad is taken, not copied: the output
    // gets the buffer ZeroGrad set aside, which the next run overwrites.
    auto spare = spare_gradients_.extract(name);
    if (spare.empty()) {
      gradients_.emplace(name, std::move(tensor));
      tensor = Tensor();
    } else {
      std::swap(spare.mapped(), tensor);
      gradients_.insert(std::move(spare));
    }
  }
  return Scores(train_outputs_);
}

absl::Status Trainer::Step() {
  if (absl::Status status = CheckCompiled("Step"); !status.ok()) return status;
  if (gradients_.empty()) {
    return absl::FailedPreconditionError(
        "trainer: Step with no gradients; call Backward after ZeroGrad first");
  }
  // The running statistics are assigned by Backward, not descended: they
  // sit out the optimizer's step.
  TensorMap statistics;
  for (const std::string& name : assigned_params_) {
    statistics.insert(weights_.extract(name));
  }
  absl::Status stepped = optimizer_->Step(weights_, gradients_);
  weights_.merge(statistics);
  return stepped;
}

absl::StatusOr<MetricValues> Trainer::Evaluate(const Dataset& data, int64_t batch_size) {
  if (absl::Status status = CheckCompiled("Evaluate"); !status.ok()) return status;
  if (batch_size < 1 || data.size() == 0) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "trainer: Evaluate on %d examples in batches of %d; expected both >= 1", data.size(),
        batch_size));
  }
  absl::StatusOr<Executable*> executable = Lazily(evaluate_, evaluate_graph_);
  if (!executable.ok()) return executable.status();
  ScoreMeans means;
  for (const std::vector<int64_t>& indices :
       EpochBatches(data.size(), batch_size, /*shuffle=*/false, 0, 0)) {
    data.Gather(indices, evaluate_batch_);
    if (absl::Status status = Run(**executable, evaluate_batch_, evaluate_outputs_);
        !status.ok()) {
      return status;
    }
    means.Add(Scores(evaluate_outputs_), static_cast<int64_t>(indices.size()));
  }
  return means.Means();
}

absl::StatusOr<Tensor> Trainer::Predict(const TensorMap& inputs) {
  if (absl::Status status = CheckCompiled("Predict"); !status.ok()) return status;
  absl::StatusOr<Executable*> executable = Lazily(predict_, predict_graph_);
  if (!executable.ok()) return executable.status();
  TensorMap batch = inputs;
  TensorMap outputs;
  if (absl::Status status = Run(**executable, batch, outputs); !status.ok()) return status;
  return std::move(outputs.at(prediction_name_));
}

absl::StatusOr<History> Trainer::Fit(const Dataset& data, const FitOptions& options) {
  if (absl::Status status = CheckCompiled("Fit"); !status.ok()) return status;
  if (options.batch_size < 1 || data.size() == 0) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "trainer: Fit on %d examples in batches of %d; expected both >= 1", data.size(),
        options.batch_size));
  }
  std::ostream& out = options.out != nullptr ? *options.out : std::cout;
  const bool bar = options.progress == ProgressStyle::kBar ||
                   (options.progress == ProgressStyle::kAuto && &out == &std::cout &&
                    StdoutIsTerminal());
  History history;
  for (int64_t epoch = epoch_; epoch < options.epochs; ++epoch) {
    optimizer_->set_lr(options_.schedule(initial_lr_, epoch));
    std::vector<std::vector<int64_t>> batches =
        EpochBatches(data.size(), options.batch_size, options.shuffle, options.seed, epoch);
    if (options.max_steps_per_epoch > 0 &&
        static_cast<int64_t>(batches.size()) > options.max_steps_per_epoch) {
      batches.resize(options.max_steps_per_epoch);
    }
    std::optional<ProgressBar> progress;
    if (options.progress != ProgressStyle::kSilent) {
      progress.emplace(out, bar, epoch + 1, options.epochs, static_cast<int64_t>(batches.size()));
    }
    const auto start = std::chrono::steady_clock::now();
    ScoreMeans means;
    for (size_t step = 0; step < batches.size(); ++step) {
      ZeroGrad();
      data.Gather(batches[step], batch_);
      absl::StatusOr<MetricValues> scores = BackwardOnBatch();
      if (!scores.ok()) return scores.status();
      if (options.clip_global_norm > 0) ClipGradientsByGlobalNorm(gradients_, options.clip_global_norm);
      if (absl::Status stepped = Step(); !stepped.ok()) return stepped;
      means.Add(*scores, static_cast<int64_t>(batches[step].size()));
      if (progress) progress->Update(static_cast<int64_t>(step) + 1, means.Means(), Seconds(start));
    }
    const double seconds = Seconds(start);
    epoch_ = epoch + 1;
    MetricValues results = means.Means();
    const auto validation_start = std::chrono::steady_clock::now();
    if (options.validation != nullptr) {
      absl::StatusOr<MetricValues> validation = Evaluate(*options.validation, options.batch_size);
      if (!validation.ok()) return validation.status();
      for (const auto& [name, value] : *validation) results.emplace_back("val_" + name, value);
    }
    history.epochs.push_back(epoch_);
    for (const auto& [name, value] : results) history.metrics[name].push_back(value);
    history.seconds_per_step.push_back(seconds / static_cast<double>(batches.size()));
    history.training_seconds.push_back(seconds);
    history.validation_seconds.push_back(Seconds(validation_start));
    if (progress) progress->Finish(results, seconds);
    if (!options.checkpoint_path.empty()) {
      if (absl::Status saved = SaveCheckpoint(options.checkpoint_path); !saved.ok()) return saved;
    }
  }
  return history;
}

absl::Status Trainer::SaveCheckpoint(const std::string& path) const {
  if (absl::Status status = CheckCompiled("SaveCheckpoint"); !status.ok()) return status;
  Checkpoint checkpoint;
  checkpoint.weights = weights_;
  checkpoint.optimizer = optimizer_->name();
  checkpoint.optimizer_steps = optimizer_->steps();
  checkpoint.optimizer_state = optimizer_->State();
  checkpoint.epoch = epoch_;
  return WriteCheckpoint(path, checkpoint);
}

absl::Status Trainer::LoadCheckpoint(const std::string& path) {
  if (absl::Status status = CheckCompiled("LoadCheckpoint"); !status.ok()) return status;
  absl::StatusOr<Checkpoint> checkpoint = ReadCheckpoint(path);
  if (!checkpoint.ok()) return checkpoint.status();
  if (checkpoint->optimizer != optimizer_->name()) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "%s: the checkpoint's optimizer is '%s', this trainer's is '%s'", path,
        checkpoint->optimizer, optimizer_->name()));
  }
  absl::StatusOr<ir::Graph> graph = model_.Build();
  if (!graph.ok()) return graph.status();
  if (absl::Status fits = CheckWeights(*graph, checkpoint->weights); !fits.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", fits.message()));
  }
  if (absl::Status restored = optimizer_->RestoreState(
          checkpoint->optimizer_state, checkpoint->optimizer_steps, checkpoint->weights);
      !restored.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(path, ": ", restored.message()));
  }
  weights_ = std::move(checkpoint->weights);
  epoch_ = checkpoint->epoch;
  gradients_.clear();
  return absl::OkStatus();
}

}  // namespace rnnc::training
