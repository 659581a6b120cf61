// The LLVM backend: an rnnc graph lowered to LLVM IR, optimized for the host
// CPU and compiled to machine code with ORC's LLJIT.
//
// Each op becomes loops over dense f32 buffers (elementwise chains fused into
// one loop over 16-lane vectors, split gates read in place), a scan is the
// time loop itself, and GEMMs against the weights run as inline register
// tiles over panels packed once (oneDNN's sgemm for large products of two
// activations). Symbolic dims (T, N, ...) are arguments of the generated
// code, bound on every Run from the input shapes; buffers are allocated,
// and the weights packed, once per set of bound dims and reused by later
// runs with the same dims.
#ifndef RNNC_BACKENDS_LLVM_LLVM_BACKEND_H
#define RNNC_BACKENDS_LLVM_LLVM_BACKEND_H

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "ir/Graph.h"
#include "runtime/Executable.h"
#include "runtime/Tensor.h"

namespace rnnc::llvm_backend {

// Where the milliseconds of CompileForLlvm went.
struct LlvmCompileStats {
  double passes_ms = 0;        // the "llvm" pass pipeline
  double lower_ms = 0;         // rnnc IR → LLVM IR
  // The JIT's wall time, split as JitTimings (Jit.h) says: the O2 pipeline
  // for the host CPU on the critical path, then instruction selection to
  // executable code.
  double optimize_ms = 0;
  double machine_code_ms = 0;
  double total_ms = 0;  // all of CompileForLlvm, verification included
  int compile_threads = 1;
};

struct LlvmOptions {
  // When set, filled in by CompileForLlvm.
  LlvmCompileStats* stats = nullptr;
  // The vector register file that the GEMM register tiles are shaped for,
  // when not 0: how many registers of how many f32 lanes (32 of 16 for
  // AVX-512, 16 of 8 for AVX2). The host's by default; the code runs on the
  // host whatever they say, so tests run every tile shape on any x86 CPU.
  int vector_registers = 0;
  int register_floats = 0;
  // The threads that compile the module's functions at once (at most one
  // per function) when positive; by default as many as the code runs on,
  // up to 4.
  int compile_threads = 0;
};

// Verifies `graph` and that `weights` fit it, runs the "llvm" pass pipeline
// (passes::PipelineFor), which expands layer ops into scans, and compiles
// the result. Errors name
// the op that cannot be lowered. The executable's Run is not reentrant: its
// buffers are shared between runs.
absl::StatusOr<std::unique_ptr<Executable>> CompileForLlvm(const ir::Graph& graph,
                                                           TensorMap weights,
                                                           const LlvmOptions& options = {});

// The LLVM IR of `graph`, after the "llvm" pass pipeline and the host's O2
// pipeline, as text.
absl::StatusOr<std::string> EmitLlvmIr(const ir::Graph& graph);

}  // namespace rnnc::llvm_backend

#endif  // RNNC_BACKENDS_LLVM_LLVM_BACKEND_H
