// Trains a GRU classifier on Fashion-MNIST with the Keras-style Trainer:
// GRU(28→128) → Dense(10), softmax cross-entropy, Adam(lr 1e-3), batches of
// 64, the test set as validation after every epoch; prints the progress,
// then per epoch the loss, the test accuracy and the seconds of the training
// steps and of the test pass (the line bench/peers/torch_fashion_mnist.py
// prints too), and writes the training curves as SVG.
//
//   build/examples/fashion_mnist                                 # 3 epochs, interp
//   build/examples/fashion_mnist --backend=llvm
//   build/examples/fashion_mnist --max_steps_per_epoch=20 --max_test_examples=640
//
// The data are Debian's dataset-fashion-mnist (scripts/setup.sh installs it).
#include <iostream>
#include <memory>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_format.h"
#include "examples/Models.h"
#include "frontend/Losses.h"
#include "tools/Driver.h"
#include "training/ImageDatasets.h"
#include "training/TrainingCurves.h"
#include "training/Trainer.h"

ABSL_FLAG(std::string, data_dir, rnnc::training::kFashionMnistDirectory,
          "folder with Fashion-MNIST's four .gz IDX files");
ABSL_FLAG(std::string, backend, "interp", "what runs the training graph: interp or llvm");
ABSL_FLAG(int64_t, epochs, 3, "epochs to train");
ABSL_FLAG(int64_t, batch_size, 64, "examples per step");
ABSL_FLAG(double, lr, 1e-3, "Adam's learning rate");
ABSL_FLAG(uint64_t, seed, 0, "seed of the initial weights and of the shuffling");
ABSL_FLAG(int64_t, max_steps_per_epoch, 0, "> 0: stop every epoch after this many steps");
ABSL_FLAG(int64_t, max_test_examples, 0, "> 0: validate on the first this many test images");
ABSL_FLAG(std::string, curves, "fashion_mnist_curves.svg", "where the training curves go (SVG)");
ABSL_FLAG(std::string, checkpoint, "", "if set, a checkpoint written there after every epoch");

namespace {

using namespace rnnc;

int Fail(const absl::Status& status) {
  std::cerr << "fashion_mnist: error: " << status.message() << "\n";
  return 1;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage("trains a GRU classifier on Fashion-MNIST");
  absl::ParseCommandLine(argc, argv);
  const std::string dir = absl::GetFlag(FLAGS_data_dir);
  absl::StatusOr<training::Dataset> train = training::LoadFashionMnist(dir, "train");
  if (!train.ok()) return Fail(train.status());
  absl::StatusOr<training::Dataset> test = training::LoadFashionMnist(dir, "t10k");
  if (!test.ok()) return Fail(test.status());
  if (const int64_t n = absl::GetFlag(FLAGS_max_test_examples); n > 0 && n < test->size()) {
    *test = test->Slice(0, n);
  }

  Model model("fashion_mnist_gru", absl::GetFlag(FLAGS_seed));
  examples::BuildFashionMnistGru(model);
  training::Trainer trainer(model);
  training::CompileOptions options;
  const std::string backend = absl::GetFlag(FLAGS_backend);
  options.compile = [backend](const ir::Graph& graph, TensorMap weights) {
    return tools::Compile(backend, graph, std::move(weights));
  };
  absl::Status compiled = trainer.Compile(
      std::make_unique<training::Adam>(training::AdamOptions().lr(absl::GetFlag(FLAGS_lr))),
      [](Var logits, Var y) { return losses::SoftmaxCrossEntropy(logits, y); },
      {training::CategoricalAccuracyMetric()}, options);
  if (!compiled.ok()) return Fail(compiled);

  training::FitOptions fit;
  fit.epochs = absl::GetFlag(FLAGS_epochs);
  fit.batch_size = absl::GetFlag(FLAGS_batch_size);
  fit.seed = absl::GetFlag(FLAGS_seed);
  fit.validation = &*test;
  fit.max_steps_per_epoch = absl::GetFlag(FLAGS_max_steps_per_epoch);
  fit.checkpoint_path = absl::GetFlag(FLAGS_checkpoint);
  std::cout << absl::StrFormat("Fashion-MNIST: %d training, %d test images; backend %s\n",
                               train->size(), test->size(), backend);
  absl::StatusOr<training::History> history = trainer.Fit(*train, fit);
  if (!history.ok()) return Fail(history.status());

  for (size_t e = 0; e < history->epochs.size(); ++e) {
    std::cout << absl::StrFormat(
        "epoch %d: loss %.4f, test accuracy %.4f, training %.2f s (%.2f ms per step), "
        "test %.2f s\n",
        history->epochs[e], history->metrics.at("loss")[e], history->metrics.at("val_accuracy")[e],
        history->training_seconds[e], history->seconds_per_step[e] * 1e3,
        history->validation_seconds[e]);
  }
  const std::string curves = absl::GetFlag(FLAGS_curves);
  if (!curves.empty()) {
    absl::Status written = training::WriteTrainingCurves(
        curves, *history,
        absl::StrFormat("GRU(128) on Fashion-MNIST, Adam lr %g, batch %d, %s", absl::GetFlag(FLAGS_lr),
                        fit.batch_size, backend));
    if (!written.ok()) return Fail(written);
    std::cout << "training curves: " << curves << "\n";
  }
  return 0;
}
