// Compiled model libraries against the interpreter, and what they promise
// beyond their numbers: the libraries they need (readelf), the symbols they
// export (nm), their queries, external weights, the oneDNN GEMM variant,
// the Halide-style generator call, and the generated header used from C.
#include <cmath>
#include <filesystem>
#include <fstream>
#include <set>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "aot/CompileToLibrary.h"
#include "aot/LibraryOptions.h"
#include "backends/interp/Interpreter.h"
#include "examples/Models.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ir/Parser.h"
#include "runtime/CompiledModel.h"
#include "runtime/Safetensors.h"
#include "tests/CompiledLibraries.h"
#include "tests/TestTensors.h"

namespace rnnc {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

constexpr double kRelativeTolerance = 1e-5;
constexpr double kAbsoluteTolerance = 1e-6;

// The example classifier with its seeded weights, compiled through the
// generator API as `name`.
struct CompiledClassifier {
  ir::Graph graph;
  TensorMap weights;
  std::string library;
};

CompiledClassifier CompileClassifier(const std::string& name, aot::LibraryOptions options = {}) {
  Model model("classifier", /*seed=*/42);
  examples::BuildGruClassifier(model);
  absl::StatusOr<ir::Graph> graph = model.Build();
  EXPECT_TRUE(graph.ok()) << graph.status();
  options.name = name;
  const std::string library = absl::StrCat(ProcessTempDir(), "/lib", name, ".so");
  absl::Status status = model.CompileToSharedLibrary(
      library, absl::StrCat(ProcessTempDir(), "/", name, ".h"), options);
  EXPECT_TRUE(status.ok()) << status;
  return {*std::move(graph), model.weights(), library};
}

TensorMap InterpreterOutputs(const ir::Graph& graph, const TensorMap& weights,
                             const TensorMap& inputs) {
  auto interp = interp::CompileForInterpreter(graph, weights);
  EXPECT_TRUE(interp.ok()) << interp.status();
  absl::StatusOr<TensorMap> outputs = (*interp)->Run(inputs);
  EXPECT_TRUE(outputs.ok()) << outputs.status();
  return *outputs;
}

void ExpectSameOutputs(const TensorMap& got, const TensorMap& want) {
  ASSERT_EQ(got.size(), want.size());
  for (const auto& [name, tensor] : want) {
    SCOPED_TRACE(name);
    ASSERT_EQ(got.count(name), 1u);
    ExpectAllClose(got.at(name), tensor, kRelativeTolerance, kAbsoluteTolerance);
  }
}

// The NEEDED entries of a shared library's dynamic section.
std::set<std::string> NeededLibraries(const std::string& library) {
  CommandResult result = RunCommand(absl::StrCat("readelf -d ", library));
  EXPECT_EQ(result.exit_code, 0) << result.output;
  std::set<std::string> needed;
  for (absl::string_view line : absl::StrSplit(result.output, '\n')) {
    const size_t open = line.find("Shared library: [");
    if (open == absl::string_view::npos) continue;
    const size_t start = open + std::string("Shared library: [").size();
    needed.insert(std::string(line.substr(start, line.find(']', start) - start)));
  }
  return needed;
}

TEST(AotLibrary, MatchesTheInterpreterAcrossDims) {
  CompiledClassifier classifier = CompileClassifier("classifier_dims");
  absl::StatusOr<std::unique_ptr<Executable>> loaded = LoadCompiledModel(classifier.library);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  // N = 40 takes the inline GEMM past the JIT's 32-row threshold; the last
  // run goes back to the first dims, so buffers are resized twice.
  for (auto [steps, batch] : {std::pair{20, 4}, {3, 40}, {1, 1}, {20, 4}}) {
    SCOPED_TRACE(absl::StrCat("T=", steps, " N=", batch));
    const TensorMap inputs = {{"x", RandomTensor({steps, batch, 50}, steps * 100 + batch)}};
    absl::StatusOr<TensorMap> outputs = (*loaded)->Run(inputs);
    ASSERT_TRUE(outputs.ok()) << outputs.status();
    ExpectSameOutputs(*outputs, InterpreterOutputs(classifier.graph, classifier.weights, inputs));
  }
}

TEST(AotLibrary, NeedsOnlyLibcLibmAndLibstdcxx) {
  CompiledClassifier classifier = CompileClassifier("classifier_needed");
  const std::set<std::string> allowed = {"libc.so.6", "libm.so.6", "libstdc++.so.6",
                                         "ld-linux-x86-64.so.2"};
  for (const std::string& library : NeededLibraries(classifier.library)) {
    EXPECT_TRUE(allowed.count(library)) << classifier.library << " needs " << library;
  }
  EXPECT_TRUE(NeededLibraries(classifier.library).count("libstdc++.so.6"));
}

TEST(AotLibrary, ExportsOnlyTheModelsFunctions) {
  CompiledClassifier classifier = CompileClassifier("classifier_exports");
  CommandResult result = RunCommand(absl::StrCat("nm -D --defined-only ", classifier.library));
  ASSERT_EQ(result.exit_code, 0) << result.output;
  int functions = 0;
  for (absl::string_view line : absl::StrSplit(result.output, '\n', absl::SkipEmpty())) {
    const std::string symbol(line.substr(line.rfind(' ') + 1));
    EXPECT_TRUE(absl::StartsWith(symbol, "classifier_exports_") ||
                absl::StartsWith(symbol, "rnnc_model_"))
        << symbol;
    ++functions;
  }
  EXPECT_EQ(functions, 18 + 3);  // RNNC_MODEL_FUNCTIONS and the three fixed names
}

TEST(AotLibrary, QueriesDescribeTheModel) {
  CompiledClassifier classifier = CompileClassifier("classifier_queries");
  absl::StatusOr<ModelLibrary> model = OpenModelLibrary(classifier.library, "classifier_queries");
  ASSERT_TRUE(model.ok()) << model.status();
  ASSERT_EQ(model->num_dims(), 2);
  EXPECT_STREQ(model->dim_name(0), "T");
  EXPECT_STREQ(model->dim_name(1), "N");
  ASSERT_EQ(model->num_inputs(), 1);
  EXPECT_STREQ(model->input_name(0), "x");
  ASSERT_EQ(model->input_rank(0), 3);
  EXPECT_STREQ(model->input_dim_symbol(0, 0), "T");
  EXPECT_EQ(model->input_dim(0, 0), -1);
  EXPECT_EQ(model->input_dim(0, 2), 50);
  EXPECT_EQ(model->input_dim_symbol(0, 2), nullptr);
  ASSERT_EQ(model->num_outputs(), 1);
  EXPECT_STREQ(model->output_name(0), "y");
  EXPECT_EQ(model->output_rank(0), 2);
  const int64_t dims[2] = {7, 5};
  int64_t shape[2] = {};
  ASSERT_EQ(model->output_shape(0, dims, 2, shape), RNNC_OK);
  EXPECT_EQ(shape[0], 5);
  EXPECT_EQ(shape[1], 1);
  EXPECT_EQ(model->weights_embedded(), 1);
}

TEST(AotLibrary, ExternalWeightsMatchTheInterpreter) {
  aot::LibraryOptions options;
  options.embed_weights = false;
  CompiledClassifier classifier = CompileClassifier("classifier_external", options);
  CompiledClassifier embedded = CompileClassifier("classifier_embedded");
  // The external library is smaller by about the weights' size.
  const auto external_size = std::filesystem::file_size(classifier.library);
  const auto embedded_size = std::filesystem::file_size(embedded.library);
  EXPECT_LT(external_size + 400000, embedded_size);

  const std::string weights = absl::StrCat(ProcessTempDir(), "/classifier_external.safetensors");
  ASSERT_TRUE(WriteSafetensors(weights, classifier.weights).ok());
  absl::StatusOr<std::unique_ptr<Executable>> loaded =
      LoadCompiledModel(classifier.library, weights);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  const TensorMap inputs = {{"x", RandomTensor({9, 3, 50}, 5)}};
  absl::StatusOr<TensorMap> outputs = (*loaded)->Run(inputs);
  ASSERT_TRUE(outputs.ok()) << outputs.status();
  ExpectSameOutputs(*outputs, InterpreterOutputs(classifier.graph, classifier.weights, inputs));
}

TEST(AotLibrary, EmbeddedWeightsReplacedByAFileAtCreate) {
  CompiledClassifier classifier = CompileClassifier("classifier_replaced");
  Model other("classifier", /*seed=*/7);
  examples::BuildGruClassifier(other);
  const std::string weights = absl::StrCat(ProcessTempDir(), "/classifier_seed7.safetensors");
  ASSERT_TRUE(other.SaveWeights(weights).ok());
  absl::StatusOr<std::unique_ptr<Executable>> loaded =
      LoadCompiledModel(classifier.library, weights);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  const TensorMap inputs = {{"x", RandomTensor({4, 2, 50}, 6)}};
  absl::StatusOr<TensorMap> outputs = (*loaded)->Run(inputs);
  ASSERT_TRUE(outputs.ok()) << outputs.status();
  ExpectSameOutputs(*outputs, InterpreterOutputs(classifier.graph, other.weights(), inputs));
}

// With the oneDNN GEMM, a product of two activations over more than 32 rows
// calls oneDNN's sgemm, and the library needs libdnnl; matmuls against
// weights stay on panels, however large (a GRU 512 → 256's input weights,
// 1.5 MB), and need no libdnnl.
TEST(AotLibrary, OnednnGemmNeedsLibdnnlAndMatches) {
  aot::LibraryOptions options;
  options.onednn_gemm = true;
  CompiledClassifier classifier = CompileClassifier("classifier_onednn", options);
  absl::StatusOr<std::unique_ptr<Executable>> loaded = LoadCompiledModel(classifier.library);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  const TensorMap inputs = {{"x", RandomTensor({10, 40, 50}, 8)}};
  absl::StatusOr<TensorMap> outputs = (*loaded)->Run(inputs);
  ASSERT_TRUE(outputs.ok()) << outputs.status();
  ExpectSameOutputs(*outputs, InterpreterOutputs(classifier.graph, classifier.weights, inputs));

  absl::StatusOr<ir::Graph> product = ir::ParseGraph(R"(graph product {
  input %a: f32[N, 64]
  input %b: f32[64, 48]
  %c: f32[N, 48] = matmul(%a, %b)
  output %c
})");
  ASSERT_TRUE(product.ok()) << product.status();
  options.name = "product_onednn";
  const std::string product_library = absl::StrCat(ProcessTempDir(), "/libproduct_onednn.so");
  ASSERT_TRUE(aot::CompileToSharedLibrary(*product, {}, product_library,
                                          absl::StrCat(ProcessTempDir(), "/product.h"), options)
                  .ok());
  EXPECT_TRUE(NeededLibraries(product_library).count("libdnnl.so.2"));
  loaded = LoadCompiledModel(product_library);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  // Small operands, as weights are: the sums then cancel no more than the
  // tolerance allows (1e-5 relative plus 1e-6 absolute).
  TensorMap product_inputs = {{"a", RandomTensor({40, 64}, 10)}, {"b", RandomTensor({64, 48}, 11)}};
  for (auto& [name, tensor] : product_inputs) {
    for (float& v : tensor.values()) v *= 0.1f;
  }
  outputs = (*loaded)->Run(product_inputs);
  ASSERT_TRUE(outputs.ok()) << outputs.status();
  ExpectSameOutputs(*outputs, InterpreterOutputs(*product, {}, product_inputs));

