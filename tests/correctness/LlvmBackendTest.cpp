// The LLVM backend against the interpreter: every op kind on random inputs,
// cells written from primitives (LSTM, both GRUs, RNN) in forward and reverse
// scans, symbolic T and N bound to several sizes (1 included) on one
// executable, within 1e-5 relative + 1e-6 absolute. Also the ops gradients
// use: reductions and step.
#include <omp.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <random>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "backends/interp/Interpreter.h"
#include "backends/llvm/LlvmBackend.h"
#include "frontend/DSL.h"
#include "gtest/gtest.h"
#include "ir/Parser.h"
#include "ir/Printer.h"
#include "passes/PassManager.h"
#include "tests/TestTensors.h"

namespace rnnc {
namespace {

using dims::N;
using dims::T;

constexpr double kRelativeTolerance = 1e-5;
constexpr double kAbsoluteTolerance = 1e-6;

// Random values for every input of `graph` under `bound`, scaled by `scale`.
TensorMap RandomInputs(const ir::Graph& graph, const ir::BoundDims& bound, uint32_t seed,
                       float scale = 1.0f) {
  TensorMap inputs;
  for (const ir::Value* input : graph.inputs()) {
    Tensor tensor = RandomTensor(input->type().Resolve(bound).value(), seed++);
    for (float& v : tensor.values()) v *= scale;
    inputs[input->name()] = tensor;
  }
  return inputs;
}

// Weights like PyTorch's initialisation: small enough that sums of products
// stay well conditioned.
TensorMap RandomWeights(const ir::Graph& graph, uint32_t seed) {
  TensorMap weights;
  for (const ir::Value* param : graph.params()) {
    Tensor tensor = RandomTensor(param->type().Resolve({}).value(), seed++);
    for (float& v : tensor.values()) v *= 0.3f;
    weights[param->name()] = tensor;
  }
  return weights;
}

// Compiles `graph` once for LLVM and, for each of `bindings`, runs it and the
// interpreter on the same random inputs.
void ExpectMatchesInterpreter(const ir::Graph& graph, const TensorMap& weights,
                              const std::vector<ir::BoundDims>& bindings, float input_scale = 1,
                              const llvm_backend::LlvmOptions& options = {}) {
  auto llvm = llvm_backend::CompileForLlvm(graph, weights, options);
  ASSERT_TRUE(llvm.ok()) << llvm.status();
  auto interp = interp::CompileForInterpreter(graph, weights);
  ASSERT_TRUE(interp.ok()) << interp.status();
  uint32_t seed = 100;
  for (const ir::BoundDims& bound : bindings) {
    const TensorMap inputs = RandomInputs(graph, bound, seed += 10, input_scale);
    absl::StatusOr<TensorMap> got = (*llvm)->Run(inputs);
    ASSERT_TRUE(got.ok()) << got.status();
    absl::StatusOr<TensorMap> want = (*interp)->Run(inputs);
    ASSERT_TRUE(want.ok()) << want.status();
    for (const auto& [name, tensor] : *want) {
      SCOPED_TRACE(absl::StrCat("output ", name, " with T=", bound.contains("T") ? bound.at("T") : 0,
                                " N=", bound.contains("N") ? bound.at("N") : 0));
      ASSERT_EQ(got->count(name), 1u);
      ExpectAllClose(got->at(name), tensor, kRelativeTolerance, kAbsoluteTolerance);
    }
  }
}

void ExpectTextMatchesInterpreter(const std::string& text,
                                  const std::vector<ir::BoundDims>& bindings,
                                  float input_scale = 1,
                                  const llvm_backend::LlvmOptions& options = {}) {
  absl::StatusOr<ir::Graph> graph = ir::ParseGraph(text);
  ASSERT_TRUE(graph.ok()) << graph.status();
  ExpectMatchesInterpreter(*graph, RandomWeights(*graph, 7), bindings, input_scale, options);
}

// The vector register files whose GEMM tiles the tests run on any host:
// AVX-512's, AVX2's and SSE's.
const std::vector<std::pair<int, int>> kRegisterFiles = {{32, 16}, {16, 8}, {16, 4}};

const std::vector<ir::BoundDims> kShapes = {
    {{"T", 5}, {"N", 3}}, {{"T", 1}, {"N", 1}}, {{"T", 7}, {"N", 1}}, {{"T", 1}, {"N", 4}}};

TEST(LlvmBackend, BroadcastingArithmetic) {
  ExpectTextMatchesInterpreter(R"(graph g {
  input %x: f32[T, N, 4]
  input %row: f32[4]
  input %column: f32[N, 1]
  input %scalar: f32[]
  %a: f32[T, N, 4] = add(%x, %row)
  %s: f32[T, N, 4] = sub(%column, %a)
  %m: f32[T, N, 4] = mul(%s, %scalar)
  %d: f32[T, N, 4] = div(%m, %row)
  %e: f32[T, N, 4] = add(%d, %x)
  output %e
  output %s
})", kShapes);
}

TEST(LlvmBackend, UnaryOpsOverTheirWholeRange) {
  const std::string text = R"(graph g {
  input %x: f32[N, 33]
  %n: f32[N, 33] = neg(%x)
  %s: f32[N, 33] = sigmoid(%x)
  %t: f32[N, 33] = tanh(%x)
  %r: f32[N, 33] = relu(%x)
  %e: f32[N, 33] = exp(%x)
  %sq: f32[N, 33] = mul(%x, %x)
  %l: f32[N, 33] = log(%sq)
  %q: f32[N, 33] = sqrt(%sq)
  %st: f32[N, 33] = step(%x)
  output %st
  output %n
  output %s
  output %t
  output %r
  output %e
  output %l
  output %q
})";
  // Scales that reach the polynomial range of tanh, its exp range, and exp's
  // far tails (sigmoid near 1e-35), short of overflow (ExpectAllClose
  // does not take inf as close to inf).
  for (float scale : {0.1f, 1.0f, 8.0f, 20.0f}) {
    SCOPED_TRACE(scale);
    ExpectTextMatchesInterpreter(text, {{{"N", 16}}, {{"N", 1}}}, scale);
  }
}

