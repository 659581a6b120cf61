// Compiled model libraries on bad input, through their C functions as a C
// program calls them and through the loader: every bad argument gives a
// status other than RNNC_OK and a message naming what was wrong, never a
// crash; a library of another ABI version, or not made by rnnc, is refused.
#include <cmath>
#include <cstdint>
#include <fstream>

#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ir/Parser.h"
#include "runtime/CompiledModel.h"
#include "runtime/Safetensors.h"
#include "tests/CompiledLibraries.h"

namespace rnnc {
namespace {

using ::testing::HasSubstr;

constexpr char kTanhGraph[] = R"(graph tiny {
  input %x: f32[T, N, 3]
  param %w: f32[2, 3]
  %y: f32[T, N, 2] = matmul(%x, %w) {transpose_b = true}
  %z: f32[T, N, 2] = tanh(%y)
  output %z
}
)";

const TensorMap& TinyWeights() {
  static const TensorMap weights = {{"w", Tensor({2, 3}, {1, 0, 0, 0, 1, 0})}};
  return weights;
}

std::string WriteTempFile(const std::string& name, const std::string& contents) {
  const std::string path = absl::StrCat(ProcessTempDir(), "/aot_errors_", name);
  std::ofstream(path, std::ios::binary) << contents;
  return path;
}

// The tiny model compiled once per test program: embedded and external.
class AotErrors : public testing::Test {
 protected:
  static void SetUpTestSuite() {
    absl::StatusOr<ir::Graph> graph = ir::ParseGraph(kTanhGraph);
    ASSERT_TRUE(graph.ok()) << graph.status();
    absl::StatusOr<std::string> embedded = CompileTestLibrary(*graph, TinyWeights(), "tiny");
    ASSERT_TRUE(embedded.ok()) << embedded.status();
    embedded_path_ = new std::string(*embedded);
    aot::LibraryOptions external_options;
    external_options.embed_weights = false;
    absl::StatusOr<std::string> external =
        CompileTestLibrary(*graph, {}, "tiny_external", external_options);
    ASSERT_TRUE(external.ok()) << external.status();
    external_path_ = new std::string(*external);
  }

  void SetUp() override {
    ASSERT_NE(embedded_path_, nullptr);
    absl::StatusOr<ModelLibrary> tiny = OpenModelLibrary(*embedded_path_, "tiny");
    ASSERT_TRUE(tiny.ok()) << tiny.status();
    tiny_ = *tiny;
    absl::StatusOr<ModelLibrary> external = OpenModelLibrary(*external_path_, "tiny_external");
    ASSERT_TRUE(external.ok()) << external.status();
    external_ = *external;
    ASSERT_EQ(tiny_.create(nullptr, &context_), RNNC_OK) << tiny_.last_error();
  }
  void TearDown() override { tiny_.destroy(context_); }

  // Runs `library` with T=2, N=1 unless told otherwise.
  rnnc_status Run(const int64_t* dims, int32_t num_dims, const float* const* inputs,
                  int32_t num_inputs, float* const* outputs, int32_t num_outputs) {
    return tiny_.run(context_, dims, num_dims, inputs, num_inputs, outputs, num_outputs);
  }
  void ExpectError(rnnc_status got, rnnc_status want, const std::string& fragment) {
    EXPECT_EQ(got, want);
    EXPECT_THAT(std::string(tiny_.last_error()), HasSubstr(fragment));
  }

  static std::string* embedded_path_;
  static std::string* external_path_;
  ModelLibrary tiny_, external_;
  rnnc_context* context_ = nullptr;
  const int64_t dims_[2] = {2, 1};  // T, N
  float x_[6] = {0.5f, -1, 2, 1, 1, 1};
  float z_[4] = {};
  const float* inputs_[1] = {x_};
  float* outputs_[1] = {z_};
};

std::string* AotErrors::embedded_path_ = nullptr;
std::string* AotErrors::external_path_ = nullptr;

TEST_F(AotErrors, AGoodRunAfterBadOnes) {
  const int64_t zero[2] = {0, 1};
  EXPECT_NE(Run(zero, 2, inputs_, 1, outputs_, 1), RNNC_OK);
  EXPECT_NE(Run(dims_, 2, nullptr, 1, outputs_, 1), RNNC_OK);
  ASSERT_EQ(Run(dims_, 2, inputs_, 1, outputs_, 1), RNNC_OK) << tiny_.last_error();
  EXPECT_NEAR(z_[0], std::tanh(0.5), 1e-6);
  EXPECT_NEAR(z_[3], std::tanh(1.0), 1e-6);
}