  Model wide("wide", /*seed=*/3);
  wide.Output("y", nn::GRU(wide, "gru", nn::GRUOptions(512, 256))(
                       wide.Input("x", {dims::T, dims::N, 512})));
  absl::StatusOr<ir::Graph> graph = wide.Build();
  ASSERT_TRUE(graph.ok()) << graph.status();
  options.name = "wide_onednn";
  const std::string library = absl::StrCat(ProcessTempDir(), "/libwide_onednn.so");
  ASSERT_TRUE(wide.CompileToSharedLibrary(library, absl::StrCat(ProcessTempDir(), "/wide.h"),
                                          options)
                  .ok());
  EXPECT_FALSE(NeededLibraries(library).count("libdnnl.so.2"));
  loaded = LoadCompiledModel(library);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  const TensorMap wide_inputs = {{"x", RandomTensor({6, 3, 512}, 9)}};
  outputs = (*loaded)->Run(wide_inputs);
  ASSERT_TRUE(outputs.ok()) << outputs.status();
  ExpectSameOutputs(*outputs, InterpreterOutputs(*graph, wide.weights(), wide_inputs));
}

// A model of static shapes binds no dims: run takes none, and a null array.
TEST(AotLibrary, StaticShapesTakeNoDims) {
  absl::StatusOr<ir::Graph> graph = ir::ParseGraph(R"(graph fixed {
  input %x: f32[2, 3]
  param %w: f32[2, 3]
  %y: f32[2, 2] = matmul(%x, %w) {transpose_b = true}
  output %y
}
)");
  ASSERT_TRUE(graph.ok()) << graph.status();
  const TensorMap weights = {{"w", Tensor({2, 3}, {1, 2, 3, 4, 5, 6})}};
  absl::StatusOr<std::string> library = CompileTestLibrary(*graph, weights, "fixed");
  ASSERT_TRUE(library.ok()) << library.status();
  absl::StatusOr<ModelLibrary> model = OpenModelLibrary(*library, "fixed");
  ASSERT_TRUE(model.ok()) << model.status();
  EXPECT_EQ(model->num_dims(), 0);
  rnnc_context* context = nullptr;
  ASSERT_EQ(model->create(nullptr, &context), RNNC_OK) << model->last_error();
  const float x[6] = {1, 0, 0, 0, 1, 1};
  float y[4] = {};
  const float* inputs[1] = {x};
  float* outputs[1] = {y};
  for (int run = 0; run < 2; ++run) {
    ASSERT_EQ(model->run(context, nullptr, 0, inputs, 1, outputs, 1), RNNC_OK)
        << model->last_error();
    EXPECT_EQ(y[0], 1);   // x[0] · w[0]
    EXPECT_EQ(y[3], 11);  // x[1] · w[1] = 5 + 6
  }
  model->destroy(context);
}