// The generated exp, tanh and sigmoid against libm in double precision,
// over every float step of 2^-12 in [-12, 12] and a geometric sweep of the
// tiny and the large: the relative error of each stays within a few float
// ulp (2^-23 ≈ 1.2e-7), far inside the backend's 1e-5, so that a faster
// approximation cannot trade away accuracy unnoticed.
TEST(LlvmBackend, MathFunctionsWithinFourUlpOfDouble) {
  std::vector<float> points;
  for (int i = -12 * 4096; i <= 12 * 4096; ++i) points.push_back(static_cast<float>(i) / 4096);
  for (float v = 1e-30f; v < 100; v *= 1.01f) {
    points.push_back(v);
    points.push_back(-v);
  }
  // Rows of 17 take the vector loop and its remainder.
  while (points.size() % 17 != 0) points.push_back(0);
  const int64_t rows = static_cast<int64_t>(points.size()) / 17;
  absl::StatusOr<ir::Graph> graph = ir::ParseGraph(R"(graph g {
  input %x: f32[N, 17]
  %e: f32[N, 17] = exp(%x)
  %t: f32[N, 17] = tanh(%x)
  %s: f32[N, 17] = sigmoid(%x)
  output %e
  output %t
  output %s
})");
  ASSERT_TRUE(graph.ok()) << graph.status();
  auto llvm = llvm_backend::CompileForLlvm(*graph, {});
  ASSERT_TRUE(llvm.ok()) << llvm.status();
  absl::StatusOr<TensorMap> got = (*llvm)->Run({{"x", Tensor({rows, 17}, points)}});
  ASSERT_TRUE(got.ok()) << got.status();
  const std::vector<std::pair<std::string, double (*)(double)>> functions = {
      {"e", [](double x) { return std::exp(x); }},
      {"t", [](double x) { return std::tanh(x); }},
      {"s", [](double x) { return 1 / (1 + std::exp(-x)); }}};
  constexpr double kUlp = 1.0 / (1 << 23);
  for (const auto& [name, function] : functions) {
    double worst = 0;
    float worst_at = 0;
    const std::vector<float>& values = got->at(name).values();
    for (size_t i = 0; i < points.size(); ++i) {
      const double want = function(points[i]);
      // Below the normal floats (exp, sigmoid of x < -87) only the absolute
      // error counts.
      if (std::abs(want) < 1.2e-38 || std::isinf(static_cast<float>(want))) continue;
      const double error = std::abs(values[i] - want) / std::abs(want);
      if (error > worst) {
        worst = error;
        worst_at = points[i];
      }
    }
    EXPECT_LE(worst, 4 * kUlp) << name << " at " << worst_at;
    std::printf("%s: worst %.3g ulp at %g\n", name.c_str(), worst / kUlp, worst_at);
  }
}

TEST(LlvmBackend, FusedChainKeepsIntermediatesThatHaveOtherUsers) {
  // %a feeds two ops, so it is stored; %b and %c fuse into %d.
  ExpectTextMatchesInterpreter(R"(graph g {
  input %x: f32[N, 8]
  input %y: f32[N, 8]
  %a: f32[N, 8] = mul(%x, %y)
  %b: f32[N, 8] = sigmoid(%a)
  %c: f32[N, 8] = tanh(%y)
  %d: f32[N, 8] = mul(%b, %c)
  %e: f32[N, 8] = add(%d, %a)
  %f: f32[N, 8] = sub(%a, %a)
  output %e
  output %f
})", {{{"N", 3}}, {{"N", 1}}});
}

TEST(LlvmBackend, Softmax) {
  for (int axis : {0, 1, -1}) {
    ExpectTextMatchesInterpreter(absl::StrCat(R"(graph g {
  input %x: f32[T, N, 6]
  %y: f32[T, N, 6] = softmax(%x) {axis = )", axis, R"(}
  output %y
})"),
                                 kShapes, 3.0f);
  }
}

// Every set of axes of a rank-3 tensor with symbolic T and N, dropped and
// kept: the innermost axis (33 = two full chunks of 16 and a masked one)
// reduced or not, symbolic dims reduced (the mean's divisor bound at run
// time), a rank-0 operand, and an elementwise result reduced.
TEST(LlvmBackend, ReduceSumMeanMax) {
  const std::vector<std::vector<int64_t>> axes_sets = {{0},    {1},    {2},    {-1},
                                                       {0, 1}, {0, 2}, {1, 2}, {0, 1, 2}};
  for (const char* op : {"reduce_sum", "reduce_mean", "reduce_max"}) {
    for (const std::vector<int64_t>& axes_set : axes_sets) {
      const std::string axes = absl::StrCat("[", absl::StrJoin(axes_set, ", "), "]");
      SCOPED_TRACE(absl::StrCat(op, " over ", axes));
      auto type = [&](bool keep) {
        const std::vector<std::string> dims = {"T", "N", "33"};
        std::vector<std::string> kept;
        for (int64_t k = 0; k < 3; ++k) {
          const bool reduced = std::find(axes_set.begin(), axes_set.end(), k) != axes_set.end() ||
                               std::find(axes_set.begin(), axes_set.end(), k - 3) != axes_set.end();
          if (!reduced) {
            kept.push_back(dims[k]);
          } else if (keep) {
            kept.push_back("1");
          }
        }
        return absl::StrCat("f32[", absl::StrJoin(kept, ", "), "]");
      };
      ExpectTextMatchesInterpreter(absl::StrCat(R"(graph g {
  input %x: f32[T, N, 33]
  input %s: f32[]
  %e: f32[T, N, 33] = exp(%x)
  %d: )", type(false), " = ", op, "(%x) {axes = ", axes, R"(}
  %k: )", type(true), " = ", op, "(%e) {axes = ", axes, R"(, keep_dims = true}
  %r: f32[] = )", op, R"((%s) {axes = []}
  output %d
  output %k
  output %r
})"),
                                   kShapes);
    }
  }
}

TEST(LlvmBackend, ConcatSplitSliceSelectTranspose) {
  ExpectTextMatchesInterpreter(R"(graph g {
  input %x: f32[T, N, 6]
  input %y: f32[T, N, 2]
  %c: f32[T, N, 14] = concat(%x, %y, %x) {axis = 2}
  %c0: f32[T, N, 20] = concat(%c, %x) {axis = -1}
  %a: f32[T, N, 3], %b: f32[T, N, 1], %d: f32[T, N, 2] = split(%x) {axis = 2, sizes = [3, 1, 2]}
  %s: f32[T, N, 3] = slice(%x) {axis = 2, end = -1, start = 2}
  %first: f32[N, 6] = select(%x) {axis = 0, index = 0}
  %last: f32[T, 6] = select(%x) {axis = 1, index = -1}
  %p: f32[6, T, N] = transpose(%x) {perm = [2, 0, 1]}
  %ct: f32[12, T, N] = concat(%p, %p) {axis = 0}
  output %c0
  output %a
  output %b
  output %d
  output %s
  output %first
  output %last
  output %ct
})", kShapes);
}

