// Loading golden cases and building the one-op graph each describes.
#include "tests/golden/GoldenCase.h"

#include "backends/interp/Interpreter.h"
#include "tests/TestTensors.h"

#include <algorithm>
#include <filesystem>
#include <optional>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "ir/ShapeInference.h"
#include "runtime/Safetensors.h"

namespace rnnc::golden {

namespace {

// The layer op's results, which are also the graph's output names and the
// names of the expected tensors in a case file.
constexpr const char* kResultNames[] = {"output", "h_n", "c_n"};

// Reads a case file's metadata and tensors, with errors that name the file.
class CaseReader {
 public:
  CaseReader(std::string path, SafetensorsFile file)
      : path_(std::move(path)), file_(std::move(file)) {}

  absl::StatusOr<std::string> String(const std::string& key) const {
    auto it = file_.metadata.find(key);
    if (it == file_.metadata.end()) {
      return absl::InvalidArgumentError(absl::StrFormat("%s: no metadata '%s'", path_, key));
    }
    return it->second;
  }

  absl::StatusOr<int64_t> Int(const std::string& key) const {
    absl::StatusOr<std::string> text = String(key);
    if (!text.ok()) return text.status();
    int64_t value;
    if (!absl::SimpleAtoi(*text, &value)) {
      return absl::InvalidArgumentError(
          absl::StrFormat("%s: metadata %s = '%s' is not an integer", path_, key, *text));
    }
    return value;
  }

  absl::StatusOr<Tensor> Take(const std::string& name) const {
    auto it = file_.tensors.find(name);
    if (it == file_.tensors.end()) {
      return absl::InvalidArgumentError(absl::StrFormat("%s: no tensor '%s'", path_, name));
    }
    return it->second;
  }

  const std::map<std::string, std::string>& metadata() const { return file_.metadata; }

