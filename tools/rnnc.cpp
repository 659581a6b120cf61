// The rnnc command-line driver: parses flags, calls tools/Driver, prints.
#include <algorithm>
#include <cstdio>
#include <iostream>

#include "absl/flags/flag.h"
#include "absl/flags/parse.h"
#include "absl/flags/usage.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_replace.h"
#include "backends/llvm/LlvmBackend.h"
#include "ir/DotPrinter.h"
#include "ir/Printer.h"
#include "passes/PassManager.h"
#include "tools/Driver.h"
#include "tools/ModelBenchmark.h"

ABSL_FLAG(std::string, weights, "", "safetensors file with the model's parameters");
ABSL_FLAG(std::string, inputs, "", "safetensors file with the model's inputs, by input name");
ABSL_FLAG(std::string, outputs, "", "where `run` writes the outputs (safetensors)");
ABSL_FLAG(std::string, backend, "interp", "what runs the model: interp, onednn or llvm");
ABSL_FLAG(std::string, passes, "", "`opt`: passes to run, in order, e.g. expand-rnn-layers,dce");
ABSL_FLAG(bool, print_after_all, false, "`opt`: print the IR after every pass");
ABSL_FLAG(int64_t, unroll_factor, rnnc::passes::PassOptions().unroll_factor,
          "`opt`: the steps per iteration `unroll` gives a scan too long to unroll fully");
ABSL_FLAG(int64_t, full_unroll_max_steps, rnnc::passes::PassOptions().full_unroll_max_steps,
          "`opt`: the longest static T `unroll` unrolls fully");
ABSL_FLAG(std::string, emit, "",
          "`opt`: what to print: ir (the default), or llvm (the LLVM IR of the llvm backend); "
          "`compile`: what "
          "to write: library (the default: the .so and its header), obj, llvm or header");
ABSL_FLAG(std::string, o, "", "`compile`: the file to write, e.g. -o libmodel.so");
ABSL_FLAG(std::string, header, "",
          "`compile`: where the library's C header goes (default: beside it, libm.so -> m.h)");
ABSL_FLAG(std::string, name, "",
          "`compile`: the C prefix of the library's functions (default: the graph's name)");
ABSL_FLAG(bool, external_weights, false,
          "`compile`: embed no weights; the library reads a safetensors file at create time");
ABSL_FLAG(std::string, target_cpu, "",
          "`compile`: the CPU to compile for, e.g. x86-64-v3 (default: this machine's, with all "
          "its features)");
ABSL_FLAG(std::string, gemm, "inline",
          "`compile`: inline (every matmul in generated code; the library needs only libc, "
          "libm, libstdc++) or onednn (large products of two activations on oneDNN's sgemm; "
          "it needs libdnnl)");
ABSL_FLAG(std::string, dims, "",
          "`bench` without --inputs: sizes of the symbolic dims for random inputs, e.g. T=100,N=16");
ABSL_FLAG(double, min_seconds, 1.0, "`bench`: run for at least this long");
ABSL_FLAG(int64_t, min_runs, 10, "`bench`: and at least this many times");

namespace {

constexpr char kUsage[] = R"(a graph compiler for recurrent neural networks

usage:
  rnnc opt FILE.rnnc [--passes=a,b,c] [--print-after-all] [--emit=ir|llvm]
           [--unroll_factor 4] [--full_unroll_max_steps 16]
                                     parse and verify IR text, run passes,
                                     print the result
  rnnc dot FILE.rnnc                 draw the graph for Graphviz:
                                     rnnc dot m.rnnc | dot -Tsvg > m.svg
  rnnc run FILE.rnnc --weights W.safetensors --inputs X.safetensors
           [--outputs OUT.safetensors] [--backend interp]
                                     run a model; symbolic dims (T, N) are
                                     bound from the input shapes
  rnnc run LIBMODEL.so --inputs X.safetensors [--weights W.safetensors]
                                     run a compiled model library
  rnnc compile FILE.rnnc --weights W.safetensors -o libmodel.so
           [--header model.h] [--name NAME] [--external-weights]
           [--gemm inline|onednn] [--target-cpu CPU]
           [--emit library|obj|llvm|header]
                                     compile a model ahead of time into a
                                     shared library and its C header
  rnnc bench FILE.rnnc [--weights W.safetensors] (--inputs X.safetensors | --dims T=100,N=16)
           [--backend interp] [--min_seconds 1] [--min_runs 10]
                                     run a model repeatedly: latency
                                     percentiles, throughput, GFLOP/s;
                                     random weights without --weights
FILE may be '-' for standard input. Flags:)";

// Errors are one line: the user sees what to fix, not a dump.
int Fail(const absl::Status& status) {
  std::cerr << "rnnc: error: " << absl::StrReplaceAll(status.message(), {{"\n", "; "}}) << "\n";
  return 1;
}