// Reshapes that split and merge leading axes around symbolic dims, of an
// input and of a computed value, in and out of a scan.
TEST(LlvmBackend, Reshape) {
  ExpectTextMatchesInterpreter(R"(graph g {
  input %x: f32[T, N, 6]
  input %h0: f32[N, 3]
  %r: f32[T, N, 3, 2] = reshape(%x) {shape = [0, 0, 3, 2]}
  %e: f32[T, N, 3, 2] = tanh(%r)
  %m: f32[T, N, 6] = reshape(%e) {shape = [0, 0, 6]}
  %h_T: f32[N, 3], %hs: f32[T, N, 3] = scan(%h0, %x) {carries = 1, reverse = false} {
    ^(%h: f32[N, 3], %x_t: f32[N, 6]):
    %p: f32[N, 2, 3] = reshape(%x_t) {shape = [0, 2, 3]}
    %q: f32[N, 3] = select(%p) {axis = 1, index = 1}
    %h_next: f32[N, 3] = add(%h, %q)
    yield(%h_next, %h_next)
  }
  %w: f32[2, 3] = full() {value = 0.5}
  %v: f32[6] = reshape(%w) {shape = [6]}
  output %m
  output %e
  output %hs
  output %v
})", kShapes);
}

// A partially unrolled GRU, forward and reverse, with a remainder (T = 7,
// k = 3) on the LLVM backend against the interpreter on the graph as built.
TEST(LlvmBackend, PartiallyUnrolledGruMatchesTheInterpreter) {
  Model m("gru");
  Var x = m.Input("x", {7, N, 4});
  nn::RecurrentOutputs out =
      nn::GRU(m, "gru", nn::GRUOptions(4, 5).bidirectional(true)).Forward(x);
  m.Output("y", out.output);
  m.Output("h_n", out.h_n);
  absl::StatusOr<ir::Graph> graph = m.Build();
  ASSERT_TRUE(graph.ok()) << graph.status();
  passes::PassOptions options;
  options.full_unroll_max_steps = 2;
  options.unroll_factor = 3;
  std::vector<std::string> pipeline = passes::PipelineFor("llvm");
  pipeline.push_back("unroll");
  absl::StatusOr<ir::Graph> unrolled = passes::RunPasses(*graph, pipeline, options);
  ASSERT_TRUE(unrolled.ok()) << unrolled.status();
  ASSERT_NE(ir::PrintGraph(*unrolled).find("reshape"), std::string::npos);
  const TensorMap weights = RandomWeights(*graph, 7);
  auto llvm = llvm_backend::CompileForLlvm(*unrolled, weights);
  ASSERT_TRUE(llvm.ok()) << llvm.status();
  auto interp = interp::CompileForInterpreter(*graph, weights);
  ASSERT_TRUE(interp.ok()) << interp.status();
  for (int64_t batch : {1, 3}) {
    const TensorMap inputs = RandomInputs(*graph, {{"N", batch}}, 40 + batch);
    absl::StatusOr<TensorMap> got = (*llvm)->Run(inputs);
    ASSERT_TRUE(got.ok()) << got.status();
    absl::StatusOr<TensorMap> want = (*interp)->Run(inputs);
    ASSERT_TRUE(want.ok()) << want.status();
    for (const auto& [name, tensor] : *want) {
      SCOPED_TRACE(absl::StrCat("output ", name, " with N=", batch));
      ASSERT_EQ(got->count(name), 1u);
      ExpectAllClose(got->at(name), tensor, kRelativeTolerance, kAbsoluteTolerance);
    }
  }
}

TEST(LlvmBackend, FullWithSymbolicDims) {
  ExpectTextMatchesInterpreter(R"(graph g {
  input %x: f32[T, N, 3]
  %z: f32[N, 3] = full() {value = 0.25}
  %y: f32[T, N, 3] = add(%x, %z)
  %w: f32[T, 2] = full() {value = -1.5}
  output %y
  output %w
})", kShapes);
}

TEST(LlvmBackend, MatmulDenseBatchNorm) {
  ExpectTextMatchesInterpreter(R"(graph g {
  input %x: f32[T, N, 5]
  input %v: f32[5]
  param %w: f32[7, 5]
  param %u: f32[5, 7]
  param %b: f32[7]
  param %gamma: f32[7]
  param %beta: f32[7]
  param %mean: f32[7]
  param %var: f32[7]
  %m: f32[T, N, 7] = matmul(%x, %w) {transpose_b = true}
  %k: f32[T, N, 7] = matmul(%x, %u)
  %vec: f32[7] = matmul(%v, %u)
  %d: f32[T, N, 7] = dense(%x, %w, %b)
  %nb: f32[T, N, 7] = dense(%x, %w)
  %sq: f32[7] = mul(%var, %var)
  %bn: f32[T, N, 7] = batch_norm(%d, %gamma, %beta, %mean, %sq) {epsilon = 0.001}
  output %m
  output %k
  output %vec
  output %nb
  output %bn
})", kShapes);
}

