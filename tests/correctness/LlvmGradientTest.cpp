// Training's gradient graphs on the LLVM backend against the interpreter:
// a recurrent encoder → Dense classifier under every loss of
// frontend/Losses.h (BCE on probabilities and on logits, MSE, softmax
// cross-entropy), and every encoder (GRU with the reset after and before
// the recurrent matmul, LSTM, RNN, bidirectional, stacked, a per-step
// tagger) under softmax cross-entropy, differentiated and compiled once,
// then run with symbolic T and N bound to several sizes (N above the
// inline-GEMM limit included). Every output (the loss and each grad.*)
// must equal the interpreter's within 1e-5 relative + 1e-6 absolute.
//
// Also truncated BPTT with input gradients, nested scans, and the form
// training runs: the params turned into inputs, so that one executable
// serves every step with the current weights passed in.
#include <functional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "backends/interp/Interpreter.h"
#include "backends/llvm/LlvmBackend.h"
#include "frontend/DSL.h"
#include "frontend/Losses.h"
#include "gtest/gtest.h"
#include "ir/Parser.h"
#include "tests/TestTensors.h"
#include "training/Differentiate.h"
#include "training/ParamsAsInputs.h"

namespace rnnc {
namespace {

using dims::N;
using dims::T;

constexpr double kRelativeTolerance = 1e-5;
constexpr double kAbsoluteTolerance = 1e-6;
constexpr int64_t kFeatures = 5;
constexpr int64_t kHidden = 12;
constexpr int64_t kClasses = 4;

const std::vector<ir::BoundDims> kShapes = {
    {{"T", 6}, {"N", 3}}, {{"T", 1}, {"N", 1}}, {{"T", 4}, {"N", 40}}};

enum class Loss { kBce, kBceWithLogits, kMse, kSoftmaxCrossEntropy };
enum class Encoder { kGruAfter, kGruBefore, kLstm, kRnn, kBidirectionalGru, kStackedGru, kTagger };

// Test names, in the enums' order.
std::string LossName(Loss loss) {
  const char* names[] = {"bce", "bce_logits", "mse", "softmax_cross_entropy"};
  return names[static_cast<int>(loss)];
}

std::string EncoderName(Encoder encoder) {
  const char* names[] = {"gru_after",         "gru_before",  "lstm",  "rnn",
                         "bidirectional_gru", "stacked_gru", "tagger"};
  return names[static_cast<int>(encoder)];
}

// x (T, N, kFeatures) → encoder → Dense → loss against target y: the last
// step's features (N, H_out) for a classifier, every step's (T, N, H_out)
// for the tagger.
ir::Graph BuildClassifier(Encoder encoder, Loss loss) {
  Model m("classifier", /*seed=*/3);
  Var x = m.Input("x", {T, N, kFeatures});
  nn::RecurrentOptions options(kFeatures, kHidden);
  options.return_sequences(encoder == Encoder::kTagger);
  if (encoder == Encoder::kGruBefore) options.reset(nn::Reset::kBefore);
  if (encoder == Encoder::kBidirectionalGru || encoder == Encoder::kTagger) {
    options.bidirectional(true);
  }
  if (encoder == Encoder::kStackedGru) options.num_layers(2);
  Var features;
  switch (encoder) {
    case Encoder::kLstm:
      features = nn::LSTM(m, "encoder", options)(x);
      break;
    case Encoder::kRnn:
      features = nn::RNN(m, "encoder", options)(x);
      break;
    default:
      features = nn::GRU(m, "encoder", options)(x);
  }
  const int64_t width = options.bidirectional() ? 2 * kHidden : kHidden;
  const std::string activation = loss == Loss::kBce ? "sigmoid" : "linear";
  Var scores = nn::Dense(m, "head", nn::DenseOptions(width, kClasses).activation(activation))(
      features);
  Var y = m.Input("y", scores.type());
  switch (loss) {
    case Loss::kBce:
      m.Output("loss", losses::BinaryCrossEntropy(scores, y));
      break;
    case Loss::kBceWithLogits:
      m.Output("loss", losses::BinaryCrossEntropyWithLogits(scores, y));
      break;
    case Loss::kMse:
      m.Output("loss", losses::MeanSquaredError(scores, y));
      break;
    case Loss::kSoftmaxCrossEntropy:
      m.Output("loss", losses::SoftmaxCrossEntropy(scores, y));
      break;
  }
  absl::StatusOr<ir::Graph> graph = m.Build();
  EXPECT_TRUE(graph.ok()) << graph.status();
  return graph.ok() ? *std::move(graph) : ir::Graph();
}

// Weights like PyTorch's initialisation.
TensorMap RandomWeights(const ir::Graph& graph, uint32_t seed) {
  TensorMap weights;
  for (const ir::Value* param : graph.params()) {
    Tensor tensor = RandomTensor(param->type().Resolve({}).value(), seed++);
    for (float& v : tensor.values()) v *= 0.3f;
    weights[param->name()] = tensor;
  }
  return weights;
}

// Random inputs of `graph` under `bound`; targets y in (0, 1), as BCE
// expects, and the `given` tensors as they are.
TensorMap RandomInputs(const ir::Graph& graph, const ir::BoundDims& bound, uint32_t seed,
                       const TensorMap& given = {}) {
  TensorMap inputs = given;
  for (const ir::Value* input : graph.inputs()) {
    if (inputs.contains(input->name())) continue;
    Tensor tensor = RandomTensor(input->type().Resolve(bound).value(), seed++);
    if (input->name() == "y") {
      for (float& v : tensor.values()) v = 1.0f / (1.0f + std::exp(-v));
    }
    inputs[input->name()] = tensor;
  }
  return inputs;
}

// Compiles `gradients` once for each backend and compares every output on
// the same random inputs for each of kShapes; `weights_for_run` gives the
// tensors (weights passed as inputs) a run adds to the random ones.
void ExpectSameOnBothBackends(
    const ir::Graph& gradients, const TensorMap& weights,
    const std::function<TensorMap(int run)>& weights_for_run = [](int) { return TensorMap(); }) {
  auto llvm = llvm_backend::CompileForLlvm(gradients, weights);
  ASSERT_TRUE(llvm.ok()) << llvm.status();
  auto interp = interp::CompileForInterpreter(gradients, weights);
  ASSERT_TRUE(interp.ok()) << interp.status();
  uint32_t seed = 50;
  int run = 0;
  for (const ir::BoundDims& bound : kShapes) {
    const TensorMap inputs = RandomInputs(gradients, bound, seed += 10, weights_for_run(run++));
    absl::StatusOr<TensorMap> got = (*llvm)->Run(inputs);
    ASSERT_TRUE(got.ok()) << got.status();
    absl::StatusOr<TensorMap> want = (*interp)->Run(inputs);
    ASSERT_TRUE(want.ok()) << want.status();
    for (const auto& [name, tensor] : *want) {
      SCOPED_TRACE(absl::StrCat(name, " with T=", bound.at("T"), " N=", bound.at("N")));
      ASSERT_EQ(got->count(name), 1u);
      ExpectAllClose(got->at(name), tensor, kRelativeTolerance, kAbsoluteTolerance);
    }
  }
}

ir::Graph Differentiated(const ir::Graph& forward,
                         const training::DifferentiateOptions& options = {}) {
  absl::StatusOr<ir::Graph> gradients = training::Differentiate(forward, options);
  EXPECT_TRUE(gradients.ok()) << gradients.status();
  return gradients.ok() ? *std::move(gradients) : ir::Graph();
}

class LlvmLossGradientTest : public testing::TestWithParam<Loss> {};

TEST_P(LlvmLossGradientTest, GruClassifierMatchesInterpreter) {
  const ir::Graph forward = BuildClassifier(Encoder::kGruAfter, GetParam());
  ExpectSameOnBothBackends(Differentiated(forward), RandomWeights(forward, 7));
}

INSTANTIATE_TEST_SUITE_P(Losses, LlvmLossGradientTest,
                         testing::Values(Loss::kBce, Loss::kBceWithLogits, Loss::kMse,
                                         Loss::kSoftmaxCrossEntropy),
                         [](const testing::TestParamInfo<Loss>& info) {
                           return LossName(info.param);
                         });

class LlvmEncoderGradientTest : public testing::TestWithParam<Encoder> {};

TEST_P(LlvmEncoderGradientTest, SoftmaxCrossEntropyMatchesInterpreter) {
  const ir::Graph forward = BuildClassifier(GetParam(), Loss::kSoftmaxCrossEntropy);
  ExpectSameOnBothBackends(Differentiated(forward), RandomWeights(forward, 7));
}

INSTANTIATE_TEST_SUITE_P(Encoders, LlvmEncoderGradientTest,
                         testing::Values(Encoder::kGruAfter, Encoder::kGruBefore, Encoder::kLstm,
                                         Encoder::kRnn, Encoder::kBidirectionalGru,
                                         Encoder::kStackedGru, Encoder::kTagger),
                         [](const testing::TestParamInfo<Encoder>& info) {
                           return EncoderName(info.param);
                         });

// Truncated BPTT's phase carry (concat, slice and select of a one-hot in the
// backward scan), and the input gradients (x̄ as a per-step output of the
// backward scans), on the bidirectional GRU tagger.
TEST(LlvmGradient, TruncatedBpttWithInputGradients) {
  const ir::Graph forward = BuildClassifier(Encoder::kTagger, Loss::kSoftmaxCrossEntropy);
  training::DifferentiateOptions options;
  options.truncate_bptt = 2;
  options.input_gradients = true;
  ExpectSameOnBothBackends(Differentiated(forward, options), RandomWeights(forward, 7));
}

// A scan nested in a scan (over a param's rows, reading the outer step's
// slice): the backward scans nest too, and the inner one's weight gradient
// sum is hoisted inside the outer backward step.
TEST(LlvmGradient, NestedScans) {
  absl::StatusOr<ir::Graph> forward = ir::ParseGraph(R"(graph g {
  input %x: f32[T, N, 2]
  input %h0: f32[N, 2]
  param %p: f32[4, 2]
  param %w: f32[2, 2]
  %h_T: f32[N, 2], %hs: f32[T, N, 2] = scan(%h0, %x) {carries = 1, reverse = false} {
    ^(%h: f32[N, 2], %x_t: f32[N, 2]):
    %c_T: f32[N, 2], %cs: f32[4, N, 2] = scan(%h, %p) {carries = 1, reverse = true} {
      ^(%c: f32[N, 2], %p_s: f32[2]):
      %cw: f32[N, 2] = matmul(%c, %w) {transpose_b = true}
      %cp: f32[N, 2] = mul(%cw, %p_s)
      %s: f32[N, 2] = add(%cp, %x_t)
      %c_next: f32[N, 2] = tanh(%s)
      yield(%c_next, %c_next)
    }
    yield(%c_T, %c_T)
  }
  %loss: f32[] = reduce_sum(%hs) {axes = [0, 1, 2]}
  output %loss
})");
  ASSERT_TRUE(forward.ok()) << forward.status();
  ExpectSameOnBothBackends(Differentiated(*forward), RandomWeights(*forward, 7));
}

// The gradient graph compiled once with no weights, then run on fresh
// weights every time: fuse-gate-matmuls concatenates the gate weights
// inside the graph, once per run, so new weights take effect at once.
TEST(LlvmGradient, WeightsPassedAsInputsChangeEveryRun) {
  const ir::Graph forward = BuildClassifier(Encoder::kGruAfter, Loss::kSoftmaxCrossEntropy);
  const ir::Graph gradients = training::ParamsAsInputs(Differentiated(forward));
  ASSERT_TRUE(gradients.params().empty());
  ExpectSameOnBothBackends(gradients, {},
                           [&](int run) { return RandomWeights(forward, 7 + 100 * run); });
}

}  // namespace
}  // namespace rnnc