// Outputs go straight into the caller's memory, but not when that memory
// is an input's: a transpose written into its own input would read values
// it has already overwritten.
TEST(AotLibrary, AnOutputAskedIntoItsInputsMemoryHoldsTheResult) {
  absl::StatusOr<ir::Graph> graph = ir::ParseGraph(R"(graph flip {
  input %x: f32[3, 3]
  %y: f32[3, 3] = transpose(%x) {perm = [1, 0]}
  %z: f32[3, 3] = tanh(%y)
  output %y
  output %z
}
)");
  ASSERT_TRUE(graph.ok()) << graph.status();
  absl::StatusOr<std::string> library = CompileTestLibrary(*graph, {}, "flip");
  ASSERT_TRUE(library.ok()) << library.status();
  absl::StatusOr<ModelLibrary> model = OpenModelLibrary(*library, "flip");
  ASSERT_TRUE(model.ok()) << model.status();
  rnnc_context* context = nullptr;
  ASSERT_EQ(model->create(nullptr, &context), RNNC_OK) << model->last_error();
  float x[9] = {0, 1, 2, 3, 4, 5, 6, 7, 8};
  float z[9] = {};
  const float* inputs[1] = {x};
  float* outputs[2] = {x, z};
  ASSERT_EQ(model->run(context, nullptr, 0, inputs, 1, outputs, 2), RNNC_OK)
      << model->last_error();
  EXPECT_THAT(x, testing::ElementsAre(0, 3, 6, 1, 4, 7, 2, 5, 8));
  EXPECT_FLOAT_EQ(z[1], std::tanh(3.0f));
  EXPECT_FLOAT_EQ(z[8], std::tanh(8.0f));
  // The output left in a buffer of the library's own still holds the next
  // run's values, and the other's memory is the caller's again.
  float x2[9] = {8, 7, 6, 5, 4, 3, 2, 1, 0};
  float y2[9] = {};
  inputs[0] = x2;
  outputs[0] = y2;
  ASSERT_EQ(model->run(context, nullptr, 0, inputs, 1, outputs, 2), RNNC_OK)
      << model->last_error();
  EXPECT_THAT(y2, testing::ElementsAre(8, 5, 2, 7, 4, 1, 6, 3, 0));
  EXPECT_FLOAT_EQ(z[1], std::tanh(5.0f));
  EXPECT_THAT(x, testing::ElementsAre(0, 3, 6, 1, 4, 7, 2, 5, 8));
  model->destroy(context);
}

