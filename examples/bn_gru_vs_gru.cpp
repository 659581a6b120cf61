// Seed experiment (c): does batch norm help the stacked-GRU classifier?
// The classifier of seed_classifier (GRU 50→128→64, Dense 1 sigmoid) with
// plain GRU layers and with nn::BatchNormGRU layers of the same sizes,
// trained on the same planted-signal data with the same seeds (each seed
// gives the initial weights and the shuffling), Adam, binary cross-entropy,
// batches of 32. For every run: the validation accuracy and loss per epoch,
// the first epoch whose validation accuracy reaches --target, the test
// accuracy; per model, their mean and spread over the seeds; all curves in
// one SVG. After training, each BN-GRU model's batch norms are folded into
// its weights (fold-batch-norm) and the folded model's test outputs must
// equal the unfolded one's within --tolerance.
//
//   build/examples/bn_gru_vs_gru                        # 3 seeds, 10 epochs, llvm
//   build/examples/bn_gru_vs_gru --seeds=1 --epochs=1 --examples=256 --test_examples=64
//
// Ends with "bn_gru_vs_gru: ok" when every check passed.
#include <algorithm>
#include <cmath>
#include <filesystem>
#include <iostream>
#include <map>
#include <numeric>
#include <optional>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "examples/Models.h"
#include "examples/SeedExperiments.h"
#include "passes/Pass.h"
#include "tools/Driver.h"
#include "training/SyntheticTasks.h"
#include "training/TrainingCurves.h"

ABSL_FLAG(std::string, backend, "llvm", "what trains the models: interp or llvm");
ABSL_FLAG(int64_t, seeds, 3, "runs per model, with seeds 0 .. seeds-1");
ABSL_FLAG(int64_t, examples, 4000, "training sequences, the validation split included");
ABSL_FLAG(double, validation_split, 0.2, "the fraction of the training sequences held out");
ABSL_FLAG(int64_t, test_examples, 1000, "test sequences");
ABSL_FLAG(int64_t, steps, rnnc::training::PlantedSignalOptions().steps,
          "time steps T of every sequence");
ABSL_FLAG(int64_t, signal_window, rnnc::training::PlantedSignalOptions().signal_window,
          "the signal is planted at one of the first this many steps");
ABSL_FLAG(double, noise, rnnc::training::PlantedSignalOptions().noise,
          "standard deviation of the noise at every step");
ABSL_FLAG(uint64_t, data_seed, 0, "seed of the data, the same for every run");
ABSL_FLAG(int64_t, epochs, 10, "epochs to train");
ABSL_FLAG(int64_t, batch_size, 32, "sequences per step");
ABSL_FLAG(double, lr, 1e-3, "Adam's learning rate");
ABSL_FLAG(double, target, 0.9, "the validation accuracy whose first epoch is reported");
ABSL_FLAG(std::string, curves, "bn_gru_vs_gru.svg", "where the comparison picture goes (SVG)");
ABSL_FLAG(double, tolerance, 1e-5,
          "largest |difference| allowed between the folded and the unfolded BN-GRU");

