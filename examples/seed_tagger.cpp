// Seed experiment (b): the bidirectional GRU tagger (examples/Models.h: a
// bidirectional GRU of 32 units per direction and a Dense head per step)
// trained with Adam on softmax cross-entropy, batches of 32, 10 epochs, on
// the repeat-tagging task (training/SyntheticTasks.h), whose tag at step t
// says whether the symbol at t repeats the one `lag` steps before, the one
// `lag` steps after, both or neither: a forward GRU alone cannot see the
// second half of that.
//
//   build/examples/seed_tagger                          # the full experiment, llvm
//   build/examples/seed_tagger --epochs=1 --examples=256 --test_examples=64
//
// Prints the per-epoch metrics and the per-step test accuracy, writes the
// training curves (SVG) into --out_dir, and ends with "seed_tagger: ok".
#include <algorithm>
#include <iostream>
#include <memory>
#include <vector>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_format.h"
#include "examples/Models.h"
#include "examples/SeedExperiments.h"
#include "frontend/Losses.h"
#include "training/SyntheticTasks.h"
#include "training/TrainingCurves.h"

ABSL_FLAG(std::string, backend, "llvm", "what trains the model: interp or llvm");
ABSL_FLAG(int64_t, examples, 4000, "training sequences, the validation split included");
ABSL_FLAG(double, validation_split, 0.2, "the fraction of the training sequences held out");
ABSL_FLAG(int64_t, test_examples, 1000, "test sequences");
ABSL_FLAG(int64_t, steps, rnnc::training::RepeatTaggingOptions().steps,
          "time steps T of every sequence");
ABSL_FLAG(int64_t, symbols, rnnc::training::RepeatTaggingOptions().symbols,
          "size of the alphabet (one-hot inputs)");
ABSL_FLAG(int64_t, lag, rnnc::training::RepeatTaggingOptions().lag,
          "how far back and ahead a repeat is looked for");
ABSL_FLAG(int64_t, epochs, 10, "epochs to train");
ABSL_FLAG(int64_t, batch_size, 32, "sequences per step");
ABSL_FLAG(double, lr, 1e-3, "Adam's learning rate");
ABSL_FLAG(uint64_t, seed, 0, "seed of the data, the initial weights and the shuffling");
ABSL_FLAG(std::string, out_dir, "seed_tagger_out", "where the curves go");

namespace {

using namespace rnnc;

int Fail(const absl::Status& status) {
  std::cerr << "seed_tagger: error: " << status.message() << "\n";
  return 1;
}

// The share of the steps whose tag is the most frequent one: the accuracy
// of a tagger that ignores its input.
double MostFrequentTagShare(const Tensor& one_hot) {
  std::vector<double> counts(training::kRepeatTags);
  for (int64_t i = 0; i < one_hot.num_elements(); ++i) {
    counts[i % training::kRepeatTags] += one_hot.data()[i];
  }
  return *std::max_element(counts.begin(), counts.end()) /
         static_cast<double>(one_hot.num_elements() / training::kRepeatTags);
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage("trains the bidirectional GRU tagger on the repeat-tagging task");
  absl::ParseCommandLine(argc, argv);
  const std::string backend = absl::GetFlag(FLAGS_backend);
  const std::string out_dir = absl::GetFlag(FLAGS_out_dir);
  if (absl::Status status = examples::CreateDirectories(out_dir); !status.ok()) {
    return Fail(status);
  }

  training::RepeatTaggingOptions task;
  task.examples = absl::GetFlag(FLAGS_examples) + absl::GetFlag(FLAGS_test_examples);
  task.steps = absl::GetFlag(FLAGS_steps);
  task.symbols = absl::GetFlag(FLAGS_symbols);
  task.lag = absl::GetFlag(FLAGS_lag);
  task.seed = absl::GetFlag(FLAGS_seed);
  absl::StatusOr<training::Dataset> data = training::RepeatTaggingTask(task);
  if (!data.ok()) return Fail(data.status());
  const examples::Splits splits = examples::SplitExamples(*data, absl::GetFlag(FLAGS_examples),
                                                          absl::GetFlag(FLAGS_validation_split));
  std::cout << absl::StrFormat(
      "repeat-tagging task: T=%d, %d symbols, lag %d, %d tags; %d training, %d validation, %d "
      "test sequences; backend %s\n",
      task.steps, task.symbols, task.lag, training::kRepeatTags, splits.train.size(),
      splits.validation.size(), splits.test.size(), backend);

  Model model("seed_tagger", absl::GetFlag(FLAGS_seed));
  examples::TaggerOptions layers;
  layers.features = task.symbols;
  layers.tags = training::kRepeatTags;
  layers.activation = "linear";  // logits; the softmax is in the loss
  examples::BuildGruTagger(model, layers);
  training::Trainer trainer(model);
  training::CompileOptions options;
  options.compile = examples::BackendCompileFunction(backend);
  if (absl::Status status = trainer.Compile(
          std::make_unique<training::Adam>(training::AdamOptions().lr(absl::GetFlag(FLAGS_lr))),
          [](Var logits, Var y) { return losses::SoftmaxCrossEntropy(logits, y); },
          {training::CategoricalAccuracyMetric()}, options);
      !status.ok()) {
    return Fail(status);
  }
  training::FitOptions fit;
  fit.epochs = absl::GetFlag(FLAGS_epochs);
  fit.batch_size = absl::GetFlag(FLAGS_batch_size);
  fit.seed = absl::GetFlag(FLAGS_seed);
  fit.validation = &splits.validation;
  fit.progress = training::ProgressStyle::kLines;
  absl::StatusOr<training::History> history = trainer.Fit(splits.train, fit);
  if (!history.ok()) return Fail(history.status());
  const int64_t steps_per_epoch = (splits.train.size() + fit.batch_size - 1) / fit.batch_size;
  examples::PrintHistory(*history, steps_per_epoch, std::cout);
  absl::StatusOr<training::MetricValues> test = trainer.Evaluate(splits.test, fit.batch_size);
  if (!test.ok()) return Fail(test.status());
  std::cout << absl::StrFormat(
      "test: loss %.4f, per-step accuracy %.4f over %d steps (always the most frequent tag: "
      "%.4f)\n",
      (*test)[0].second, (*test)[1].second, splits.test.size() * task.steps,
      MostFrequentTagShare(splits.test.entries().at("y").tensor));
  const std::string curves = out_dir + "/seed_tagger_curves.svg";
  if (absl::Status status = training::WriteTrainingCurves(
          curves, *history,
          absl::StrFormat("Bidirectional GRU tagger on the repeat-tagging task (T=%d, lag %d), %s",
                          task.steps, task.lag, backend));
      !status.ok()) {
    return Fail(status);
  }
  std::cout << "training curves: " << curves << "\n";
  std::cout << "seed_tagger: ok\n";
  return 0;
}