// A value of the params alone is computed once, by rnnc_prepare, into the
// library's own buffer; asked as an output, it is copied out of there on
// every run, not left to the caller's memory, which no run writes.
TEST(AotLibrary, AnOutputThatPrepareComputedIsCopiedOnEveryRun) {
  absl::StatusOr<ir::Graph> graph = ir::ParseGraph(R"(graph prepared {
  input %x: f32[2, 3]
  param %w: f32[2, 3]
  %v: f32[2, 3] = tanh(%w)
  %y: f32[2, 3] = add(%x, %v)
  output %v
  output %y
}
)");
  ASSERT_TRUE(graph.ok()) << graph.status();
  const TensorMap weights = {{"w", Tensor({2, 3}, {-1, -0.5, 0, 0.25, 0.5, 2})}};
  absl::StatusOr<std::string> library = CompileTestLibrary(*graph, weights, "prepared");
  ASSERT_TRUE(library.ok()) << library.status();
  absl::StatusOr<ModelLibrary> model = OpenModelLibrary(*library, "prepared");
  ASSERT_TRUE(model.ok()) << model.status();
  rnnc_context* context = nullptr;
  ASSERT_EQ(model->create(nullptr, &context), RNNC_OK) << model->last_error();
  const float x[6] = {1, 1, 1, 1, 1, 1};
  const float* inputs[1] = {x};
  for (int run = 0; run < 2; ++run) {
    float v[6] = {}, y[6] = {};
    float* outputs[2] = {v, y};
    ASSERT_EQ(model->run(context, nullptr, 0, inputs, 1, outputs, 2), RNNC_OK)
        << model->last_error();
    EXPECT_FLOAT_EQ(v[0], std::tanh(-1.0f));
    EXPECT_FLOAT_EQ(v[5], std::tanh(2.0f));
    EXPECT_FLOAT_EQ(y[5], 1 + std::tanh(2.0f));
  }
  model->destroy(context);
}

