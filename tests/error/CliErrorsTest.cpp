// The rnnc driver on bad input: a one-line error naming the problem and a
// non-zero exit, never a crash. Runs the real binary.
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "runtime/Safetensors.h"
#include "tests/CompiledLibraries.h"

namespace rnnc {
namespace {

using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::StartsWith;

CommandResult RunRnnc(const std::string& arguments) {
  return RunCommand(absl::StrCat(RNNC_BINARY_DIR, "/tools/rnnc ", arguments));
}

std::string WriteFile(const std::string& name, const std::string& contents) {
  const std::string path = absl::StrCat(ProcessTempDir(), "/cli_", name);
  std::ofstream(path, std::ios::binary) << contents;
  return path;
}

constexpr char kTanhGraph[] = R"(graph tiny {
  input %x: f32[N, 3]
  param %w: f32[2, 3]
  %y: f32[N, 2] = matmul(%x, %w) {transpose_b = true}
  %z: f32[N, 2] = tanh(%y)
  output %z
}
)";

// One error line starting "rnnc: error:" and exit code 1.
void ExpectOneLineError(const CommandResult& result, const std::string& fragment) {
  EXPECT_EQ(result.exit_code, 1) << result.output;
  EXPECT_THAT(result.output, AllOf(StartsWith("rnnc: error: "), HasSubstr(fragment)));
  EXPECT_EQ(std::count(result.output.begin(), result.output.end(), '\n'), 1) << result.output;
}

class Cli : public ::testing::Test {
 protected:
  void SetUp() override {
    graph_ = WriteFile("tiny.rnnc", kTanhGraph);
    weights_ = absl::StrCat(ProcessTempDir(), "/cli_weights.safetensors");
    inputs_ = absl::StrCat(ProcessTempDir(), "/cli_inputs.safetensors");
    ASSERT_TRUE(WriteSafetensors(weights_, {{"w", Tensor({2, 3}, {1, 0, 0, 0, 1, 0})}}).ok());
    ASSERT_TRUE(WriteSafetensors(inputs_, {{"x", Tensor({1, 3}, {0.5f, -1, 2})}}).ok());
  }
  std::string RunArguments(const std::string& graph, const std::string& weights,
                           const std::string& inputs) {
    return absl::StrCat("run ", graph, " --weights ", weights, " --inputs ", inputs);
  }
  std::string graph_, weights_, inputs_;
};

TEST_F(Cli, OptPrintsTheGraphBack) {
  CommandResult result = RunRnnc(absl::StrCat("opt ", graph_));
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(result.output, kTanhGraph);
}

TEST_F(Cli, RunPrintsAndWritesOutputs) {
  const std::string out = absl::StrCat(ProcessTempDir(), "/cli_out.safetensors");
  CommandResult result = RunRnnc(absl::StrCat(RunArguments(graph_, weights_, inputs_), " --outputs ", out));
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_THAT(result.output, HasSubstr("z [1, 2]: 0.462117 -0.761594"));  // tanh(0.5), tanh(-1)
  absl::StatusOr<SafetensorsFile> written = ReadSafetensors(out);
  ASSERT_TRUE(written.ok()) << written.status();
  EXPECT_NEAR(written->tensors.at("z").data()[1], std::tanh(-1.0), 1e-6);
}

TEST_F(Cli, MissingIrFile) {
  ExpectOneLineError(RunRnnc("opt /nonexistent/model.rnnc"), "cannot open");
}

TEST_F(Cli, MalformedIrNamesLineAndColumn) {
  const std::string bad = WriteFile("bad.rnnc", "graph g {\n  input %x: f32[N, \n}\n");
  ExpectOneLineError(RunRnnc(absl::StrCat("opt ", bad)), "bad.rnnc:3:1: expected");
}

TEST_F(Cli, IrThatDoesNotVerify) {
  const std::string bad = WriteFile("unverified.rnnc", R"(graph g {
  input %x: f32[N, 3]
  param %w: f32[2, 4]
  %y: f32[N, 2] = matmul(%x, %w) {transpose_b = true}
  output %y
}
)");
  ExpectOneLineError(RunRnnc(absl::StrCat("opt ", bad)), "op %y = matmul");
}

TEST_F(Cli, WeightsMissingATensor) {
  const std::string empty = absl::StrCat(ProcessTempDir(), "/cli_empty.safetensors");
  ASSERT_TRUE(WriteSafetensors(empty, {}).ok());
  ExpectOneLineError(RunRnnc(RunArguments(graph_, empty, inputs_)), "missing 'w' (expected f32[2, 3])");
}

TEST_F(Cli, MisShapedWeights) {
  const std::string wrong = absl::StrCat(ProcessTempDir(), "/cli_wrong.safetensors");
  ASSERT_TRUE(WriteSafetensors(wrong, {{"w", Tensor({3, 2})}}).ok());
  ExpectOneLineError(RunRnnc(RunArguments(graph_, wrong, inputs_)), "'w' has shape [3, 2]");
}

TEST_F(Cli, CorruptWeightsFile) {
  const std::string corrupt = WriteFile("corrupt.safetensors", std::string("\x40\x00\x00\x00\x00\x00\x00\x00{\"w\":", 13));
  ExpectOneLineError(RunRnnc(RunArguments(graph_, corrupt, inputs_)), "corrupt.safetensors");
}

TEST_F(Cli, InputOfTheWrongShape) {
  const std::string wide = absl::StrCat(ProcessTempDir(), "/cli_wide.safetensors");
  ASSERT_TRUE(WriteSafetensors(wide, {{"x", Tensor({1, 4})}}).ok());
  ExpectOneLineError(RunRnnc(RunArguments(graph_, weights_, wide)), "input 'x'");
}