// Matmuls in a scan against param-only weights run on panels that
// rnnc_prepare packs: M = 37 and 70 end in part-filled panels, K = 19 is
// no multiple of 16, a concat of params is computed before it is packed,
// and N from 1 to 61 takes every mix of the tiles of each register file
// (rows × panels: 8×1 up to 32 rows and 6×2 above, 4×1, 2×2, and 1×1
// with four sets of sums, whose K loop leaves 3, for AVX-512; 3×1, 2×1, 1×2
// for AVX2; 1×1 for SSE), 61 rows in two blocks of main tiles. Each N
// reallocates the buffers, so rnnc_prepare runs again.
TEST(LlvmBackend, MatmulsOnPackedPanels) {
  std::vector<ir::BoundDims> shapes;
  for (int64_t n : {1, 2, 3, 4, 5, 7, 8, 9, 13, 16, 17, 20, 23, 32, 34, 44, 61, 1}) {
    shapes.push_back({{"T", 3}, {"N", n}});
  }
  for (auto [registers, floats] : kRegisterFiles) {
    SCOPED_TRACE(absl::StrCat(registers, " registers of ", floats, " floats"));
    ExpectTextMatchesInterpreter(R"(graph g {
  input %x: f32[T, N, 19]
  param %w: f32[37, 19]
  param %u: f32[19, 70]
  param %b: f32[37]
  param %c: f32[74]
  %ww: f32[74, 19] = concat(%w, %w) {axis = 0}
  %c_half: f32[37] = slice(%c) {axis = 0, end = 74, start = 37}
  %ys: f32[T, N, 37], %zs: f32[T, N, 70], %ds: f32[T, N, 37], %es: f32[T, N, 74] = scan(%x) {carries = 0, reverse = false} {
    ^(%x_t: f32[N, 19]):
    %y: f32[N, 37] = matmul(%x_t, %w) {transpose_b = true}
    %y_b: f32[N, 37] = add(%y, %c_half)
    %z: f32[N, 70] = matmul(%x_t, %u)
    %d: f32[N, 37] = dense(%x_t, %w, %b)
    %e: f32[N, 74] = matmul(%x_t, %ww) {transpose_b = true}
    yield(%y_b, %z, %d, %e)
  }
  output %ys
  output %zs
  output %ds
  output %es
})", shapes, 1, {.vector_registers = registers, .register_floats = floats});
  }
}

// Matmuls in a scan against weights that are inputs, not params, run on
// register tiles that read both operands as they are: square tiles of rows,
// then one row against several (4×4 and 1×8 for AVX-512, 2×2 and 1×4 for
// AVX2, 1×1 and 1×2 for SSE), and rows of b for the non-transposed
// product. M = 37 and K = 19 end in part tiles and masked chunks; the
// operand a is the carry, so the pipeline hoists neither product.
TEST(LlvmBackend, MatmulsAgainstInputsOnRegisterTiles) {
  std::vector<ir::BoundDims> shapes;
  for (int64_t n : {1, 2, 3, 4, 5, 9}) shapes.push_back({{"T", 2}, {"N", n}});
  for (auto [registers, floats] : kRegisterFiles) {
    SCOPED_TRACE(absl::StrCat(registers, " registers of ", floats, " floats"));
    ExpectTextMatchesInterpreter(R"(graph g {
  input %h0: f32[N, 19]
  input %x: f32[T, N, 19]
  input %w: f32[37, 19]
  input %u: f32[37, 19]
  %h_T: f32[N, 19], %ys: f32[T, N, 37] = scan(%h0, %x) {carries = 1, reverse = false} {
    ^(%h: f32[N, 19], %x_t: f32[N, 19]):
    %y: f32[N, 37] = matmul(%h, %w) {transpose_b = true}
    %z: f32[N, 19] = matmul(%y, %u)
    %s: f32[N, 19] = add(%z, %x_t)
    %h_next: f32[N, 19] = tanh(%s)
    yield(%h_next, %y)
  }
  output %h_T
  output %ys
})", shapes, 0.3f, {.vector_registers = registers, .register_floats = floats});
  }
}

TEST(LlvmBackend, ScanForwardAndReverseWithCarriesAndOutputs) {
  for (const char* reverse : {"false", "true"}) {
    ExpectTextMatchesInterpreter(absl::StrCat(R"(graph g {
  input %h0: f32[N, 4]
  input %k0: f32[]
  input %x: f32[T, N, 3]
  input %y: f32[T, 2]
  param %w: f32[4, 3]
  param %u: f32[4, 4]
  %h_T: f32[N, 4], %count: f32[], %hs: f32[T, N, 4], %ys: f32[T, 2] = scan(%h0, %k0, %x, %y) {carries = 2, reverse = )", reverse, R"(} {
    ^(%h: f32[N, 4], %k: f32[], %x_t: f32[N, 3], %y_t: f32[2]):
    %a: f32[N, 4] = matmul(%x_t, %w) {transpose_b = true}
    %b: f32[N, 4] = matmul(%h, %u) {transpose_b = true}
    %s: f32[N, 4] = add(%a, %b)
    %h_next: f32[N, 4] = tanh(%s)
    %one: f32[] = full() {value = 1.0}
    %k_next: f32[] = add(%k, %one)
    yield(%h_next, %k_next, %h_next, %y_t)
  }
  output %h_T
  output %count
  output %hs
  output %ys
})"),
                                 kShapes);
  }
}

// Odd steps take a panel matmul's panels last to first (ScanCodegen.cpp),
// and must compute every element as even ones do: each step's product has
// the bits of a one-step run (step 0) from that step's h. M = 200 is 7
// panels, the last one partial; N from 1 to 17 runs every tile shape.
TEST(LlvmBackend, OddAndEvenStepsComputeTheSameBits) {
  absl::StatusOr<ir::Graph> graph = ir::ParseGraph(R"(graph g {
  input %h0: f32[N, 40]
  input %x: f32[T, 2]
  param %u: f32[200, 40]
  param %c: f32[200]
  %h_T: f32[N, 40], %gs: f32[T, N, 200], %hs: f32[T, N, 40] = scan(%h0, %x) {carries = 1, reverse = false} {
    ^(%h: f32[N, 40], %x_t: f32[2]):
    %g: f32[N, 200] = matmul(%h, %u) {transpose_b = true}
    %s: f32[N, 200] = add(%g, %c)
    %first: f32[N, 40] = slice(%s) {axis = 1, end = 40, start = 0}
    %h_next: f32[N, 40] = tanh(%first)
    yield(%h_next, %s, %h)
  }
  output %gs
  output %hs
})");
  ASSERT_TRUE(graph.ok()) << graph.status();
  const TensorMap weights = RandomWeights(*graph, 7);
  constexpr int64_t kSteps = 4;
  for (auto [registers, floats] : kRegisterFiles) {
    SCOPED_TRACE(absl::StrCat(registers, " registers of ", floats, " floats"));
    auto llvm = llvm_backend::CompileForLlvm(
        *graph, weights, {.vector_registers = registers, .register_floats = floats});
    ASSERT_TRUE(llvm.ok()) << llvm.status();
    for (int64_t n : {1, 2, 5, 9, 17}) {
      const TensorMap inputs = RandomInputs(*graph, {{"T", kSteps}, {"N", n}}, 3);
      absl::StatusOr<TensorMap> got = (*llvm)->Run(inputs);
      ASSERT_TRUE(got.ok()) << got.status();
      const std::vector<float>& products = got->at("gs").values();
      const std::vector<float>& states = got->at("hs").values();
      const size_t product = static_cast<size_t>(n) * 200;
      const size_t state = static_cast<size_t>(n) * 40;
      for (size_t t = 0; t < kSteps; ++t) {
        SCOPED_TRACE(absl::StrCat("N=", n, " step ", t));
        TensorMap one_step = RandomInputs(*graph, {{"T", 1}, {"N", n}}, 3);
        std::copy(states.begin() + t * state, states.begin() + (t + 1) * state,
                  one_step.at("h0").values().begin());
        absl::StatusOr<TensorMap> want = (*llvm)->Run(one_step);
        ASSERT_TRUE(want.ok()) << want.status();
        EXPECT_EQ(std::vector<float>(products.begin() + t * product,
                                     products.begin() + (t + 1) * product),
                  want->at("gs").values());
      }
    }
  }
}

