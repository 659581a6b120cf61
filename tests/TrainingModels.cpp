#include "tests/TrainingModels.h"

#include "frontend/Losses.h"
#include "tests/TestTensors.h"

namespace rnnc {

void BuildLinearRegression(Model& m) {
  Var x = m.Input("x", {dims::N, 2});
  Var prediction = nn::Dense(m, "dense", nn::DenseOptions(2, 1))(x);
  m.Output("prediction", prediction);
  (void)m.SetWeights({{"dense.weight", Tensor({1, 2})}, {"dense.bias", Tensor({1})}});
}

training::Dataset LinearRegressionData() {
  Tensor x({8, 2}, {1, 0, 0, 1, 1, 1, -1, 2, 0.5f, -0.5f, 2, 1, -1, -1, 0.25f, 3});
  Tensor y({8, 1});
  for (int64_t n = 0; n < 8; ++n) y.data()[n] = 2 * x.data()[2 * n] - x.data()[2 * n + 1] + 0.5f;
  training::Dataset data;
  (void)data.Add("x", std::move(x), 0);
  (void)data.Add("y", std::move(y), 0);
  return data;
}

void BuildSignGru(Model& m) {
  Var x = m.Input("x", {dims::T, dims::N, 1});
  Var last = nn::GRU(m, "gru", nn::GRUOptions(1, 8).return_sequences(false))(x);  // (N, 8)
  m.Output("logits", nn::Dense(m, "dense", nn::DenseOptions(8, 2))(last));       // (N, 2)
}

training::Dataset SignData(int64_t examples, uint32_t seed) {
  Tensor x = RandomTensor({5, examples, 1}, seed);
  Tensor y({examples, 2});
  for (int64_t n = 0; n < examples; ++n) {
    double sum = 0;
    for (int64_t t = 0; t < 5; ++t) sum += x.data()[t * examples + n];
    y.data()[n * 2 + (sum > 0 ? 1 : 0)] = 1;
  }
  training::Dataset data;
  (void)data.Add("x", std::move(x), 1);
  (void)data.Add("y", std::move(y), 0);
  return data;
}

absl::Status CompileSignGru(training::Trainer& trainer) {
  return trainer.Compile(std::make_unique<training::Adam>(training::AdamOptions().lr(0.05)),
                         [](Var logits, Var y) { return losses::SoftmaxCrossEntropy(logits, y); },
                         {training::CategoricalAccuracyMetric()});
}

}  // namespace rnnc