TEST_F(AotErrors, CreateWithNullContextPointer) {
  ExpectError(tiny_.create(nullptr, nullptr), RNNC_ERROR_NULL_ARGUMENT,
              "create: the context pointer is null");
}

TEST_F(AotErrors, RunWithNullContext) {
  ExpectError(tiny_.run(nullptr, dims_, 2, inputs_, 1, outputs_, 1), RNNC_ERROR_NULL_ARGUMENT,
              "run: the context is null");
}

TEST_F(AotErrors, NullArraysAndPointers) {
  ExpectError(Run(nullptr, 2, inputs_, 1, outputs_, 1), RNNC_ERROR_NULL_ARGUMENT,
              "the dims array is null");
  ExpectError(Run(dims_, 2, nullptr, 1, outputs_, 1), RNNC_ERROR_NULL_ARGUMENT,
              "the inputs array is null");
  ExpectError(Run(dims_, 2, inputs_, 1, nullptr, 1), RNNC_ERROR_NULL_ARGUMENT,
              "the outputs array is null");
  const float* null_input[1] = {nullptr};
  ExpectError(Run(dims_, 2, null_input, 1, outputs_, 1), RNNC_ERROR_NULL_ARGUMENT,
              "model tiny: input 0 ('x') is null");
  float* null_output[1] = {nullptr};
  ExpectError(Run(dims_, 2, inputs_, 1, null_output, 1), RNNC_ERROR_NULL_ARGUMENT,
              "model tiny: output 0 ('z') is null");
}

TEST_F(AotErrors, WrongCounts) {
  const std::string takes = "model tiny: run takes 2 dims, 1 inputs and 1 outputs; got ";
  ExpectError(Run(dims_, 1, inputs_, 1, outputs_, 1), RNNC_ERROR_BAD_COUNT, takes + "1, 1 and 1");
  ExpectError(Run(dims_, 2, inputs_, 2, outputs_, 1), RNNC_ERROR_BAD_COUNT, takes + "2, 2 and 1");
  ExpectError(Run(dims_, 2, inputs_, 1, outputs_, 0), RNNC_ERROR_BAD_COUNT, takes + "2, 1 and 0");
}

TEST_F(AotErrors, DimsBelowOne) {
  const int64_t zero_t[2] = {0, 1};
  ExpectError(Run(zero_t, 2, inputs_, 1, outputs_, 1), RNNC_ERROR_BAD_DIMS,
              "model tiny: dim T is 0, but must be at least 1");
  const int64_t negative_n[2] = {2, -3};
  ExpectError(Run(negative_n, 2, inputs_, 1, outputs_, 1), RNNC_ERROR_BAD_DIMS,
              "dim N is -3, but must be at least 1");
}

TEST_F(AotErrors, DimsTooLargeToAllocate) {
  const int64_t huge[2] = {int64_t{1} << 40, int64_t{1} << 40};
  ExpectError(Run(huge, 2, inputs_, 1, outputs_, 1), RNNC_ERROR_BAD_DIMS,
              "dims T=1099511627776, N=1099511627776 make a buffer of f32[T, N, 2] too large to "
              "allocate");
}

TEST_F(AotErrors, QueriesOutOfRange) {
  EXPECT_EQ(tiny_.input_name(1), nullptr);
  EXPECT_EQ(tiny_.input_name(-1), nullptr);
  EXPECT_EQ(tiny_.input_rank(5), -1);
  EXPECT_EQ(tiny_.input_dim(0, 3), -1);
  EXPECT_EQ(tiny_.output_dim_symbol(0, -1), nullptr);
  EXPECT_EQ(tiny_.dim_name(2), nullptr);
  int64_t shape[3];
  ExpectError(tiny_.output_shape(1, dims_, 2, shape), RNNC_ERROR_BAD_INDEX,
              "model tiny: no output 1; it has 1");
  ExpectError(tiny_.output_shape(0, dims_, 3, shape), RNNC_ERROR_BAD_COUNT,
              "output_shape takes 2 dims, got 3");
  ExpectError(tiny_.output_shape(0, dims_, 2, nullptr), RNNC_ERROR_NULL_ARGUMENT,
              "the shape array is null");
}