namespace {

using namespace rnnc;

int Fail(const absl::Status& status) {
  std::cerr << "bn_gru_vs_gru: error: " << status.message() << "\n";
  return 1;
}

constexpr char kAccuracy[] = "val_binary_accuracy";

// One model trained from one seed.
struct Run {
  training::History history;
  double test_accuracy;
  std::optional<int64_t> epochs_to_target;
};

// The number of batch_norm ops left in `graph`.
int64_t BatchNorms(const ir::Graph& graph) {
  int64_t count = 0;
  ir::WalkOps(graph.body(), [&](ir::Op* op) { count += op->kind() == ir::OpKind::BatchNorm; });
  return count;
}

// The output "y" of `graph` with `weights` on `backend` for the inputs `x`.
absl::StatusOr<Tensor> Predict(const std::string& backend, const ir::Graph& graph,
                               const TensorMap& weights, const TensorMap& x) {
  absl::StatusOr<std::unique_ptr<Executable>> executable = tools::Compile(backend, graph, weights);
  if (!executable.ok()) return executable.status();
  absl::StatusOr<TensorMap> outputs = (*executable)->Run(x);
  if (!outputs.ok()) return outputs.status();
  return std::move(outputs->at("y"));
}

// fold-batch-norm on the trained BN-GRU classifier: no batch_norm may be
// left, and on the test set the folded model must give the unfolded one's
// outputs. The reference is the unfolded model on the interpreter, which
// runs batch_norm as written; the llvm and onednn pipelines fold batch
// norm themselves, so the trainer's predictions on them are compared too.
absl::Status CheckFolded(const ir::Graph& inference, training::Trainer& trainer,
                         const training::Dataset& test, const std::string& backend,
                         double tolerance) {
  const ir::Graph folded = passes::FoldBatchNorm(inference, passes::PassOptions());
  if (const int64_t left = BatchNorms(folded); left != 0) {
    return absl::InternalError(absl::StrFormat(
        "fold-batch-norm left %d of the BN-GRU's %d batch_norm ops", left, BatchNorms(inference)));
  }
  const TensorMap x = {{"x", test.entries().at("x").tensor}};
  absl::StatusOr<Tensor> unfolded = Predict("interp", inference, trainer.weights(), x);
  if (!unfolded.ok()) return unfolded.status();
  absl::StatusOr<Tensor> folded_on_interpreter = Predict("interp", folded, trainer.weights(), x);
  if (!folded_on_interpreter.ok()) return folded_on_interpreter.status();
  absl::StatusOr<Tensor> folded_on_backend = Predict(backend, folded, trainer.weights(), x);
  if (!folded_on_backend.ok()) return folded_on_backend.status();
  absl::StatusOr<Tensor> trainer_predictions = trainer.Predict(x);
  if (!trainer_predictions.ok()) return trainer_predictions.status();
  const std::string reference =
      absl::StrFormat("against the unfolded model (%d batch_norm ops) on the interpreter, test set",
                      BatchNorms(inference));
  for (const auto& [what, outputs] :
       {std::pair{"  folded, on the interpreter,", &*folded_on_interpreter},
        std::pair{"  folded, on the training backend,", &*folded_on_backend},
        std::pair{"  unfolded, on the training backend,", &*trainer_predictions}}) {
    if (absl::Status status = examples::CheckAgreement(absl::StrCat(what, " ", reference), *outputs,
                                                       *unfolded, tolerance, std::cout);
        !status.ok()) {
      return status;
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<Run> Train(examples::Recurrence recurrence, uint64_t seed,
                          const examples::Splits& splits) {
  const std::string backend = absl::GetFlag(FLAGS_backend);
  Model model("bn_gru_vs_gru", seed);
  examples::BuildGruClassifier(model, recurrence);
  absl::StatusOr<ir::Graph> inference = model.Build();  // before the trainer adds the loss
  if (!inference.ok()) return inference.status();
  training::Trainer trainer(model);
  if (absl::Status status =
          examples::CompileBinaryClassifier(trainer, absl::GetFlag(FLAGS_lr), backend);
      !status.ok()) {
    return status;
  }
  training::FitOptions fit;
  fit.epochs = absl::GetFlag(FLAGS_epochs);
  fit.batch_size = absl::GetFlag(FLAGS_batch_size);
  fit.seed = seed;
  fit.validation = &splits.validation;
  fit.progress = training::ProgressStyle::kSilent;
  absl::StatusOr<training::History> history = trainer.Fit(splits.train, fit);
  if (!history.ok()) return history.status();
  examples::PrintHistory(*history, (splits.train.size() + fit.batch_size - 1) / fit.batch_size,
                         std::cout);
  absl::StatusOr<training::MetricValues> test = trainer.Evaluate(splits.test, fit.batch_size);
  if (!test.ok()) return test.status();
  // The training sequences again, through the inference form (running
  // statistics, where training used the batch's): a model that fits its
  // training data and not the validation data has overfitted when this is
  // high, and differs between its two forms when it is not.
  absl::StatusOr<training::MetricValues> refit = trainer.Evaluate(splits.train, fit.batch_size);
  if (!refit.ok()) return refit.status();
  Run run{*std::move(history), (*test)[1].second, std::nullopt};
  const std::vector<double>& accuracy = run.history.metrics.at(kAccuracy);
  for (size_t e = 0; e < accuracy.size(); ++e) {
    if (accuracy[e] >= absl::GetFlag(FLAGS_target)) {
      run.epochs_to_target = run.history.epochs[e];
      break;
    }
  }
  std::cout << absl::StrFormat("  training sequences through the inference form: accuracy %.4f\n",
                               (*refit)[1].second);
  std::cout << absl::StrFormat(
      "  test accuracy %.4f; %s %.2f %s\n", run.test_accuracy, kAccuracy,
      absl::GetFlag(FLAGS_target),
      run.epochs_to_target ? absl::StrFormat("first reached at epoch %d", *run.epochs_to_target)
                           : std::string("not reached"));
  if (recurrence == examples::Recurrence::kBatchNormGru) {
    if (absl::Status status =
            CheckFolded(*inference, trainer, splits.test, backend, absl::GetFlag(FLAGS_tolerance));
        !status.ok()) {
      return status;
    }
  }
  return run;
}

// "mean ± standard deviation (min .. max)" of `values`; the deviation is
// the sample one (n - 1), 0 for one value.
std::string Spread(const std::vector<double>& values) {
  double mean = 0;
  for (double v : values) mean += v / static_cast<double>(values.size());
  double squares = 0;
  for (double v : values) squares += (v - mean) * (v - mean);
  const double deviation =
      values.size() > 1 ? std::sqrt(squares / static_cast<double>(values.size() - 1)) : 0;
  return absl::StrFormat("%.4f ± %.4f (%.4f .. %.4f)", mean, deviation,
                         *std::min_element(values.begin(), values.end()),
                         *std::max_element(values.begin(), values.end()));
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "trains the stacked classifier with GRU and with BN-GRU layers on the same data and seeds "
      "and compares them");
  absl::ParseCommandLine(argc, argv);
  training::PlantedSignalOptions task;
  task.examples = absl::GetFlag(FLAGS_examples) + absl::GetFlag(FLAGS_test_examples);
  task.steps = absl::GetFlag(FLAGS_steps);
  task.signal_window = absl::GetFlag(FLAGS_signal_window);
  task.noise = absl::GetFlag(FLAGS_noise);
  task.seed = absl::GetFlag(FLAGS_data_seed);
  absl::StatusOr<training::Dataset> data = training::PlantedSignalTask(task);
  if (!data.ok()) return Fail(data.status());
  const examples::Splits splits = examples::SplitExamples(*data, absl::GetFlag(FLAGS_examples),
                                                          absl::GetFlag(FLAGS_validation_split));
  const int64_t seeds = absl::GetFlag(FLAGS_seeds);
  std::cout << absl::StrFormat(
      "planted-signal task: T=%d, 50 features, the signal at one of steps 0..%d, noise %g; %d "
      "training, %d validation, %d test sequences; %d seeds, %d epochs, backend %s\n",
      task.steps, task.signal_window - 1, task.noise, splits.train.size(), splits.validation.size(),
      splits.test.size(), seeds, absl::GetFlag(FLAGS_epochs), absl::GetFlag(FLAGS_backend));

  const std::vector<std::pair<std::string, examples::Recurrence>> models = {
      {"GRU", examples::Recurrence::kGru}, {"BN-GRU", examples::Recurrence::kBatchNormGru}};
  std::map<std::string, std::vector<Run>> runs;
  for (int64_t seed = 0; seed < seeds; ++seed) {
    for (const auto& [name, recurrence] : models) {
      std::cout << absl::StrFormat("%s, seed %d:\n", name, seed);
      absl::StatusOr<Run> run = Train(recurrence, static_cast<uint64_t>(seed), splits);
      if (!run.ok()) return Fail(run.status());
      runs[name].push_back(*std::move(run));
    }
  }

  std::cout << absl::StrFormat("\nsummary over %d seeds (target %s %.2f):\n", seeds, kAccuracy,
                               absl::GetFlag(FLAGS_target));
  std::map<std::string, std::vector<training::History>> histories;
  for (const auto& [name, recurrence] : models) {
    std::vector<double> test, final_validation, seconds;
    std::vector<std::string> epochs_to_target;
    for (const Run& run : runs.at(name)) {
      test.push_back(run.test_accuracy);
      final_validation.push_back(run.history.metrics.at(kAccuracy).back());
      double total = 0;
      for (double s : run.history.seconds_per_step) total += s;
      seconds.push_back(total / static_cast<double>(run.history.seconds_per_step.size()) * 1e3);
      epochs_to_target.push_back(run.epochs_to_target ? absl::StrFormat("%d", *run.epochs_to_target)
                                                      : std::string("not reached"));
      histories[name].push_back(run.history);
    }
    std::cout << absl::StrFormat(
        "%-6s test accuracy %s; final validation accuracy %s; epochs to target per seed: %s; "
        "%.1f ms/step mean\n",
        name, Spread(test), Spread(final_validation), absl::StrJoin(epochs_to_target, ", "),
        std::accumulate(seconds.begin(), seconds.end(), 0.0) / static_cast<double>(seconds.size()));
  }
  const std::string curves = absl::GetFlag(FLAGS_curves);
  if (!curves.empty()) {
    if (std::filesystem::path parent = std::filesystem::path(curves).parent_path();
        !parent.empty()) {
      if (absl::Status status = examples::CreateDirectories(parent.string()); !status.ok()) {
        return Fail(status);
      }
    }
    if (absl::Status status = training::WriteComparisonCurves(
            curves, histories,
            absl::StrFormat("GRU vs BN-GRU, stacked classifier on the planted-signal task (T=%d), "
                            "%d seeds, Adam lr %g, batch %d",
                            task.steps, seeds, absl::GetFlag(FLAGS_lr),
                            absl::GetFlag(FLAGS_batch_size)));
        !status.ok()) {
      return Fail(status);
    }
    std::cout << "comparison curves: " << curves << "\n";
  }
  std::cout << "bn_gru_vs_gru: ok\n";
  return 0;
}