 private:
  std::string path_;
  SafetensorsFile file_;
};

ir::TensorType StaticType(const std::vector<int64_t>& shape) {
  return ir::TensorType(std::vector<ir::Dim>(shape.begin(), shape.end()));
}

// PyTorch's names for the weights of layer l, direction d (1 is the reverse
// half of a bidirectional layer): weight_ih_l0, ..., bias_hh_l1_reverse.
std::vector<std::string> WeightNames(int64_t layer, int64_t direction) {
  const std::string suffix = absl::StrCat("_l", layer, direction == 1 ? "_reverse" : "");
  return {absl::StrCat("weight_ih", suffix), absl::StrCat("weight_hh", suffix),
          absl::StrCat("bias_ih", suffix), absl::StrCat("bias_hh", suffix)};
}

}  // namespace

std::string GoldenDataDirectory() { return RNNC_SOURCE_DIR "/tests/golden/data"; }

std::vector<std::string> ListGoldenCases(const std::string& directory) {
  std::vector<std::string> paths;
  std::error_code error;
  for (const auto& entry : std::filesystem::directory_iterator(directory, error)) {
    if (entry.path().extension() != ".safetensors") continue;
    absl::StatusOr<SafetensorsFile> file = ReadSafetensors(entry.path().string());
    if (file.ok() && file->metadata.count("cell") > 0) paths.push_back(entry.path().string());
  }
  std::sort(paths.begin(), paths.end());
  return paths;
}

absl::StatusOr<GoldenCase> LoadGoldenCase(const std::string& path) {
  absl::StatusOr<SafetensorsFile> file = ReadSafetensors(path);
  if (!file.ok()) return file.status();
  const CaseReader reader(path, *std::move(file));

  absl::StatusOr<std::string> cell = reader.String("cell");
  absl::StatusOr<std::string> direction = reader.String("direction");
  absl::StatusOr<std::string> merge = reader.String("merge");
  absl::StatusOr<std::string> has_initial_state = reader.String("has_initial_state");
  absl::StatusOr<int64_t> hidden = reader.Int("hidden_size");
  absl::StatusOr<int64_t> layers = reader.Int("num_layers");
  absl::StatusOr<Tensor> x = reader.Take("x");
  for (const absl::Status& status :
       {cell.status(), direction.status(), merge.status(), has_initial_state.status(),
        hidden.status(), layers.status(), x.status()}) {
    if (!status.ok()) return status;
  }
  const std::optional<ir::OpKind> kind = ir::OpKindFromName(*cell);
  if (!kind ||
      (*kind != ir::OpKind::Rnn && *kind != ir::OpKind::Lstm && *kind != ir::OpKind::Gru)) {
    return absl::InvalidArgumentError(
        absl::StrFormat("%s: cell '%s' is not rnn, lstm or gru", path, *cell));
  }
  if (x->rank() != 3) {
    return absl::InvalidArgumentError(
        absl::StrFormat("%s: x has shape %s, expected (T, N, I)", path, x->ShapeString()));
  }
  const int64_t num_directions = *direction == "bidirectional" ? 2 : 1;
  const ir::Dim batch = ir::Dim::Symbol("N");

  GoldenCase golden;
  golden.name = std::filesystem::path(path).stem().string();
  golden.metadata = reader.metadata();
  golden.graph.set_name(golden.name);
  ir::Graph& graph = golden.graph;

  std::vector<ir::Value*> operands = {
      graph.AddInput("x", ir::TensorType({ir::Dim::Symbol("T"), batch, x->dim(2)}))};
  golden.inputs["x"] = *std::move(x);
  for (int64_t layer = 0; layer < *layers; ++layer) {
    for (int64_t d = 0; d < num_directions; ++d) {
      for (const std::string& name : WeightNames(layer, d)) {
        absl::StatusOr<Tensor> weight = reader.Take(name);
        if (!weight.ok()) return weight.status();
        operands.push_back(graph.AddParam(name, StaticType(weight->shape())));
        golden.weights[name] = *std::move(weight);
      }
    }
  }
  if (*has_initial_state == "true") {
    std::vector<std::string> states = {"h0"};
    if (*kind == ir::OpKind::Lstm) states.push_back("c0");
    for (const std::string& name : states) {
      absl::StatusOr<Tensor> state = reader.Take(name);
      if (!state.ok()) return state.status();
      operands.push_back(
          graph.AddInput(name, ir::TensorType({*layers * num_directions, batch, *hidden})));
      golden.inputs[name] = *std::move(state);
    }
  }

  ir::AttributeMap attributes = {{"hidden_size", *hidden},
                                 {"num_layers", *layers},
                                 {"direction", *direction},
                                 {"merge", *merge}};
  if (*kind != ir::OpKind::Lstm) {
    const std::string key = *kind == ir::OpKind::Rnn ? "activation" : "reset";
    absl::StatusOr<std::string> value = reader.String(key);
    if (!value.ok()) return value.status();
    attributes[key] = *value;
  }
  std::vector<ir::TensorType> operand_types;
  for (const ir::Value* operand : operands) operand_types.push_back(operand->type());
  absl::StatusOr<std::vector<ir::TensorType>> result_types =
      ir::InferResultTypes(*kind, operand_types, attributes);
  if (!result_types.ok()) return result_types.status();
  const ir::Op* op = graph.AppendOp(graph.body(), *kind, operands, attributes, *result_types,
                                    {std::begin(kResultNames), std::end(kResultNames)});
  for (size_t i = 0; i < op->num_results(); ++i) {
    graph.AddOutput(kResultNames[i], op->result(i));
    absl::StatusOr<Tensor> expected = reader.Take(kResultNames[i]);
    if (!expected.ok()) return expected.status();
    golden.expected[kResultNames[i]] = *std::move(expected);
  }
  return golden;
}

std::string GoldenTestName(const testing::TestParamInfo<std::string>& info) {
  std::string name = std::filesystem::path(info.param).stem().string();
  for (char& c : name) {
    if (!std::isalnum(static_cast<unsigned char>(c))) c = '_';
  }
  return name;
}

void ExpectMatchesPyTorchAndTheInterpreter(const GoldenCase& golden, const TensorMap& outputs) {
  constexpr double kRelativeTolerance = 1e-5;
  constexpr double kAbsoluteTolerance = 1e-6;
  absl::StatusOr<std::unique_ptr<Executable>> interp =
      interp::CompileForInterpreter(golden.graph, golden.weights);
  ASSERT_TRUE(interp.ok()) << interp.status();
  absl::StatusOr<TensorMap> reference = (*interp)->Run(golden.inputs);
  ASSERT_TRUE(reference.ok()) << reference.status();
  for (const auto& [name, want] : golden.expected) {
    SCOPED_TRACE(name);
    ASSERT_EQ(outputs.count(name), 1u);
    ExpectAllClose(outputs.at(name), want, kRelativeTolerance, kAbsoluteTolerance);
    ExpectAllClose(outputs.at(name), reference->at(name), kRelativeTolerance, kAbsoluteTolerance);
  }
}

}  // namespace rnnc::golden
