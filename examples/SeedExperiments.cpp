// The pieces the seed experiment programs share (SeedExperiments.h).
#include "examples/SeedExperiments.h"

#include <cmath>
#include <filesystem>
#include <memory>

#include "absl/strings/str_format.h"
#include "frontend/Losses.h"
#include "tools/Driver.h"

namespace rnnc::examples {

absl::Status CreateDirectories(const std::string& directory) {
  std::error_code error;
  std::filesystem::create_directories(directory, error);
  if (error) return absl::InternalError(absl::StrFormat("%s: %s", directory, error.message()));
  return absl::OkStatus();
}

training::CompileFunction BackendCompileFunction(const std::string& backend) {
  return [backend](const ir::Graph& graph, TensorMap weights) {
    return tools::Compile(backend, graph, std::move(weights));
  };
}

Splits SplitExamples(const training::Dataset& data, int64_t training, double validation_fraction) {
  const int64_t validation = std::llround(static_cast<double>(training) * validation_fraction);
  return {data.Slice(0, training - validation), data.Slice(training - validation, training),
          data.Slice(training, data.size())};
}

absl::Status CompileBinaryClassifier(training::Trainer& trainer, double lr,
                                     const std::string& backend) {
  training::CompileOptions options;
  options.compile = BackendCompileFunction(backend);
  return trainer.Compile(
      std::make_unique<training::Adam>(training::AdamOptions().lr(lr)),
      [](Var p, Var y) { return losses::BinaryCrossEntropy(p, y); },
      {training::BinaryAccuracyMetric()}, options);
}

void PrintHistory(const training::History& history, int64_t steps_per_epoch, std::ostream& out) {
  for (size_t e = 0; e < history.epochs.size(); ++e) {
    std::string line = absl::StrFormat("epoch %2d:", history.epochs[e]);
    for (const auto& [name, values] : history.metrics) {
      absl::StrAppendFormat(&line, " %s %.4f", name, values[e]);
    }
    const double step = history.seconds_per_step[e];
    absl::StrAppendFormat(&line, ", %.1f ms/step, %.2f s/epoch", step * 1e3,
                          step * steps_per_epoch);
    out << line << "\n";
  }
}

absl::Status CheckAgreement(const std::string& what, const Tensor& got, const Tensor& want,
                            double tolerance, std::ostream& out) {
  if (got.shape() != want.shape()) {
    return absl::InternalError(absl::StrFormat("%s: shapes %s and %s differ", what,
                                               got.ShapeString(), want.ShapeString()));
  }
  double worst = 0;
  int64_t at = 0;
  for (int64_t i = 0; i < got.num_elements(); ++i) {
    const double difference = std::abs(static_cast<double>(got.data()[i]) - want.data()[i]);
    // A NaN anywhere is a disagreement, whatever the other side holds.
    if (!(difference <= worst)) {
      worst = std::isnan(difference) ? INFINITY : difference;
      at = i;
    }
  }
  out << absl::StrFormat("%s: max |difference| %.3g over %d values (tolerance %g)\n", what, worst,
                         got.num_elements(), tolerance);
  if (worst <= tolerance) return absl::OkStatus();
  return absl::InternalError(
      absl::StrFormat("%s: element %d is %.9g and %.9g, %.3g apart; the tolerance is %g", what, at,
                      got.data()[at], want.data()[at], worst, tolerance));
}

}  // namespace rnnc::examples