TEST_F(Cli, NoInputsGiven) {
  ExpectOneLineError(RunRnnc(absl::StrCat("run ", graph_, " --weights ", weights_)), "--inputs");
}

TEST_F(Cli, UnknownBackend) {
  ExpectOneLineError(RunRnnc(absl::StrCat(RunArguments(graph_, weights_, inputs_), " --backend=tpu")),
                     "unknown backend 'tpu'");
}

TEST_F(Cli, BenchReportsLatencyAndGflops) {
  CommandResult result = RunRnnc(absl::StrCat("bench ", graph_, " --weights ", weights_,
                                              " --dims N=8 --min_seconds 0 --min_runs 3"));
  EXPECT_EQ(result.exit_code, 0) << result.output;
  EXPECT_THAT(result.output, AllOf(HasSubstr("backend interp, N=8, 3 runs"), HasSubstr("p50"),
                                   HasSubstr("sequences/s"), HasSubstr("GFLOP/s")));
}

TEST_F(Cli, BenchWithoutDimsOrInputs) {
  ExpectOneLineError(RunRnnc(absl::StrCat("bench ", graph_, " --weights ", weights_)),
                     "bind it with --dims");
}

TEST_F(Cli, BenchWithMalformedDims) {
  ExpectOneLineError(RunRnnc(absl::StrCat("bench ", graph_, " --weights ", weights_, " --dims N=0")),
                     "--dims: 'N=0' is not SYMBOL=SIZE");
}

TEST_F(Cli, CompileThenRunTheLibrary) {
  const std::string library = absl::StrCat(ProcessTempDir(), "/libcli_tiny.so");
  CommandResult compiled =
      RunRnnc(absl::StrCat("compile ", graph_, " --weights ", weights_, " -o ", library));
  ASSERT_EQ(compiled.exit_code, 0) << compiled.output;
  EXPECT_EQ(compiled.output, "");
  const std::string header = std::filesystem::path(library).parent_path() / "cli_tiny.h";
  EXPECT_TRUE(std::filesystem::exists(header));
  CommandResult ran = RunRnnc(absl::StrCat("run ", library, " --inputs ", inputs_));
  EXPECT_EQ(ran.exit_code, 0) << ran.output;
  EXPECT_EQ(ran.output, "z [1, 2]: 0.462117 -0.761594\n");
}

TEST_F(Cli, CompileEmitsEachPiece) {
  const std::string dir = ProcessTempDir();
  const std::string base = absl::StrCat("compile ", graph_, " --weights ", weights_, " -o ", dir);
  for (const std::string piece : {"/tiny.o --emit=obj", "/tiny.ll --emit=llvm",
                                   "/m.h --emit=header --name=m"}) {
    CommandResult result = RunRnnc(base + piece);
    ASSERT_EQ(result.exit_code, 0) << piece << ": " << result.output;
  }
  std::ifstream object(dir + "/tiny.o", std::ios::binary);
  std::string magic(4, '\0');
  object.read(magic.data(), 4);
  EXPECT_EQ(magic,
            "\x7f"
            "ELF");
  std::stringstream llvm_ir, header;
  llvm_ir << std::ifstream(dir + "/tiny.ll").rdbuf();
  header << std::ifstream(dir + "/m.h").rdbuf();
  EXPECT_THAT(llvm_ir.str(), HasSubstr("define i32 @tiny_run("));
  EXPECT_THAT(header.str(),
              HasSubstr("rnnc_status m_create(const char* weights_path, rnnc_context** context);"));
}

TEST_F(Cli, CompileWithoutOutput) {
  ExpectOneLineError(RunRnnc(absl::StrCat("compile ", graph_, " --weights ", weights_)),
                     "no output: pass -o FILE");
}

TEST_F(Cli, CompileUnknownEmit) {
  ExpectOneLineError(
      RunRnnc(absl::StrCat("compile ", graph_, " --weights ", weights_, " -o x.so --emit=asm")),
      "--emit=asm is not known to `compile`; expected library, obj, llvm or header");
}

TEST_F(Cli, CompileUnknownGemm) {
  ExpectOneLineError(
      RunRnnc(absl::StrCat("compile ", graph_, " --weights ", weights_, " -o x.so --gemm=blas")),
      "--gemm=blas is not known; expected inline or onednn");
}

TEST_F(Cli, CompileForAnUnknownCpu) {
  ExpectOneLineError(RunRnnc(absl::StrCat("compile ", graph_, " --weights ", weights_,
                                          " -o x.so --target-cpu=pentium9")),
                     "target CPU 'pentium9' is not known to LLVM");
}

TEST_F(Cli, CompileExternalWeightsGivenWeights) {
  ExpectOneLineError(RunRnnc(absl::StrCat("compile ", graph_, " --weights ", weights_,
                                          " -o x.so --external-weights")),
                     "--external-weights embeds no weights: drop --weights");
}

TEST_F(Cli, RunAFileThatIsNotAModelLibrary) {
  const std::string fake = WriteFile("fake.so", "not an ELF file");
  ExpectOneLineError(RunRnnc(absl::StrCat("run ", fake, " --inputs ", inputs_)),
                     "cannot load the model library");
}

TEST_F(Cli, UnknownCommand) { ExpectOneLineError(RunRnnc("frobnicate x.rnnc"), "unknown command"); }

}  // namespace
}  // namespace rnnc