// A contraction scan (passes/Accumulation.h), run as one GEMM over all T·N
// rows: init + Σ_t u_tᵀ·v_t, with u and v in either order among the
// sequences, symbolic T and N, and P, Q across the 16-lane chunks.
TEST(LlvmBackend, ContractionScanIsOneGemm) {
  const std::string text = R"(graph g {
  input %u: f32[T, N, 19]
  input %v: f32[T, N, 5]
  input %init: f32[19, 5]
  input %init2: f32[5, 19]
  %c: f32[19, 5] = scan(%init, %u, %v) {carries = 1, reverse = true} {
    ^(%acc: f32[19, 5], %u_t: f32[N, 19], %v_t: f32[N, 5]):
    %u_tt: f32[19, N] = transpose(%u_t) {perm = [1, 0]}
    %p: f32[19, 5] = matmul(%u_tt, %v_t)
    %next: f32[19, 5] = add(%p, %acc)
    yield(%next)
  }
  %d: f32[5, 19] = scan(%init2, %u, %v) {carries = 1, reverse = false} {
    ^(%acc2: f32[5, 19], %u_t2: f32[N, 19], %v_t2: f32[N, 5]):
    %v_tt: f32[5, N] = transpose(%v_t2) {perm = [1, 0]}
    %q: f32[5, 19] = matmul(%v_tt, %u_t2)
    %next2: f32[5, 19] = add(%acc2, %q)
    yield(%next2)
  }
  output %c
  output %d
})";
  ExpectTextMatchesInterpreter(text, kShapes);
  absl::StatusOr<ir::Graph> graph = ir::ParseGraph(text);
  ASSERT_TRUE(graph.ok()) << graph.status();
  absl::StatusOr<std::string> ir = llvm_backend::EmitLlvmIr(*graph);
  ASSERT_TRUE(ir.ok()) << ir.status();
  EXPECT_NE(ir->find("rnnc_gemm_accumulate_transposed_a"), std::string::npos);
}

TEST(LlvmBackend, ScanCarriesThatSwap) {
  ExpectTextMatchesInterpreter(R"(graph g {
  input %a0: f32[N, 2]
  input %b0: f32[N, 2]
  input %x: f32[T, N, 2]
  %a_T: f32[N, 2], %b_T: f32[N, 2], %as: f32[T, N, 2] = scan(%a0, %b0, %x) {carries = 2, reverse = false} {
    ^(%a: f32[N, 2], %b: f32[N, 2], %x_t: f32[N, 2]):
    %next: f32[N, 2] = add(%a, %x_t)
    yield(%b, %next, %a)
  }
  output %a_T
  output %b_T
  output %as
})", kShapes);
}

// The cells of PyTorch's layers, written from primitives on PyTorch's weight
// layout (W (G·H, I), U (G·H, H), biases (G·H)), as the frontend tests do,
// with weights uniform in ±1/√H as PyTorch initialises them. (At ±0.5 a ReLU
// RNN with H = 32 grew to 30 in six steps, and its small outputs, left by
// cancellation, differed from the interpreter's by the rounding of the
// large ones: 2e-5 relative, 1e-7 of the largest.)
enum class Cell { kLstm, kGruAfter, kGruBefore, kRnnTanh, kRnnRelu };

void BuildCell(Model& m, Cell cell, int64_t input, int64_t hidden, bool reverse) {
  const double weight_bound = 1.0 / std::sqrt(static_cast<double>(hidden));
  const int64_t gates = cell == Cell::kLstm ? 4 : (cell == Cell::kGruAfter || cell == Cell::kGruBefore) ? 3 : 1;
  auto param = [&](const char* name, std::vector<int64_t> shape) {
    return m.Param(name, std::move(shape), Initializer::Uniform(weight_bound));
  };
  Var x = m.Input("x", {T, N, input});
  Var h0 = m.Input("h0", {N, hidden});
  Var W = param("weight_ih_l0", {gates * hidden, input});
  Var U = param("weight_hh_l0", {gates * hidden, hidden});
  Var b = param("bias_ih_l0", {gates * hidden});
  Var c = param("bias_hh_l0", {gates * hidden});
  const Vars initial = cell == Cell::kLstm ? Vars{h0, h0 * 0.5} : Vars{h0};
  std::vector<int64_t> sizes(static_cast<size_t>(gates), hidden);
  ScanResult r = Scan(
      {x}, initial,
      [&](const Vars& in, const Vars& state) {
        Var h = state[0];
        switch (cell) {
          case Cell::kLstm: {
            // i, f, g, o = split(W x + b + U h + c); c' = f c + i g; h' = o tanh(c')
            Vars g = Split(Matmul(in[0], W, true) + b + Matmul(h, U, true) + c, sizes);
            Var c_next = Sigmoid(g[1]) * state[1] + Sigmoid(g[0]) * Tanh(g[2]);
            Var h_next = Sigmoid(g[3]) * Tanh(c_next);
            return ScanStep{{h_next, c_next}, {h_next}};
          }
          case Cell::kGruAfter:
          case Cell::kGruBefore: {
            Vars gx = Split(Matmul(in[0], W, true) + b, sizes);  // r, z, n
            Vars gh = Split(Matmul(h, U, true) + c, sizes);
            Var r = Sigmoid(gx[0] + gh[0]);
            Var z = Sigmoid(gx[1] + gh[1]);
            Var n;
            if (cell == Cell::kGruAfter) {
              n = Tanh(gx[2] + r * gh[2]);
            } else {
              Var U_n = Slice(U, 0, 2 * hidden, 3 * hidden);
              Var c_n = Slice(c, 0, 2 * hidden, 3 * hidden);
              n = Tanh(gx[2] + Matmul(r * h, U_n, true) + c_n);
            }
            Var h_next = z * h + (1.0 - z) * n;
            return ScanStep{{h_next}, {h_next}};
          }
          case Cell::kRnnTanh:
          case Cell::kRnnRelu: {
            Var s = Matmul(in[0], W, true) + b + Matmul(h, U, true) + c;
            Var h_next = cell == Cell::kRnnTanh ? Tanh(s) : Relu(s);
            return ScanStep{{h_next}, {h_next}};
          }
        }
        return ScanStep{};
      },
      reverse);
  m.Output("output", r.outputs[0]);
  m.Output("h_n", r.carries[0]);
  if (cell == Cell::kLstm) m.Output("c_n", r.carries[1]);
}