TEST_F(AotErrors, ExternalWeightsNeedAPath) {
  rnnc_context* context = nullptr;
  EXPECT_EQ(external_.create(nullptr, &context), RNNC_ERROR_WEIGHTS);
  EXPECT_EQ(context, nullptr);
  EXPECT_THAT(std::string(external_.last_error()),
              HasSubstr("model tiny_external was compiled with --external-weights: pass the path"));
}

// Creating the external model from a file written as `contents` fails with
// RNNC_ERROR_WEIGHTS and a message holding `fragment`.
void ExpectWeightsError(const ModelLibrary& library, const std::string& path,
                        const std::string& fragment) {
  rnnc_context* context = nullptr;
  EXPECT_EQ(library.create(path.c_str(), &context), RNNC_ERROR_WEIGHTS) << path;
  EXPECT_EQ(context, nullptr);
  EXPECT_THAT(std::string(library.last_error()), HasSubstr(fragment));
}

TEST_F(AotErrors, ExternalWeightsFileProblems) {
  ExpectWeightsError(external_, "/nonexistent/w.safetensors",
                     "/nonexistent/w.safetensors: cannot open the weights file of model "
                     "tiny_external");
  ExpectWeightsError(external_, WriteTempFile("short", "abc"),
                     "shorter than the 8-byte header length");
  ExpectWeightsError(external_,
                     WriteTempFile("long_header", std::string("\x40\0\0\0\0\0\0\0{}", 10)),
                     "header length 64 runs past the end of the 10-byte file");
  ExpectWeightsError(external_, WriteTempFile("not_json", std::string("\x02\0\0\0\0\0\0\0{[", 10)),
                     "the header is not a JSON object");
  const std::string good = SerializeSafetensors(TinyWeights());
  ExpectWeightsError(external_, WriteTempFile("truncated", good.substr(0, good.size() - 4)),
                     "tensor 'w': data_offsets [0, 24] do not hold 6 floats within the 20-byte "
                     "data buffer; the file is truncated or corrupt");
  ExpectWeightsError(external_,
                     WriteTempFile("wrong_shape", SerializeSafetensors({{"w", Tensor({3, 2})}})),
                     "tensor 'w' has shape [3, 2], expected f32[2, 3]");
  ExpectWeightsError(external_, WriteTempFile("missing", SerializeSafetensors({})),
                     "missing tensor 'w' (expected f32[2, 3])");
  TensorMap extra = TinyWeights();
  extra["bias"] = Tensor({2});
  ExpectWeightsError(external_, WriteTempFile("extra", SerializeSafetensors(extra)),
                     "tensor 'bias' is not a parameter of the model");
  const std::string header = R"({"w":{"dtype":"F64","shape":[2,3],"data_offsets":[0,48]}})";
  std::string f64(8, '\0');
  f64[0] = static_cast<char>(header.size());
  ExpectWeightsError(external_, WriteTempFile("f64", f64 + header + std::string(48, '\0')),
                     "tensor 'w' has dtype \"F64\"; a compiled model reads F32 weights only");
}

TEST_F(AotErrors, LoaderChecksInputShapes) {
  absl::StatusOr<std::unique_ptr<Executable>> loaded = LoadCompiledModel(*embedded_path_);
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  absl::StatusOr<TensorMap> wide = (*loaded)->Run({{"x", Tensor({2, 1, 4})}});
  EXPECT_THAT(
      wide.status().message(),
      HasSubstr("input 'x' has shape [2, 1, 4], expected f32[T, N, 3]: dim 2 is 4, expected 3"));
  absl::StatusOr<TensorMap> unknown = (*loaded)->Run({{"y", Tensor({2, 1, 3})}});
  EXPECT_THAT(unknown.status().message(),
              HasSubstr("unknown input 'y'; the graph's inputs are: x"));
}

TEST_F(AotErrors, LoaderReportsCreateFailures) {
  absl::StatusOr<std::unique_ptr<Executable>> loaded = LoadCompiledModel(*external_path_);
  EXPECT_THAT(loaded.status().message(),
              HasSubstr("libtiny_external.so: RNNC_ERROR_WEIGHTS: model tiny_external was compiled "
                        "with --external-weights"));
}