// Baseline x86-64 (SSE2): the 16-lane loops are legalized to 4-lane ones.
TEST(AotLibrary, BaselineTargetCpuMatches) {
  aot::LibraryOptions options;
  options.target_cpu = "x86-64";
  CompiledClassifier classifier = CompileClassifier("classifier_baseline", options);
  absl::StatusOr<std::unique_ptr<Executable>> loaded = LoadCompiledModel(classifier.library);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  const TensorMap inputs = {{"x", RandomTensor({7, 5, 50}, 10)}};
  absl::StatusOr<TensorMap> outputs = (*loaded)->Run(inputs);
  ASSERT_TRUE(outputs.ok()) << outputs.status();
  ExpectSameOutputs(*outputs, InterpreterOutputs(classifier.graph, classifier.weights, inputs));
  CommandResult disassembly = RunCommand(absl::StrCat("objdump -d ", classifier.library));
  EXPECT_THAT(disassembly.output, Not(HasSubstr("zmm"))) << "AVX-512 code for x86-64";
}

TEST(AotLibrary, TaggerMatchesTheInterpreter) {
  Model model("tagger", /*seed=*/3);
  examples::BuildGruTagger(model);
  absl::StatusOr<ir::Graph> graph = model.Build();
  ASSERT_TRUE(graph.ok()) << graph.status();
  absl::StatusOr<std::string> library = CompileTestLibrary(*graph, model.weights(), "tagger");
  ASSERT_TRUE(library.ok()) << library.status();
  absl::StatusOr<std::unique_ptr<Executable>> loaded = LoadCompiledModel(*library);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  const TensorMap inputs = {{"x", RandomTensor({12, 3, 16}, 9)}};
  absl::StatusOr<TensorMap> outputs = (*loaded)->Run(inputs);
  ASSERT_TRUE(outputs.ok()) << outputs.status();
  ExpectSameOutputs(*outputs, InterpreterOutputs(*graph, model.weights(), inputs));
}

