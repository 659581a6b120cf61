// Every way a caller can hand the LLVM backend something wrong gives an
// error that says what is wrong, never a crash: a graph that does not
// verify, weights that do not fit, and inputs that are missing, unknown,
// mis-shaped or inconsistent, and buffers too large to allocate. An
// executable stays usable after a bad run.
#include "backends/llvm/LlvmBackend.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "ir/Parser.h"

namespace rnnc {
namespace {

using testing::HasSubstr;

// h_t = tanh(x_t · wᵀ + h_{t-1} · uᵀ) over x (T, N, 3), from h0 (N, 2).
constexpr char kRnn[] = R"(graph rnn {
  input %x: f32[T, N, 3]
  input %h0: f32[N, 2]
  param %w: f32[2, 3]
  param %u: f32[2, 2]
  %h_T: f32[N, 2], %hs: f32[T, N, 2] = scan(%h0, %x) {carries = 1, reverse = false} {
    ^(%h: f32[N, 2], %x_t: f32[N, 3]):
    %a: f32[N, 2] = matmul(%x_t, %w) {transpose_b = true}
    %b: f32[N, 2] = matmul(%h, %u) {transpose_b = true}
    %s: f32[N, 2] = add(%a, %b)
    %h_next: f32[N, 2] = tanh(%s)
    yield(%h_next, %h_next)
  }
  output %hs
})";

const TensorMap kWeights = {{"w", Tensor({2, 3})}, {"u", Tensor({2, 2})}};

std::unique_ptr<Executable> Compile() {
  absl::StatusOr<ir::Graph> graph = ir::ParseGraph(kRnn);
  EXPECT_TRUE(graph.ok()) << graph.status();
  auto executable = llvm_backend::CompileForLlvm(*graph, kWeights);
  EXPECT_TRUE(executable.ok()) << executable.status();
  return executable.ok() ? *std::move(executable) : nullptr;
}

std::string RunError(Executable& executable, const TensorMap& inputs) {
  absl::StatusOr<TensorMap> outputs = executable.Run(inputs);
  EXPECT_FALSE(outputs.ok());
  return std::string(outputs.status().message());
}

TEST(LlvmErrors, GraphThatDoesNotVerify) {
  std::string text = kRnn;
  text.replace(text.find("%s: f32[N, 2] = add"), 13, "%s: f32[N, 3]");
  absl::StatusOr<ir::Graph> graph = ir::ParseGraph(text);
  ASSERT_TRUE(graph.ok()) << graph.status();
  auto executable = llvm_backend::CompileForLlvm(*graph, kWeights);
  ASSERT_FALSE(executable.ok());
  EXPECT_THAT(executable.status().message(), HasSubstr("op %s = add"));
  EXPECT_FALSE(llvm_backend::EmitLlvmIr(*graph).ok());
}

TEST(LlvmErrors, WeightsThatDoNotFit) {
  absl::StatusOr<ir::Graph> graph = ir::ParseGraph(kRnn);
  ASSERT_TRUE(graph.ok()) << graph.status();
  auto executable =
      llvm_backend::CompileForLlvm(*graph, {{"w", Tensor({3, 2})}, {"u", Tensor({2, 2})}});
  ASSERT_FALSE(executable.ok());
  EXPECT_THAT(executable.status().message(), HasSubstr("w"));
  EXPECT_FALSE(llvm_backend::CompileForLlvm(*graph, {{"w", Tensor({2, 3})}}).ok());
}

TEST(LlvmErrors, InputsThatAreMissingUnknownOrMisShaped) {
  std::unique_ptr<Executable> executable = Compile();
  ASSERT_NE(executable, nullptr);
  EXPECT_THAT(RunError(*executable, {{"x", Tensor({4, 2, 3})}}), HasSubstr("h0"));
  EXPECT_THAT(RunError(*executable, {{"x", Tensor({4, 2, 3})}, {"h0", Tensor({2, 2})},
                                     {"y", Tensor({1})}}),
              HasSubstr("y"));
  // Wrong rank, wrong static size, N bound to 2 by x and 3 by h0.
  EXPECT_THAT(RunError(*executable, {{"x", Tensor({4, 3})}, {"h0", Tensor({2, 2})}}),
              HasSubstr("x"));
  EXPECT_THAT(RunError(*executable, {{"x", Tensor({4, 2, 5})}, {"h0", Tensor({2, 2})}}),
              HasSubstr("x"));
  EXPECT_THAT(RunError(*executable, {{"x", Tensor({4, 2, 3})}, {"h0", Tensor({3, 2})}}),
              HasSubstr("N"));
  Tensor short_of_values({4, 2, 3});
  short_of_values.values().resize(5);
  EXPECT_THAT(RunError(*executable, {{"x", short_of_values}, {"h0", Tensor({2, 2})}}),
              HasSubstr("5 values for shape [4, 2, 3]"));

  // Still good for a correct run.
  absl::StatusOr<TensorMap> outputs =
      executable->Run({{"x", Tensor({4, 2, 3})}, {"h0", Tensor({2, 2})}});
  ASSERT_TRUE(outputs.ok()) << outputs.status();
  EXPECT_EQ(outputs->at("hs").shape(), (std::vector<int64_t>{4, 2, 2}));
}

// An outer product of two 16M-long vectors needs 1 PiB for its result,
// beyond any address space: a clear error, and the executable still runs
// what fits.
TEST(LlvmErrors, BuffersTooLargeToAllocate) {
  absl::StatusOr<ir::Graph> graph = ir::ParseGraph(R"(graph outer {
  input %x: f32[N, 1]
  input %y: f32[1, N]
  %p: f32[N, N] = mul(%x, %y)
  output %p
})");
  ASSERT_TRUE(graph.ok()) << graph.status();
  auto executable = llvm_backend::CompileForLlvm(*graph, {});
  ASSERT_TRUE(executable.ok()) << executable.status();
  const int64_t n = int64_t{1} << 24;
  absl::StatusOr<TensorMap> outputs =
      (*executable)->Run({{"x", Tensor({n, 1})}, {"y", Tensor({1, n})}});
  ASSERT_FALSE(outputs.ok());
  EXPECT_EQ(outputs.status().code(), absl::StatusCode::kResourceExhausted);
  EXPECT_THAT(outputs.status().message(),
              HasSubstr("cannot allocate 281474976710656 floats for p"));
  outputs = (*executable)->Run({{"x", Tensor({3, 1})}, {"y", Tensor({1, 3})}});
  ASSERT_TRUE(outputs.ok()) << outputs.status();
  EXPECT_EQ(outputs->at("p").shape(), (std::vector<int64_t>{3, 3}));
}

}  // namespace
}  // namespace rnnc