// A shared library compiled from C `source`, in the temporary directory.
std::string BuildFakeLibrary(const std::string& name, const std::string& source) {
  const std::string c_file = WriteTempFile(name + ".c", source);
  const std::string library = absl::StrCat(ProcessTempDir(), "/lib", name, ".so");
  CommandResult built = RunCommand(absl::StrCat("cc -shared -fPIC -o ", library, " ", c_file));
  EXPECT_EQ(built.exit_code, 0) << built.output;
  return library;
}

TEST(AotLoaderErrors, LibraryOfAnotherAbiVersionIsRefused) {
  const std::string library = BuildFakeLibrary("future_abi", R"(
unsigned rnnc_model_abi_version(void) { return 999; }
const char* rnnc_model_compiler_version(void) { return "9.9.9"; }
const char* rnnc_model_name(void) { return "future"; }
)");
  absl::StatusOr<std::unique_ptr<Executable>> loaded = LoadCompiledModel(library);
  EXPECT_EQ(loaded.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(loaded.status().message(),
              HasSubstr(absl::StrCat("libfuture_abi.so was built by rnnc 9.9.9 with model ABI "
                                     "v999; this rnnc (",
                                     RNNC_VERSION, ") expects ABI v1: compile the model again")));
}

TEST(AotLoaderErrors, LibraryNotMadeByRnncIsRefused) {
  const std::string library = BuildFakeLibrary("not_a_model", "int answer(void) { return 42; }\n");
  absl::StatusOr<std::unique_ptr<Executable>> loaded = LoadCompiledModel(library);
  EXPECT_THAT(loaded.status().message(),
              HasSubstr("libnot_a_model.so is not a model library compiled by rnnc: it does not "
                        "export rnnc_model_abi_version"));
}

TEST(AotLoaderErrors, LibraryMissingAFunction) {
  const std::string library = BuildFakeLibrary("partial", R"(
unsigned rnnc_model_abi_version(void) { return 1; }
const char* rnnc_model_compiler_version(void) { return "0.1.0"; }
const char* rnnc_model_name(void) { return "partial"; }
)");
  absl::StatusOr<std::unique_ptr<Executable>> loaded = LoadCompiledModel(library);
  EXPECT_THAT(loaded.status().message(),
              HasSubstr("model 'partial' lacks the function partial_create of ABI v1"));
}

TEST(AotLoaderErrors, MissingLibraryFile) {
  absl::StatusOr<std::unique_ptr<Executable>> loaded = LoadCompiledModel("/nonexistent/libm.so");
  EXPECT_THAT(loaded.status().message(),
              HasSubstr("/nonexistent/libm.so: cannot load the model library"));
}

TEST(AotCompileErrors, WeightsThatDoNotFit) {
  absl::StatusOr<ir::Graph> graph = ir::ParseGraph(kTanhGraph);
  ASSERT_TRUE(graph.ok()) << graph.status();
  absl::StatusOr<std::string> library =
      CompileTestLibrary(*graph, {{"w", Tensor({3, 3})}}, "misfit");
  EXPECT_THAT(
      library.status().message(),
      HasSubstr("weights do not match model 'tiny': 'w' has shape [3, 3], expected f32[2, 3]"));
}

TEST(AotCompileErrors, NameThatIsNotACIdentifier) {
  absl::StatusOr<ir::Graph> graph = ir::ParseGraph(kTanhGraph);
  ASSERT_TRUE(graph.ok()) << graph.status();
  absl::StatusOr<std::string> library = CompileTestLibrary(*graph, TinyWeights(), "9lives");
  EXPECT_THAT(library.status().message(), HasSubstr("model name '9lives' is not a C identifier"));
}

TEST(AotCompileErrors, UnknownTargetCpu) {
  absl::StatusOr<ir::Graph> graph = ir::ParseGraph(kTanhGraph);
  ASSERT_TRUE(graph.ok()) << graph.status();
  aot::LibraryOptions options;
  options.target_cpu = "pentium9";
  absl::StatusOr<std::string> library =
      CompileTestLibrary(*graph, TinyWeights(), "pentium9", options);
  EXPECT_THAT(library.status().message(),
              HasSubstr("target CPU 'pentium9' is not known to LLVM for x86_64"));
}

}  // namespace
}  // namespace rnnc
