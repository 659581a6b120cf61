// Seed experiment (a): the stacked-GRU binary classifier (GRU 50→128
// returning sequences, GRU 128→64, Dense 1 sigmoid; examples/Models.h)
// trained with Adam on binary cross-entropy, batches of 32, 10 epochs, on
// the planted-signal task (training/SyntheticTasks.h), where the label is
// set in the first steps and asked for after the last, so the model must
// carry it across the sequence. Then the trained model is compiled ahead
// of time into a shared library and its header, the library is loaded,
// and its outputs on the test set must equal the training backend's and
// the interpreter's within --tolerance.
//
//   build/examples/seed_classifier                      # the full experiment, llvm
//   build/examples/seed_classifier --epochs=1 --examples=256 --test_examples=64
//
// Prints the per-epoch metrics and the test accuracy, writes the training
// curves (SVG), the library and the header into --out_dir, and ends with
// "seed_classifier: ok" when every check passed.
#include <chrono>
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_format.h"
#include "examples/Models.h"
#include "examples/SeedExperiments.h"
#include "runtime/CompiledModel.h"
#include "tools/Driver.h"
#include "training/SyntheticTasks.h"
#include "training/TrainingCurves.h"

ABSL_FLAG(std::string, backend, "llvm", "what trains the model: interp or llvm");
ABSL_FLAG(int64_t, examples, 4000, "training sequences, the validation split included");
ABSL_FLAG(double, validation_split, 0.2, "the fraction of the training sequences held out");
ABSL_FLAG(int64_t, test_examples, 1000, "test sequences");
ABSL_FLAG(int64_t, steps, rnnc::training::PlantedSignalOptions().steps,
          "time steps T of every sequence");
ABSL_FLAG(int64_t, signal_window, rnnc::training::PlantedSignalOptions().signal_window,
          "the signal is planted at one of the first this many steps");
ABSL_FLAG(double, noise, rnnc::training::PlantedSignalOptions().noise,
          "standard deviation of the noise at every step");
ABSL_FLAG(int64_t, epochs, 10, "epochs to train");
ABSL_FLAG(int64_t, batch_size, 32, "sequences per step");
ABSL_FLAG(double, lr, 1e-3, "Adam's learning rate");
ABSL_FLAG(uint64_t, seed, 0, "seed of the data, the initial weights and the shuffling");
ABSL_FLAG(std::string, out_dir, "seed_classifier_out",
          "where the curves, the library and its header go");
ABSL_FLAG(double, tolerance, 1e-5, "largest |difference| allowed between the library and the JIT");

