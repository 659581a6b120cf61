// A PyTorch state_dict, saved as safetensors by tests/golden/gen.py, loads
// into the DSL's stacked-GRU classifier with no renaming and gives PyTorch's
// output.
#include "backends/interp/Interpreter.h"
#include "examples/Models.h"
#include "gtest/gtest.h"
#include "runtime/Safetensors.h"
#include "tests/TestTensors.h"

namespace rnnc {
namespace {

TEST(GoldenClassifier, PyTorchStateDictLoadsAndMatches) {
  absl::StatusOr<SafetensorsFile> file =
      ReadSafetensors(RNNC_SOURCE_DIR "/tests/golden/data/classifier.safetensors");
  ASSERT_TRUE(file.ok()) << file.status();
  TensorMap state_dict = file->tensors;
  const Tensor x = state_dict.at("x"), y = state_dict.at("y");
  state_dict.erase("x");
  state_dict.erase("y");

  Model model("classifier");
  examples::BuildGruClassifier(model);
  ASSERT_TRUE(model.SetWeights(state_dict).ok()) << model.SetWeights(state_dict);
  absl::StatusOr<ir::Graph> graph = model.Build();
  ASSERT_TRUE(graph.ok()) << graph.status();
  auto executable = interp::CompileForInterpreter(*graph, model.weights());
  ASSERT_TRUE(executable.ok()) << executable.status();
  absl::StatusOr<TensorMap> outputs = (*executable)->Run({{"x", x}});
  ASSERT_TRUE(outputs.ok()) << outputs.status();
  ExpectAllClose(outputs->at("y"), y, 1e-5, 1e-6);
}

}  // namespace
}  // namespace rnnc