class LlvmCellTest : public testing::TestWithParam<std::tuple<Cell, bool>> {};

TEST_P(LlvmCellTest, MatchesInterpreterOverShapes) {
  const auto [cell, reverse] = GetParam();
  for (auto [input, hidden] : {std::pair<int64_t, int64_t>{5, 4}, {16, 32}, {3, 17}}) {
    SCOPED_TRACE(absl::StrCat("I=", input, " H=", hidden));
    Model m("cell", 3);
    BuildCell(m, cell, input, hidden, reverse);
    absl::StatusOr<ir::Graph> graph = m.Build();
    ASSERT_TRUE(graph.ok()) << graph.status();
    ExpectMatchesInterpreter(*graph, m.weights(),
                             {{{"T", 6}, {"N", 3}}, {{"T", 1}, {"N", 1}}, {{"T", 9}, {"N", 1}},
                              {{"T", 1}, {"N", 5}}, {{"T", 6}, {"N", 3}}});
  }
}

std::string CellTestName(const testing::TestParamInfo<std::tuple<Cell, bool>>& info) {
  static const char* names[] = {"Lstm", "GruAfter", "GruBefore", "RnnTanh", "RnnRelu"};
  return absl::StrCat(names[static_cast<int>(std::get<0>(info.param))],
                      std::get<1>(info.param) ? "Reverse" : "Forward");
}

INSTANTIATE_TEST_SUITE_P(Cells, LlvmCellTest,
                         testing::Combine(testing::Values(Cell::kLstm, Cell::kGruAfter,
                                                          Cell::kGruBefore, Cell::kRnnTanh,
                                                          Cell::kRnnRelu),
                                          testing::Bool()),
                         CellTestName);

// Layer ops through the "llvm" pipeline on 200 seeded random configurations:
// cell, direction and merge, depth, initial states, and sizes down to 1.
TEST(LlvmBackend, RandomLayerStacksMatchTheInterpreter) {
  std::mt19937 rng(2024);
  auto pick = [&](int64_t low, int64_t high) {
    return std::uniform_int_distribution<int64_t>(low, high)(rng);
  };
  for (int config = 0; config < 200; ++config) {
    const int64_t cell = pick(0, 4);  // lstm, gru after, gru before, rnn tanh, rnn relu
    const int64_t input = pick(1, 9), hidden = pick(1, 20), layers = pick(1, 2);
    const bool bidirectional = pick(0, 1) == 1, with_states = pick(0, 1) == 1;
    const nn::Merge merges[] = {nn::Merge::kConcat, nn::Merge::kSum, nn::Merge::kMul,
                                nn::Merge::kAve};
    SCOPED_TRACE(absl::StrCat("config ", config, ": cell ", cell, " I=", input, " H=", hidden,
                              " L=", layers, bidirectional ? " bidirectional" : "",
                              with_states ? " with initial states" : ""));
    Model m("random", static_cast<uint64_t>(config));
    Var x = m.Input("x", {T, N, input});
    auto options = nn::RecurrentOptions(input, hidden)
                       .num_layers(layers)
                       .bidirectional(bidirectional)
                       .merge(merges[pick(0, 3)])
                       .reset(cell == 2 ? nn::Reset::kBefore : nn::Reset::kAfter)
                       .nonlinearity(cell == 4 ? "relu" : "tanh");
    const int64_t states = layers * (bidirectional ? 2 : 1);
    nn::InitialStates initial;
    if (with_states) {
      initial.h0 = m.Input("h0", {states, N, hidden});
      if (cell == 0) initial.c0 = m.Input("c0", {states, N, hidden});
    }
    nn::RecurrentOutputs outputs =
        cell == 0   ? nn::LSTM(m, "layer", options).Forward(x, initial)
        : cell <= 2 ? nn::GRU(m, "layer", options).Forward(x, initial)
                    : nn::RNN(m, "layer", options).Forward(x, initial);
    m.Output("y", outputs.output);
    m.Output("h_n", outputs.h_n);
    absl::StatusOr<ir::Graph> graph = m.Build();
    ASSERT_TRUE(graph.ok()) << graph.status();
    ExpectMatchesInterpreter(*graph, m.weights(),
                             {{{"T", pick(1, 6)}, {"N", pick(1, 4)}}, {{"T", 1}, {"N", 1}}});
    if (HasFatalFailure()) return;
  }
}

TEST(LlvmBackend, ReportsCompileTimes) {
  Model m("cell", 3);
  BuildCell(m, Cell::kLstm, 16, 32, false);
  absl::StatusOr<ir::Graph> graph = m.Build();
  ASSERT_TRUE(graph.ok()) << graph.status();
  llvm_backend::LlvmCompileStats stats;
  auto executable = llvm_backend::CompileForLlvm(*graph, m.weights(), {.stats = &stats});
  ASSERT_TRUE(executable.ok()) << executable.status();
  EXPECT_GT(stats.machine_code_ms, 0);
  EXPECT_GE(stats.total_ms, stats.lower_ms + stats.optimize_ms + stats.machine_code_ms);
}