int Opt(const std::string& path) {
  absl::StatusOr<rnnc::ir::Graph> graph = rnnc::tools::LoadGraph(path);
  if (!graph.ok()) return Fail(graph.status());
  absl::StatusOr<std::vector<std::string>> passes =
      rnnc::passes::ParsePassList(absl::GetFlag(FLAGS_passes));
  if (!passes.ok()) return Fail(passes.status());
  rnnc::passes::PassOptions options;
  options.unroll_factor = absl::GetFlag(FLAGS_unroll_factor);
  options.full_unroll_max_steps = absl::GetFlag(FLAGS_full_unroll_max_steps);
  absl::StatusOr<rnnc::ir::Graph> optimized =
      rnnc::passes::RunPasses(*graph, *passes, options,
                              absl::GetFlag(FLAGS_print_after_all) ? &std::cout : nullptr);
  if (!optimized.ok()) return Fail(optimized.status());
  const std::string emit = absl::GetFlag(FLAGS_emit);
  if (emit == "llvm") {
    absl::StatusOr<std::string> llvm_ir = rnnc::llvm_backend::EmitLlvmIr(*optimized);
    if (!llvm_ir.ok()) return Fail(llvm_ir.status());
    std::cout << *llvm_ir;
  } else if (emit == "ir" || emit.empty()) {
    if (!absl::GetFlag(FLAGS_print_after_all)) std::cout << rnnc::ir::PrintGraph(*optimized);
  } else {
    return Fail(absl::InvalidArgumentError(
        absl::StrCat("--emit=", emit, " is not known; expected ir or llvm")));
  }
  return 0;
}

int Dot(const std::string& path) {
  absl::StatusOr<rnnc::ir::Graph> graph = rnnc::tools::LoadGraph(path);
  if (!graph.ok()) return Fail(graph.status());
  std::cout << rnnc::ir::PrintDot(*graph);
  return 0;
}

// The model, weights, inputs and backend the flags name.
rnnc::tools::RunRequest RequestFromFlags(const std::string& path) {
  rnnc::tools::RunRequest request;
  request.graph_path = path;
  request.weights_path = absl::GetFlag(FLAGS_weights);
  request.inputs_path = absl::GetFlag(FLAGS_inputs);
  request.outputs_path = absl::GetFlag(FLAGS_outputs);
  request.backend = absl::GetFlag(FLAGS_backend);
  return request;
}

int Bench(const std::string& path) {
  rnnc::tools::BenchRequest request;
  request.model = RequestFromFlags(path);
  request.dims = absl::GetFlag(FLAGS_dims);
  request.min_seconds = absl::GetFlag(FLAGS_min_seconds);
  request.min_runs = absl::GetFlag(FLAGS_min_runs);
  absl::StatusOr<rnnc::tools::BenchReport> report = rnnc::tools::BenchModel(request);
  if (!report.ok()) return Fail(report.status());
  std::cout << rnnc::tools::FormatBenchReport(*report);
  return 0;
}

int CompileCommand(const std::string& path) {
  rnnc::tools::CompileRequest request;
  request.graph_path = path;
  request.weights_path = absl::GetFlag(FLAGS_weights);
  request.output_path = absl::GetFlag(FLAGS_o);
  request.header_path = absl::GetFlag(FLAGS_header);
  if (!absl::GetFlag(FLAGS_emit).empty()) request.emit = absl::GetFlag(FLAGS_emit);
  request.options.name = absl::GetFlag(FLAGS_name);
  request.options.embed_weights = !absl::GetFlag(FLAGS_external_weights);
  request.options.target_cpu = absl::GetFlag(FLAGS_target_cpu);
  const std::string gemm = absl::GetFlag(FLAGS_gemm);
  if (gemm != "inline" && gemm != "onednn") {
    return Fail(absl::InvalidArgumentError(
        absl::StrCat("--gemm=", gemm, " is not known; expected inline or onednn")));
  }
  request.options.onednn_gemm = gemm == "onednn";
  if (absl::Status status = rnnc::tools::CompileModel(request); !status.ok()) return Fail(status);
  return 0;
}

int Run(const std::string& path) {
  const rnnc::tools::RunRequest request = RequestFromFlags(path);
  absl::StatusOr<rnnc::TensorMap> outputs = rnnc::tools::RunModel(request);
  if (!outputs.ok()) return Fail(outputs.status());
  std::cout << rnnc::tools::DescribeTensors(*outputs);
  return 0;
}

// Flags are documented with dashes (--external-weights, --print-after-all)
// but Abseil names them with underscores: the names are rewritten before
// parsing, values left alone.
std::vector<std::string> UnderscoredFlagNames(int argc, char** argv) {
  std::vector<std::string> args(argv, argv + argc);
  for (std::string& arg : args) {
    if (arg.size() < 3 || arg.compare(0, 2, "--") != 0) continue;
    const size_t end = std::min(arg.find('='), arg.size());
    std::replace(arg.begin() + 2, arg.begin() + static_cast<std::ptrdiff_t>(end), '-', '_');
  }
  return args;
}

}  // namespace

int main(int argc, char** argv) {
  absl::SetProgramUsageMessage(kUsage);
  std::vector<std::string> renamed = UnderscoredFlagNames(argc, argv);
  std::vector<char*> renamed_argv;
  for (std::string& arg : renamed) renamed_argv.push_back(arg.data());
  std::vector<char*> args =
      absl::ParseCommandLine(static_cast<int>(renamed_argv.size()), renamed_argv.data());
  if (args.size() < 2) {
    std::cerr << "rnnc: " << kUsage << " see rnnc --help\n";
    return 2;
  }
  const std::string command = args[1];
  if (args.size() != 3) {
    return Fail(absl::InvalidArgumentError(
        absl::StrCat("'", command, "' takes exactly one model file; see rnnc --help")));
  }
  if (command == "opt") return Opt(args[2]);
  if (command == "dot") return Dot(args[2]);
  if (command == "run") return Run(args[2]);
  if (command == "bench") return Bench(args[2]);
  if (command == "compile") return CompileCommand(args[2]);
  return Fail(absl::InvalidArgumentError(
      absl::StrCat("unknown command '", command,
                   "'; commands: opt, dot, run, compile, bench (see rnnc --help)")));
}