// The generated header compiles as C, and a C program linked against the
// library prints what the interpreter computes.
TEST(AotLibrary, GeneratedHeaderWorksFromC) {
  CompiledClassifier classifier = CompileClassifier("classifier_c");
  const std::string dir = ProcessTempDir();
  const std::string source = absl::StrCat(dir, "/classifier_c_main.c");
  std::ofstream(source) << R"(#include <stdio.h>
#include <stdlib.h>
#include "classifier_c.h"
int main(void) {
  rnnc_context* context = NULL;
  if (classifier_c_create(NULL, &context) != RNNC_OK) {
    fprintf(stderr, "%s\n", classifier_c_last_error());
    return 1;
  }
  int64_t dims[CLASSIFIER_C_NUM_DIMS];
  dims[CLASSIFIER_C_DIM_T] = 6;
  dims[CLASSIFIER_C_DIM_N] = 2;
  float* x = malloc(sizeof(float) * 6 * 2 * 50);
  for (int i = 0; i < 6 * 2 * 50; ++i) x[i] = (float)((i * 37) % 101) / 101.0f - 0.5f;
  float y[2];
  const float* inputs[CLASSIFIER_C_NUM_INPUTS] = {x};
  float* outputs[CLASSIFIER_C_NUM_OUTPUTS] = {y};
  if (classifier_c_run(context, dims, CLASSIFIER_C_NUM_DIMS, inputs, CLASSIFIER_C_NUM_INPUTS,
                       outputs, CLASSIFIER_C_NUM_OUTPUTS) != RNNC_OK) {
    fprintf(stderr, "%s\n", classifier_c_last_error());
    return 1;
  }
  printf("%.9g %.9g\n", y[0], y[1]);
  classifier_c_destroy(context);
  free(x);
  return 0;
}
)";
  const std::string program = absl::StrCat(dir, "/classifier_c_main");
  CommandResult built =
      RunCommand(absl::StrCat("cc -std=c99 -Wall -Werror -o ", program, " ", source, " -I", dir,
                              " -L", dir, " -lclassifier_c -Wl,-rpath,", dir));
  ASSERT_EQ(built.exit_code, 0) << built.output;
  CommandResult ran = RunCommand(program);
  ASSERT_EQ(ran.exit_code, 0) << ran.output;
  std::vector<std::string> printed =
      absl::StrSplit(ran.output, absl::ByAnyChar(" \n"), absl::SkipEmpty());
  ASSERT_EQ(printed.size(), 2u) << ran.output;

  Tensor x({6, 2, 50});
  for (int64_t i = 0; i < x.num_elements(); ++i) {
    x.data()[i] = static_cast<float>((i * 37) % 101) / 101.0f - 0.5f;
  }
  const TensorMap want = InterpreterOutputs(classifier.graph, classifier.weights, {{"x", x}});
  ExpectAllClose(Tensor({2, 1}, {std::stof(printed[0]), std::stof(printed[1])}), want.at("y"),
                 kRelativeTolerance, kAbsoluteTolerance);
}

}  // namespace
}  // namespace rnnc