// The JIT compiles its partitions of the module on several threads; a
// 2-layer LSTM under a dense head gives each of up to four threads
// functions of its own (each layer's step, the GEMM tiles, the head), and
// every split matches the interpreter: the calls across partitions link.
TEST(LlvmBackend, CompilesOnOneToFourThreads) {
  Model m("stack", 3);
  Var x = m.Input("x", {T, N, 12});
  Var y = nn::LSTM(m, "lstm", nn::LSTMOptions(12, 20).num_layers(2))(x);
  m.Output("y", nn::Dense(m, "head", nn::DenseOptions(20, 5))(y));
  absl::StatusOr<ir::Graph> graph = m.Build();
  ASSERT_TRUE(graph.ok()) << graph.status();
  auto interp = interp::CompileForInterpreter(*graph, m.weights());
  ASSERT_TRUE(interp.ok()) << interp.status();
  const TensorMap inputs = RandomInputs(*graph, {{"T", 5}, {"N", 3}}, 9);
  absl::StatusOr<TensorMap> want = (*interp)->Run(inputs);
  ASSERT_TRUE(want.ok()) << want.status();
  for (int threads : {1, 2, 3, 4}) {
    SCOPED_TRACE(absl::StrCat(threads, " compile threads"));
    llvm_backend::LlvmCompileStats stats;
    auto llvm = llvm_backend::CompileForLlvm(*graph, m.weights(),
                                             {.stats = &stats, .compile_threads = threads});
    ASSERT_TRUE(llvm.ok()) << llvm.status();
    EXPECT_EQ(stats.compile_threads, threads);
    absl::StatusOr<TensorMap> got = (*llvm)->Run(inputs);
    ASSERT_TRUE(got.ok()) << got.status();
    ExpectAllClose(got->at("y"), want->at("y"), kRelativeTolerance, kAbsoluteTolerance);
  }
}

// Layers of equal widths have identical tasks, which find their slots
// through tables: MergeFunctions leaves a 2-layer LSTM with the functions
// of a 1-layer one, so a second layer costs no compile time.
TEST(LlvmBackend, IdenticalLayersShareTheirFunctions) {
  auto defined_regions = [](int layers) {
    Model m("stack", 3);
    Var x = m.Input("x", {T, N, 32});
    m.Output("y", nn::LSTM(m, "lstm", nn::LSTMOptions(32, 32).num_layers(layers))(x));
    absl::StatusOr<ir::Graph> graph = m.Build();
    EXPECT_TRUE(graph.ok()) << graph.status();
    absl::StatusOr<std::string> ir = llvm_backend::EmitLlvmIr(*graph);
    EXPECT_TRUE(ir.ok()) << ir.status();
    int count = 0;
    for (size_t at = ir->find("\ndefine internal void @rnnc.region."); at != std::string::npos;
         at = ir->find("\ndefine internal void @rnnc.region.", at + 1)) {
      ++count;
    }
    return count;
  };
  const int one = defined_regions(1);
  EXPECT_GE(one, 1);
  EXPECT_EQ(defined_regions(2), one);
}

// Parallel scans split each step by a fixed rule, so one thread and two
// give the same bits; both match the interpreter. H = 40 leaves ragged
// shares of the weight panels; H = 64 and 96 split every gate between the
// threads (evenly, and 1 + 2 panels), with one barrier a step; at N = 1.
// At N = 37 and 40 each thread takes rows of its own instead, 16 and 21
// or 24 of them. (±0.5 at H = 96, not BuildCell's ±1/√H, makes the recurrence
// amplify rounding about threefold a step.)
TEST(LlvmBackend, ParallelScansGiveTheSameResultsOnOneAndTwoThreads) {
  const int saved = omp_get_max_threads();
  for (auto [cell, hidden] :
       {std::pair{Cell::kLstm, 40}, {Cell::kGruAfter, 40}, {Cell::kGruBefore, 40},
        {Cell::kRnnTanh, 40}, {Cell::kLstm, 64}, {Cell::kGruAfter, 96}, {Cell::kGruBefore, 64},
        {Cell::kRnnTanh, 96}}) {
    for (bool reverse : {false, true}) {
      SCOPED_TRACE(absl::StrCat("cell ", static_cast<int>(cell), " H=", hidden,
                                reverse ? " reverse" : ""));
      Model m("cell", 3);
      BuildCell(m, cell, 24, hidden, reverse);
      absl::StatusOr<ir::Graph> graph = m.Build();
      ASSERT_TRUE(graph.ok()) << graph.status();
      auto llvm = llvm_backend::CompileForLlvm(*graph, m.weights());
      ASSERT_TRUE(llvm.ok()) << llvm.status();
      auto interp = interp::CompileForInterpreter(*graph, m.weights());
      ASSERT_TRUE(interp.ok()) << interp.status();
      for (int64_t batch : {1, 37, 40}) {
        const TensorMap inputs = RandomInputs(*graph, {{"T", 7}, {"N", batch}}, 5);
        omp_set_num_threads(1);
        absl::StatusOr<TensorMap> one = (*llvm)->Run(inputs);
        omp_set_num_threads(2);
        absl::StatusOr<TensorMap> two = (*llvm)->Run(inputs);
        absl::StatusOr<TensorMap> want = (*interp)->Run(inputs);
        ASSERT_TRUE(one.ok() && two.ok() && want.ok());
        for (const auto& [name, tensor] : *want) {
          SCOPED_TRACE(absl::StrCat(name, " N=", batch));
          EXPECT_EQ(one->at(name).values(), two->at(name).values());
          ExpectAllClose(two->at(name), tensor, kRelativeTolerance, kAbsoluteTolerance);
        }
      }
    }
  }
  omp_set_num_threads(saved);
}