namespace {

using namespace rnnc;

int Fail(const absl::Status& status) {
  std::cerr << "seed_classifier: error: " << status.message() << "\n";
  return 1;
}

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

// The fraction of sequences whose probability is on the side of 0.5 that
// their label is (Keras's binary_accuracy).
double BinaryAccuracy(const Tensor& probabilities, const Tensor& labels) {
  int64_t hits = 0;
  for (int64_t i = 0; i < labels.num_elements(); ++i) {
    hits += (probabilities.data()[i] > 0.5f) == (labels.data()[i] == 1);
  }
  return static_cast<double>(hits) / static_cast<double>(labels.num_elements());
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(
      "trains the stacked-GRU classifier on the planted-signal task, compiles it into a shared "
      "library and checks the library against the JIT");
  absl::ParseCommandLine(argc, argv);
  const std::string backend = absl::GetFlag(FLAGS_backend);
  const std::string out_dir = absl::GetFlag(FLAGS_out_dir);
  if (absl::Status status = examples::CreateDirectories(out_dir); !status.ok()) {
    return Fail(status);
  }

  training::PlantedSignalOptions task;
  task.examples = absl::GetFlag(FLAGS_examples) + absl::GetFlag(FLAGS_test_examples);
  task.steps = absl::GetFlag(FLAGS_steps);
  task.signal_window = absl::GetFlag(FLAGS_signal_window);
  task.noise = absl::GetFlag(FLAGS_noise);
  task.seed = absl::GetFlag(FLAGS_seed);
  absl::StatusOr<training::Dataset> data = training::PlantedSignalTask(task);
  if (!data.ok()) return Fail(data.status());
  const examples::Splits splits = examples::SplitExamples(*data, absl::GetFlag(FLAGS_examples),
                                                          absl::GetFlag(FLAGS_validation_split));
  std::cout << absl::StrFormat(
      "planted-signal task: T=%d, 50 features, the signal at one of steps 0..%d, noise %g; %d "
      "training, %d validation, %d test sequences; backend %s\n",
      task.steps, task.signal_window - 1, task.noise, splits.train.size(), splits.validation.size(),
      splits.test.size(), backend);

  Model model("seed_classifier", absl::GetFlag(FLAGS_seed));
  examples::BuildGruClassifier(model);
  training::Trainer trainer(model);
  if (absl::Status status =
          examples::CompileBinaryClassifier(trainer, absl::GetFlag(FLAGS_lr), backend);
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
  std::cout << absl::StrFormat("test: loss %.4f, accuracy %.4f\n", (*test)[0].second,
                               (*test)[1].second);
  const std::string curves = out_dir + "/seed_classifier_curves.svg";
  if (absl::Status status = training::WriteTrainingCurves(
          curves, *history,
          absl::StrFormat("Stacked GRU on the planted-signal task (T=%d), Adam lr %g, batch %d, %s",
                          task.steps, absl::GetFlag(FLAGS_lr), fit.batch_size, backend));
      !status.ok()) {
    return Fail(status);
  }
  std::cout << "training curves: " << curves << "\n";

  // The trained model, ahead of time: a fresh model of the same layers
  // (the trainer's has the loss and targets added) with the trained weights.
  Model trained("seed_classifier", absl::GetFlag(FLAGS_seed));
  examples::BuildGruClassifier(trained);
  if (absl::Status status = trained.SetWeights(trainer.weights()); !status.ok())
    return Fail(status);
  const std::string library = out_dir + "/libseed_classifier.so";
  const std::string header = out_dir + "/seed_classifier.h";
  const auto compile_start = std::chrono::steady_clock::now();
  if (absl::Status status = trained.CompileToSharedLibrary(library, header); !status.ok()) {
    return Fail(status);
  }
  std::cout << absl::StrFormat("compiled the trained model: %s, %s (%.1f s)\n", library, header,
                               Seconds(compile_start));
  absl::StatusOr<std::unique_ptr<Executable>> loaded = LoadCompiledModel(library);
  if (!loaded.ok()) return Fail(loaded.status());

  const TensorMap test_x = {{"x", splits.test.entries().at("x").tensor}};
  const Tensor& test_y = splits.test.entries().at("y").tensor;
  absl::StatusOr<TensorMap> from_library = (*loaded)->Run(test_x);
  if (!from_library.ok()) return Fail(from_library.status());
  absl::StatusOr<Tensor> from_backend = trainer.Predict(test_x);
  if (!from_backend.ok()) return Fail(from_backend.status());
  absl::StatusOr<ir::Graph> graph = trained.Build();
  if (!graph.ok()) return Fail(graph.status());
  absl::StatusOr<std::unique_ptr<Executable>> interpreter =
      tools::Compile("interp", *graph, trained.weights());
  if (!interpreter.ok()) return Fail(interpreter.status());
  absl::StatusOr<TensorMap> from_interpreter = (*interpreter)->Run(test_x);
  if (!from_interpreter.ok()) return Fail(from_interpreter.status());
  const Tensor& y = from_library->at("y");
  const double tolerance = absl::GetFlag(FLAGS_tolerance);
  for (absl::Status status :
       {examples::CheckAgreement(
            absl::StrFormat("the .so against the %s backend on the test set", backend), y,
            *from_backend, tolerance, std::cout),
        examples::CheckAgreement("the .so against the interpreter on the test set", y,
                                 from_interpreter->at("y"), tolerance, std::cout)}) {
    if (!status.ok()) return Fail(status);
  }
  std::cout << absl::StrFormat("test accuracy of the .so: %.4f (the trainer's %.4f)\n",
                               BinaryAccuracy(y, test_y), (*test)[1].second);
  std::cout << "seed_classifier: ok\n";
  return 0;
}