// A scan whose rows never meet runs each thread on rows of its own, its
// barriers handed a null team (BatchSplitCodegen.cpp). One whose body reads
// a per-row value from outside it, or averages over the batch, splits its
// columns instead. Either way one, two and three threads give the same
// bits, at batches of whole tiles per thread and of ragged ones, and match
// the interpreter.
TEST(LlvmBackend, ScansWhoseRowsNeverMeetSplitTheBatch) {
  const std::string head = R"(graph g {
  input %x: f32[T, N, 24]
  input %scale: f32[N, 40]
  param %w: f32[40, 24]
  param %u: f32[40, 40]
  %h0: f32[N, 40] = full() {value = 0.0}
  %h_T: f32[N, 40], %hs: f32[T, N, 40] = scan(%h0, %x) {carries = 1, reverse = false} {
    ^(%h: f32[N, 40], %x_t: f32[N, 24]):
    %a: f32[N, 40] = matmul(%x_t, %w) {transpose_b = true}
    %b: f32[N, 40] = matmul(%h, %u)
    %s: f32[N, 40] = add(%a, %b)
)";
  const std::string tail = R"(
    yield(%next, %next)
  }
  output %hs
  output %h_T
  output %scale
})";
  const std::string rowwise = "    %next: f32[N, 40] = tanh(%s)";
  const std::string scaled =
      "    %t: f32[N, 40] = tanh(%s)\n    %next: f32[N, 40] = mul(%t, %scale)";
  const std::string summed =
      "    %r: f32[40] = reduce_mean(%b) {axes = [0]}\n"
      "    %t: f32[N, 40] = add(%s, %r)\n    %next: f32[N, 40] = tanh(%t)";
  const int saved = omp_get_max_threads();
  for (const auto& [body, splits] :
       {std::pair{rowwise, true}, std::pair{scaled, false}, std::pair{summed, false}}) {
    SCOPED_TRACE(body);
    absl::StatusOr<ir::Graph> graph = ir::ParseGraph(head + body + tail);
    ASSERT_TRUE(graph.ok()) << graph.status();
    absl::StatusOr<std::string> ir = llvm_backend::EmitLlvmIr(*graph);
    ASSERT_TRUE(ir.ok()) << ir.status();
    EXPECT_EQ(ir->find(", ptr null") != std::string::npos, splits);
    // ±0.15, about 1/√H: a recurrence that does not amplify rounding.
    TensorMap weights = RandomWeights(*graph, 7);
    for (auto& [name, tensor] : weights) {
      for (float& v : tensor.values()) v *= 0.5f;
    }
    auto llvm = llvm_backend::CompileForLlvm(*graph, weights);
    ASSERT_TRUE(llvm.ok()) << llvm.status();
    auto interp = interp::CompileForInterpreter(*graph, weights);
    ASSERT_TRUE(interp.ok()) << interp.status();
    for (int64_t batch : {16, 21, 40}) {
      const TensorMap inputs = RandomInputs(*graph, {{"T", 6}, {"N", batch}}, 11);
      absl::StatusOr<TensorMap> want = (*interp)->Run(inputs);
      ASSERT_TRUE(want.ok()) << want.status();
      std::vector<TensorMap> runs;
      for (int threads : {1, 2, 3}) {
        omp_set_num_threads(threads);
        absl::StatusOr<TensorMap> got = (*llvm)->Run(inputs);
        ASSERT_TRUE(got.ok()) << got.status();
        runs.push_back(*std::move(got));
      }
      for (const auto& [name, tensor] : *want) {
        SCOPED_TRACE(absl::StrCat(name, " N=", batch));
        EXPECT_EQ(runs[1].at(name).values(), runs[0].at(name).values());
        EXPECT_EQ(runs[2].at(name).values(), runs[0].at(name).values());
        ExpectAllClose(runs[1].at(name), tensor, kRelativeTolerance, kAbsoluteTolerance);
      }
    }
  }
  omp_set_num_threads(saved);
}

// The LLVM IR of BuildCell's model of `cell` (input 8, hidden `hidden`).
absl::StatusOr<std::string> CellLlvmIr(Cell cell, int64_t hidden) {
  Model m("cell", 3);
  BuildCell(m, cell, 8, hidden, false);
  absl::StatusOr<ir::Graph> graph = m.Build();
  if (!graph.ok()) return graph.status();
  return llvm_backend::EmitLlvmIr(*graph);
}

// A scan is one parallel region with barriers; a bidirectional layer's two
// scans are one region too, a direction per thread, without barriers. A
// matmul outside scans against small weights is a region of its own.
TEST(LlvmBackend, ScansBecomeParallelRegions) {
  absl::StatusOr<std::string> ir = CellLlvmIr(Cell::kLstm, 32);
  ASSERT_TRUE(ir.ok()) << ir.status();
  EXPECT_NE(ir->find("call void @rnnc_parallel(ptr nonnull @rnnc.region.0"), std::string::npos);
  EXPECT_NE(ir->find("call void @rnnc_barrier"), std::string::npos);

  Model bidirectional("bidirectional", 3);
  Var x = bidirectional.Input("x", {T, N, 8});
  bidirectional.Output(
      "y", nn::GRU(bidirectional, "gru", nn::GRUOptions(8, 32).bidirectional(true))(x));
  absl::StatusOr<ir::Graph> both = bidirectional.Build();
  ASSERT_TRUE(both.ok()) << both.status();
  ir = llvm_backend::EmitLlvmIr(*both);
  ASSERT_TRUE(ir.ok()) << ir.status();
  // A region for each direction's hoisted input projection, one for both
  // scans.
  int regions = 0;
  for (size_t at = ir->find("call void @rnnc_parallel"); at != std::string::npos;
       at = ir->find("call void @rnnc_parallel", at + 1)) {
    ++regions;
  }
  EXPECT_EQ(regions, 3) << "one region for both directions";
  EXPECT_EQ(ir->find("call void @rnnc_barrier"), std::string::npos);
  ExpectMatchesInterpreter(*both, bidirectional.weights(), kShapes);
}

// A panel matmul of a few rows (a step's h, which both threads wrote parts
// of) asks for all of its left operand's lines before its first tile.
TEST(LlvmBackend, PanelMatmulsOfFewRowsPrefetchTheirLeftOperand) {
  absl::StatusOr<std::string> ir = CellLlvmIr(Cell::kRnnTanh, 64);
  ASSERT_TRUE(ir.ok()) << ir.status();
  const size_t gemm = ir->find("define internal fastcc void @rnnc.panel_gemm");
  ASSERT_NE(gemm, std::string::npos);
  const size_t prefetch = ir->find("call void @llvm.prefetch", gemm);
  EXPECT_LT(prefetch, ir->find("\n}\n", gemm)) << "no prefetch in rnnc.panel_gemm";
}

TEST(LlvmBackend, EmitsVectorizedIr) {
  absl::StatusOr<std::string> ir = CellLlvmIr(Cell::kGruAfter, 64);
  ASSERT_TRUE(ir.ok()) << ir.status();
  EXPECT_NE(ir->find("define void @rnnc_main"), std::string::npos);
  EXPECT_NE(ir->find("x float>"), std::string::npos) << "no vector code";
}

}  // namespace
}  // namespace rnnc
